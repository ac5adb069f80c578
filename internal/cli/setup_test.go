package cli

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

const testProfiles = `
ingestion_simulator:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('MY_DB_PATH') }}"
    memory:
      type: duckdb
      path: ":memory:"
    lakehouse:
      type: databricks
      host: "{{ env_var('DATABRICKS_HOST', 'x') }}"
    pg:
      type: postgres
      host: 127.0.0.1
      port: "{{ env_var('PG_PORT') }}"
      user: app
      password: "hunter2:@/x"
      dbname: analytics
`

// profileEnv is a clean environment with a profiles.yml in its own folder.
func profileEnv(t *testing.T) (e *env, dir string) {
	e = newEnv(t)
	t.Setenv("DBT_PROFILES_DIR", "")
	dir = t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "profiles.yml"), []byte(testProfiles), 0o644); err != nil {
		t.Fatal(err)
	}
	return e, dir
}

func TestProfileDrivesLoadBaseline(t *testing.T) {
	e, dir := profileEnv(t)
	t.Setenv("MY_DB_PATH", e.path)
	if r := run(t, "load-baseline", "--profile", "ingestion_simulator", "--profiles-dir", dir, "-q"); r.code != 0 {
		t.Fatalf("load-baseline from a profile: exit %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(e.path); err != nil {
		t.Fatalf("the profile's DuckDB file was not made: %v", err)
	}
	e.checkContract(0, "jaffle_shop", "jaffle_crm")

	// DBT_PROFILES_DIR and the profile's target: key find the same file.
	t.Setenv("DBT_PROFILES_DIR", dir)
	var s statusOut
	r := run(t, "status", "--profile", "ingestion_simulator", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || r.code != 0 || s.Day != 0 || s.Tables["jaffle_shop.order_items"] != 1200 {
		t.Fatalf("status through DBT_PROFILES_DIR: exit %d %v %s", r.code, err, r.stderr)
	}

	// --db and ORIGINSIM_DB beat --profile.
	other := filepath.Join(t.TempDir(), "other.duckdb")
	if r := run(t, "status", "--profile", "ingestion_simulator", "--db", "duckdb:"+other); r.code != exitState {
		t.Errorf("--db should win over --profile: exit %d %s", r.code, r.stderr)
	}
	t.Setenv("ORIGINSIM_DB", "duckdb:"+other)
	if r := run(t, "status", "--profile", "ingestion_simulator"); r.code != exitState || !strings.Contains(r.stderr, "run load-baseline first") {
		t.Errorf("ORIGINSIM_DB should win over --profile: exit %d %s", r.code, r.stderr)
	}
}

func TestProfileErrors(t *testing.T) {
	_, dir := profileEnv(t)
	t.Setenv("MY_DB_PATH", "")
	os.Unsetenv("MY_DB_PATH")
	t.Setenv("PG_PORT", "")
	cases := []struct {
		args []string
		says []string
	}{
		{[]string{"--profile", "ingestion_simulator"}, []string{"MY_DB_PATH", "environment variable not set", "field path", "profiles.yml"}},
		{[]string{"--profile", "ingestion_simulator", "--target", "memory"}, []string{"in-memory", "give the target a file path"}},
		{[]string{"--profile", "ingestion_simulator", "--target", "lakehouse"}, []string{"type databricks", "not support yet", "supported: duckdb, mysql, postgres, sqlserver"}},
		{[]string{"--profile", "ingestion_simulator", "--target", "prod"}, []string{`no target "prod"`, "dev, lakehouse, memory, pg"}},
		{[]string{"--profile", "jaffle"}, []string{`no profile "jaffle"`, "profiles: ingestion_simulator"}},
		{[]string{"--target", "dev"}, []string{"give --profile NAME too"}},
	}
	for _, c := range cases {
		args := append([]string{"load-baseline", "--profiles-dir", dir}, c.args...)
		if c.args[0] == "--target" {
			args = append([]string{"status"}, c.args...)
		}
		r := run(t, args...)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, r.code, exitUsage, r.stderr)
		}
		for _, s := range c.says {
			if !strings.Contains(r.stderr, s) {
				t.Errorf("%v: %q should say %q", args, r.stderr, s)
			}
		}
	}
	if r := run(t, "status", "--profile", "x", "--profiles-dir", t.TempDir()); r.code != exitUsage || !strings.Contains(r.stderr, "profiles.yml not found") {
		t.Errorf("no profiles.yml: exit %d %s", r.code, r.stderr)
	}
	// A server profile: the password is used, never shown.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close() // nothing listens there now
	t.Setenv("PG_PORT", port)
	r := run(t, "status", "--profile", "ingestion_simulator", "--profiles-dir", dir, "--target", "pg", "--connect-timeout", "2s")
	if r.code != exitConnect || strings.Contains(r.stderr+r.stdout, "hunter2") || !strings.Contains(r.stderr, "analytics") {
		t.Errorf("postgres profile: exit %d %q", r.code, r.stderr)
	}
}

var sodaRowCount = regexp.MustCompile(`^row_count = (\d+)$`)

func TestExtras(t *testing.T) {
	newEnv(t)
	out := t.TempDir()
	r := run(t, "extras", "--out", out, "--json", "--soda", "v3")
	if r.code != 0 {
		t.Fatalf("extras: exit %d %s", r.code, r.stderr)
	}
	var rep struct {
		Files []string `json:"files"`
		Days  int      `json:"days"`
		Scale int      `json:"scale"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Days != 3 || rep.Scale != 1 || len(rep.Files) != 15 {
		t.Fatalf("extras --json: %v %s", err, r.stdout)
	}
	read := func(rel string) map[string]any {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(out, rel))
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := yaml.Unmarshal(data, &v); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		return v
	}

	tables := map[string]bool{}
	for _, s := range read("dbt/sources.yml")["sources"].([]any) {
		for _, tb := range s.(map[string]any)["tables"].([]any) {
			tables[s.(map[string]any)["name"].(string)+"."+tb.(map[string]any)["name"].(string)] = true
		}
	}
	for _, day := range contract[:1] {
		for name := range day {
			if !tables["jaffle_shop."+name] && !tables["jaffle_crm."+name] {
				t.Errorf("sources.yml lacks %s", name)
			}
		}
	}
	if len(tables) != 8 {
		t.Errorf("sources.yml names %d tables: %v", len(tables), tables)
	}

	for day := 0; day <= 3; day++ {
		scan := read("soda/checks_day_" + strconv.Itoa(day) + ".yml")
		got := map[string]int64{}
		for key, checks := range scan {
			table := key[strings.LastIndex(key, ".")+1:]
			for _, c := range checks.([]any) {
				if m := sodaRowCount.FindStringSubmatch(stringOf(c)); m != nil {
					got[table], _ = strconv.ParseInt(m[1], 10, 64)
				}
			}
		}
		for table, want := range contract[day] {
			if got[table] != want {
				t.Errorf("Day %d scan: %s row_count %d, want %d", day, table, got[table], want)
			}
		}
	}
	contracts, _ := filepath.Glob(filepath.Join(out, "contracts", "*.odcs.yaml"))
	if len(contracts) != 8 {
		t.Errorf("%d ODCS contracts, want 8", len(contracts))
	}
	for _, c := range contracts {
		rel, _ := filepath.Rel(out, c)
		if v := read(rel); v["kind"] != "DataContract" || !strings.HasPrefix(stringOf(v["apiVersion"]), "v3.") {
			t.Errorf("%s: kind %v apiVersion %v", rel, v["kind"], v["apiVersion"])
		}
	}

	// The settings reach the counts: scale 2 doubles the customers.
	r = run(t, "extras", "--out", out, "--scale", "2", "--days", "0", "-q", "--soda", "v3")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("extras --scale 2 -q: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	if checks := read("soda/checks_day_0.yml")["checks for jaffle_shop.customers"].([]any); stringOf(checks[0]) != "row_count = 200" {
		t.Errorf("scale 2: %v", checks[0])
	}
	// Soda v4 by default: a data source and a contract per table and day,
	// with the exact row count.
	v4 := t.TempDir()
	if r := run(t, "extras", "--out", v4, "--days", "1", "-q"); r.code != 0 {
		t.Fatalf("extras (v4): %d %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(filepath.Join(v4, "soda", "day_1", "jaffle_shop_customers.yml"))
	if err != nil || !strings.Contains(string(b), "dataset: originsim/jaffle_shop/customers\n") ||
		!strings.Contains(string(b), fmt.Sprintf("must_be: %d\n", contract[1]["customers"])) || !strings.Contains(string(b), "- missing:") {
		t.Fatalf("soda v4 contract: %v\n%s", err, b)
	}
	if ds, err := os.ReadFile(filepath.Join(v4, "soda", "data_source.yml")); err != nil || !strings.Contains(string(ds), "type: duckdb\nname: originsim\n") {
		t.Fatalf("soda data source: %v\n%s", err, ds)
	}
	for _, bad := range [][]string{{"--days", "-1"}, {"--scale", "0"}, {"--start-date", "soon"}, {"--crm-schema", "jaffle_shop"}, {"--soda", "v5"}} {
		if r := run(t, append([]string{"extras", "--out", out}, bad...)...); r.code != exitUsage {
			t.Errorf("extras %v: exit %d %s", bad, r.code, r.stderr)
		}
	}
}

func stringOf(v any) string { s, _ := v.(string); return s }

func TestInitWritesTheSettingsEveryCommandReads(t *testing.T) {
	e := newEnv(t)
	t.Chdir(t.TempDir())
	r := run(t, "init", "--db", "duckdb:"+e.path, "--shop-schema", "shop_db", "--crm-schema", "crm_db", "--json")
	var rep map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rep); r.code != 0 || err != nil || rep["shop_schema"] != "shop_db" {
		t.Fatalf("init: exit %d %v %s %s", r.code, err, r.stdout, r.stderr)
	}
	data, err := os.ReadFile("originsim.yaml")
	if err != nil || !strings.Contains(string(data), "# ") {
		t.Fatalf("originsim.yaml: %v\n%s", err, data)
	}
	// Every command now uses the file's database and schema names.
	if r := run(t, "load-baseline", "-q"); r.code != 0 {
		t.Fatalf("load-baseline with originsim.yaml: exit %d %s", r.code, r.stderr)
	}
	var s statusOut
	if r := run(t, "status", "--json"); json.Unmarshal([]byte(r.stdout), &s) != nil || s.Tables["shop_db.customers"] != 100 || s.Tables["crm_db.campaigns"] != 5 {
		t.Fatalf("status with originsim.yaml: %s %s", r.stdout, r.stderr)
	}
	// Flags and the environment beat the file.
	if r := run(t, "status", "--shop-schema", "jaffle_shop", "--crm-schema", "jaffle_crm"); r.code != exitState {
		t.Errorf("--shop-schema should beat the file: exit %d %s", r.code, r.stderr)
	}
	t.Setenv("ORIGINSIM_SHOP_SCHEMA", "elsewhere")
	if r := run(t, "status"); r.code != exitState || !strings.Contains(r.stderr, "elsewhere") {
		t.Errorf("ORIGINSIM_SHOP_SCHEMA should beat the file: exit %d %s", r.code, r.stderr)
	}
	unsetenv(t, "ORIGINSIM_SHOP_SCHEMA")

	// An existing file is kept unless --force.
	if r := run(t, "init"); r.code != exitState || !strings.Contains(r.stderr, "--force") {
		t.Errorf("init over an existing file: exit %d %s", r.code, r.stderr)
	}
	if after, _ := os.ReadFile("originsim.yaml"); string(after) != string(data) {
		t.Error("init without --force changed the file")
	}
	if r := run(t, "init", "--force", "--db", "duckdb:"+e.path, "--shop-schema", "shop_db", "--crm-schema", "crm_db", "--scale", "3", "--seed", "9"); r.code != 0 || !strings.Contains(r.stdout, "scale 3, seed 9") {
		t.Fatalf("init --force: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	// The file's scale, seed and start date reach extras (and load-baseline).
	if r := run(t, "extras", "--out", "x", "--days", "0", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"scale": 3`) || !strings.Contains(r.stdout, `"seed": 9`) {
		t.Errorf("extras with the file's settings: %s %s", r.stdout, r.stderr)
	}
	if r := run(t, "load-baseline"); r.code != exitState || !strings.Contains(r.stderr, "run reset with the new options") {
		t.Errorf("load-baseline with the file's new seed at Day 0: exit %d %s", r.code, r.stderr)
	}

	// A bad file: exit 2, naming the file and the key.
	if err := os.WriteFile("originsim.yaml", []byte("db: duckdb:x.duckdb\nsede: 7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"status", "extras"} {
		if r := run(t, cmd); r.code != exitUsage || !strings.Contains(r.stderr, "originsim.yaml line 2: sede: unknown key") {
			t.Errorf("%s with a bad originsim.yaml: exit %d %s", cmd, r.code, r.stderr)
		}
	}
	// init --force and completion do not need a good file.
	if r := run(t, "completion", "bash"); r.code != 0 {
		t.Errorf("completion with a bad originsim.yaml: %d %s", r.code, r.stderr)
	}
	if r := run(t, "init", "--force", "-q"); r.code != 0 || r.stdout != "" {
		t.Errorf("init --force over a bad file: %d %q %s", r.code, r.stdout, r.stderr)
	}
}

// A profile named in originsim.yaml is used; --target on the command line
// picks within it.
func TestInitWithAProfile(t *testing.T) {
	e, dir := profileEnv(t)
	t.Chdir(t.TempDir())
	t.Setenv("MY_DB_PATH", e.path)
	if r := run(t, "init", "--profile", "ingestion_simulator", "--profiles-dir", dir); r.code != 0 || !strings.Contains(r.stdout, "dbt profile ingestion_simulator") {
		t.Fatalf("init --profile: exit %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "load-baseline", "-q"); r.code != 0 {
		t.Fatalf("load-baseline through the file's profile: exit %d %s", r.code, r.stderr)
	}
	e.checkContract(0, "jaffle_shop", "jaffle_crm")
	if r := run(t, "status", "--target", "memory"); r.code != exitUsage || !strings.Contains(r.stderr, "in-memory") {
		t.Errorf("--target within the file's profile: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, "init", "--force", "--profile", "p", "--db", "duckdb:x"); r.code != exitUsage {
		t.Errorf("init with --db and --profile: exit %d", r.code)
	}
}

func TestCompletionAndHelp(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := run(t, "completion", shell)
		if r.code != 0 || len(r.stdout) < 500 {
			t.Errorf("completion %s: exit %d, %d bytes", shell, r.code, len(r.stdout))
		}
	}
	if r := run(t, "completion", "bash"); !strings.Contains(r.stdout, "bash completion") {
		t.Errorf("completion bash: %.200s", r.stdout)
	}
	if r := run(t, "--help"); !strings.Contains(r.stdout, "completion") || !strings.Contains(r.stdout, "extras") || !strings.Contains(r.stdout, "--profile") {
		t.Errorf("--help does not list completion, extras and --profile:\n%s", r.stdout)
	}
	for _, cmd := range []string{"extras", "init", "completion", "load-baseline", "reset", "status"} {
		if r := run(t, cmd, "--help"); r.code != 0 || !strings.Contains(r.stdout, "Examples:") {
			t.Errorf("%s --help has no examples:\n%s", cmd, r.stdout)
		}
	}
	if r := run(t, "--version"); !regexp.MustCompile(`originsim version \S+ \(ledger format \d+, data version \d+\)`).MatchString(r.stdout) {
		t.Errorf("--version: %q", r.stdout)
	}
}

// init writes a password given with --db into the file, as asked, but never
// prints it, and warns about it.
func TestInitNeverPrintsAPassword(t *testing.T) {
	newEnv(t)
	t.Chdir(t.TempDir())
	for _, args := range [][]string{{"init"}, {"init", "--force", "--json"}} {
		r := run(t, append(args, "--db", "postgres://app:hunter2@db.example.com:5432/dev")...)
		if r.code != 0 || strings.Contains(r.stdout+r.stderr, "hunter2") || !strings.Contains(r.stdout, "db.example.com") {
			t.Errorf("%v: exit %d %q %q", args, r.code, r.stdout, r.stderr)
		}
		if args[len(args)-1] != "--json" && !strings.Contains(r.stderr, "holds a password") {
			t.Errorf("%v: no warning about the password: %q", args, r.stderr)
		}
	}
	if data, _ := os.ReadFile("originsim.yaml"); !strings.Contains(string(data), "hunter2") {
		t.Error("the file does not hold the URL given")
	}
}

// The contracts' servers block names the database --db gives (type, host,
// port, database, the system's schema), never its user or password; by
// default the embedded DuckDB file. The workflow uses the actions'
// current major versions.
func TestExtrasServers(t *testing.T) {
	dir := t.TempDir()
	r := run(t, "extras", "--out", dir, "-q", "--db", "postgres://reader:s3cret-pw@db.example:6543/warehouse?sslmode=disable")
	if r.code != 0 {
		t.Fatalf("extras: %d %s", r.code, r.stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "contracts", "jaffle_crm_campaigns.odcs.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	want := "servers:\n  - server: originsim\n    type: postgres\n    host: db.example\n    port: 6543\n    database: warehouse\n    schema: jaffle_crm\n"
	if !strings.Contains(string(b), want) {
		t.Fatalf("servers block: want\n%s\nin\n%s", want, b)
	}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if data, _ := os.ReadFile(p); err == nil && !d.IsDir() && (strings.Contains(string(data), "s3cret") || strings.Contains(string(data), "reader")) {
			t.Errorf("%s holds the URL's user or password", p)
		}
		return nil
	})
	dir = t.TempDir()
	if r := run(t, "extras", "--out", dir, "-q", "--db", "mysql://root@127.0.0.1/test"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	b, _ = os.ReadFile(filepath.Join(dir, "contracts", "jaffle_shop_orders.odcs.yaml"))
	if !strings.Contains(string(b), "type: mysql\n    host: 127.0.0.1\n    port: 3306\n    database: jaffle_shop\n") {
		t.Fatalf("mysql servers block:\n%s", b)
	}
	wf, _ := os.ReadFile(filepath.Join(dir, "github", "originsim.yml"))
	if !strings.Contains(string(wf), "actions/checkout@v6") || !strings.Contains(string(wf), "actions/setup-go@v6") {
		t.Fatalf("workflow actions:\n%s", wf)
	}
}

// sources.yml is in dbt 1.10's forms by default (config: for freshness and
// loaded_at_field, arguments: for relationships), in the old ones with
// --dbt-version 1.9, with data_types as the --db database spells them.
func TestExtrasDBTForms(t *testing.T) {
	read := func(args ...string) map[string]any {
		t.Helper()
		dir := t.TempDir()
		if r := run(t, append([]string{"extras", "--out", dir, "-q"}, args...)...); r.code != 0 {
			t.Fatalf("extras %v: %d %s", args, r.code, r.stderr)
		}
		b, err := os.ReadFile(filepath.Join(dir, "dbt", "sources.yml"))
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := yaml.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	source := func(v map[string]any) map[string]any { return v["sources"].([]any)[0].(map[string]any) }
	column := func(v map[string]any, table, col string) map[string]any {
		for _, s := range v["sources"].([]any) {
			for _, tb := range s.(map[string]any)["tables"].([]any) {
				if tb.(map[string]any)["name"] == table {
					for _, c := range tb.(map[string]any)["columns"].([]any) {
						if c.(map[string]any)["name"] == col {
							return c.(map[string]any)
						}
					}
				}
			}
		}
		t.Fatalf("no column %s.%s", table, col)
		return nil
	}
	cur := read("--db", "postgres://u@127.0.0.1/db")
	src := source(cur)
	cfg, _ := src["config"].(map[string]any)
	if src["loaded_at_field"] != nil || src["freshness"] != nil || cfg["loaded_at_field"] != "updated_at" || cfg["freshness"] == nil {
		t.Fatalf("dbt 1.10 source: %v", src)
	}
	rel := fmt.Sprint(column(cur, "orders", "customer_id")["data_tests"])
	if !strings.Contains(rel, "relationships:map[arguments:map[field:customer_id to:source('jaffle_shop', 'customers')]]") {
		t.Fatalf("dbt 1.10 relationships: %s", rel)
	}
	if dt := column(cur, "products", "price")["data_type"]; dt != "numeric(10,2)" {
		t.Fatalf("postgres data_type of price: %v", dt)
	}
	old := read("--dbt-version", "1.9", "--db", "sqlserver://u@127.0.0.1?database=src")
	if src := source(old); src["loaded_at_field"] != "updated_at" || src["freshness"] == nil || src["config"] != nil {
		t.Fatalf("dbt 1.9 source: %v", src)
	}
	if rel := fmt.Sprint(column(old, "orders", "customer_id")["data_tests"]); strings.Contains(rel, "arguments") || !strings.Contains(rel, "field:customer_id") {
		t.Fatalf("dbt 1.9 relationships: %s", rel)
	}
	if dt := column(old, "customers", "email")["data_type"]; !strings.HasPrefix(fmt.Sprint(dt), "nvarchar(") {
		t.Fatalf("sqlserver data_type of email: %v", dt)
	}
	if r := run(t, "extras", "--out", t.TempDir(), "--dbt-version", "2.0"); r.code != exitUsage || !strings.Contains(r.stderr, `--dbt-version "2.0"`) {
		t.Fatalf("--dbt-version 2.0: %d %s", r.code, r.stderr)
	}
}
