package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Flags that cannot be meant are usage errors (exit 2, one JSON document
// with --json), refused before the source or the replica is opened.
func TestCheckBadFlags(t *testing.T) {
	e := newEnv(t)
	t.Chdir(t.TempDir())
	dir := t.TempDir()
	cases := []struct {
		args []string
		says string
	}{
		{[]string{"check"}, "--replica: give the copy to check"},
		{[]string{"check", "--replica", ""}, "--replica is empty"},
		{[]string{"check", "--replica", " "}, "--replica is empty"},
		{[]string{"check", "--replica", dir, "--layout", "history", "--granularity", "hour"}, `--granularity "hour": use change or day`},
		{[]string{"check", "--replica", dir, "--granularity", "day"}, "--granularity applies to --layout history"},
		{[]string{"check", "--replica", dir, "--no-duplicates"}, "--no-duplicates applies to --layout history"},
		{[]string{"check", "--replica", dir, "--layout", "Mirror"}, `--layout "Mirror": the layouts are mirror`},
		{[]string{"check", "--replica", dir, "--tables", "customers,bogus"}, `--tables: "bogus" is not one of the tables: customers, products, orders`},
		{[]string{"check", "--replica", dir, "--tables", "jaffle_shop.customers"}, `"jaffle_shop.customers" is not one of the tables`},
		{[]string{"check", "--replica", dir, "--tables", "customers,,orders"}, `"" is not one of the tables`},
		{[]string{"check", "--replica", dir, "--tables", ""}, "--tables is empty"},
		{[]string{"check", "--replica", dir, "--examples", "-1"}, "--examples -1: give 0 (counts only) or more"},
		{[]string{"check", "--replica", dir, "--examples", "many"}, `invalid argument "many"`},
		{[]string{"check", "--replica", dir, "--replica-schema", "pg_temp"}, "--replica-schema: invalid schema name: \"pg_temp\" is a system schema"},
		{[]string{"check", "--replica", dir, "--replica-shop-schema", "1shop"}, "--replica-shop-schema: invalid schema name"},
		{[]string{"check", "--replica", dir, "--replica-crm-schema", "crm;drop"}, "--replica-crm-schema: invalid schema name"},
		{[]string{"check", "--replica", dir, "--replica-crm-schema", ""}, "--replica-crm-schema: invalid schema name: empty"},
		{[]string{"check", "--replica", dir, "--replica-schema", "raw", "--replica-shop-schema", "shop"}, "give it, or --replica-shop-schema and --replica-crm-schema, not both"},
		{[]string{"check", "--replica", dir, "--table-pattern", "raw_customers"}, "put {table} in it"},
		{[]string{"check", "--replica", dir, "--table-pattern", "raw-{table}"}, "use {table}, {schema}, letters, digits and underscores"},
		{[]string{"check", "--replica", dir, "--table-pattern", "{system}_{table}"}, "use {table}, {schema}"},
		{[]string{"check", "--replica", dir, "--table-pattern", "1_{table}"}, "not starting with a digit"},
		{[]string{"check", "--replica", dir, "--deleted-column", "is deleted"}, `--deleted-column "is deleted": give a column name`},
		{[]string{"check", "--replica", dir, "--ignore-columns", "loaded_at,,batch"}, `--ignore-columns: "" is not a column name`},
		{[]string{"check", "--replica", dir, "--ignore-columns", "a.b"}, `"a.b" is not a column name`},
		{[]string{"check", "--replica", dir, "--seed", "7"}, "--seed applies to the generator: give --day N too"},
		{[]string{"check", "--replica", dir, "--deletes", "hard"}, "--deletes applies to the generator"},
		{[]string{"check", "--replica", dir, "--day", "-1"}, "--day: day -1"},
		{[]string{"check", "--replica", dir, "--day", "1", "--scale", "0"}, "--scale 0"},
		{[]string{"check", "--replica", dir, "--day", "1", "--shop-schema", "information_schema"}, "is a system schema"},
		{[]string{"check", "--replica", dir, "extra"}, "takes no arguments"},
		{[]string{"check", "--replica", dir, "--strategy", "check"}, "--strategy applies to --layout scd2"},
		{[]string{"check", "--replica", dir, "--layout", "history", "--snapshot-days", "0-3"}, "--snapshot-days applies to --layout scd2"},
		{[]string{"check", "--replica", dir, "--layout", "scd2", "--strategy", "merge"}, `--strategy "merge": use timestamp`},
		{[]string{"check", "--replica", dir, "--layout", "scd2", "--hard-deletes", "delete"}, `--hard-deletes "delete": use ignore, invalidate or new_record`},
		{[]string{"check", "--replica", dir, "--layout", "scd2", "--snapshot-days", "3-1"}, `--snapshot-days: "3-1": a range runs from the lower day to the higher, such as 1-3`},
		{[]string{"check", "--replica", dir, "--layout", "scd2", "--snapshot-days", "0,x"}, `--snapshot-days: "x" is not a day`},
		{[]string{"check", "--replica", dir, "--layout", "scd2", "--snapshot-days", ""}, `--snapshot-days: "" is not a day`},
		{[]string{"check", "--replica", dir, "--layout", "scd2", "--snapshot-days", "99999"}, `"99999" is not a day`},
		{[]string{"check", "--replica", dir, "--layout", "scd2", "--valid-from-column", "vf"}, "--valid-from-column and --valid-to-column: give both, or neither"},
		{[]string{"check", "--replica", dir, "--layout", "scd2", "--valid-from-column", "a b", "--valid-to-column", "t"}, `--valid-from-column "a b": give a column name`},
		{[]string{"check", "--replica", dir, "--layout", "scd2", "--day", "2", "--snapshot-days", "0-3"}, "snapshot day 3: the snapshots must run after days 0 to 2"},
	}
	for _, c := range cases {
		// With --day no source is named: --db would be refused.
		runIt := e.run
		if hasFlag(c.args, "--day") {
			runIt = func(args ...string) result { return run(t, args...) }
		}
		r := runIt(c.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.says) {
			t.Errorf("%q: exit %d %q; want exit %d saying %q", c.args, r.code, r.stderr, exitUsage, c.says)
		}
		r = runIt(append(c.args, "--json")...)
		oneJSONError(t, strings.Join(c.args, " ")+" --json", r)
	}
	// --day takes the expected state from the generator: a source named
	// too is a contradiction.
	for _, flag := range []string{"--db", "--profile"} {
		r := run(t, "check", "--replica", dir, "--day", "1", flag, "x")
		if r.code != exitUsage || !strings.Contains(r.stderr, flag+" names a source database, but --day") {
			t.Errorf("--day with %s: exit %d %q", flag, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Dir(e.path)); !os.IsNotExist(err) {
		t.Errorf("a refused check opened the source: %v", err)
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("a refused check wrote files: %v", entries)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused check wrote into the replica: %v", entries)
	}
}

// The source is read like status's: a missing DuckDB file is "no originsim
// data" (exit 3) and is not created.
func TestCheckNeedsALoadedSource(t *testing.T) {
	e := newEnv(t)
	r := e.run("check", "--replica", t.TempDir())
	if r.code != exitState || !strings.Contains(r.stderr, "load-baseline") {
		t.Errorf("check of a source without data: exit %d %q; want %d naming load-baseline", r.code, r.stderr, exitState)
	}
	if _, err := os.Stat(filepath.Dir(e.path)); !os.IsNotExist(err) {
		t.Errorf("check made the source's folder: %v", err)
	}
}

func TestCheckHelpTeaches(t *testing.T) {
	r := run(t, "check", "--help")
	for _, want := range []string{"Examples:", "--replica landing/", "--replica-schema raw --table-pattern '{schema}_{table}'", "postgres://", "--day 3", "_fivetran_deleted", "Exits 0",
		"dbt_valid_from", "__START_AT", "--snapshot-days 0-3,5 --strategy check --hard-deletes invalidate"} {
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("check --help lacks %q:\n%s", want, r.stdout)
		}
	}
}

// checkOut is the part of check --json the tests read.
type checkOut struct {
	Day    int  `json:"day"`
	OK     bool `json:"ok"`
	Tables []struct {
		Table                                    string
		Expected, Found, Missing, Extra, Changed int64
		Duplicates                               int64
		DeletedBy                                string `json:"deleted_by"`
		Examples                                 []struct {
			Kind    string
			Key     int64
			Columns []struct{ Column, Expected, Found string }
		}
		Problems []string
		OK       bool
	} `json:"tables"`
	Error    string `json:"error"`
	ExitCode *int   `json:"exit_code"`
}

func decodeCheck(t *testing.T, r result) checkOut {
	t.Helper()
	var v checkOut
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	if err := dec.Decode(&v); err != nil || dec.More() {
		t.Fatalf("check --json is not one document (%v):\n%s\n%s", err, r.stdout, r.stderr)
	}
	return v
}

// An export of the source is a correct copy; a copy with one value changed
// and one row gone is named exactly: that key, that column, exit 1.
func TestCheckAFolderOfFiles(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline", "-q")
	e.must("apply-delta", "-q", "--day", "1")
	dir := filepath.Join(t.TempDir(), "landing")
	e.export("--out", dir)

	r := e.run("check", "--replica", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "✓ The replica is exactly day 1 (8 tables).") {
		t.Fatalf("check of an export: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	v := decodeCheck(t, e.run("check", "--replica", dir, "--json"))
	if !v.OK || v.Day != 1 || len(v.Tables) != 8 || v.Tables[0].Expected != 125 || v.Tables[0].Found != 125 {
		t.Errorf("check --json of an export: %+v", v)
	}

	replaceLine(t, filepath.Join(dir, "orders.csv"), "2,1,2024-12-02,completed,", "2,1,2024-12-02,returned\x1b[2J,")
	replaceLine(t, filepath.Join(dir, "customers.csv"), "3,", "")
	r = e.run("check", "--replica", dir)
	if r.code != exitFailure || !strings.Contains(r.stdout, "DIFFERS") || !strings.Contains(r.stderr, "differs from day 1 in 2 of 8 tables") {
		t.Errorf("check of a changed copy: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// The replica's values are anyone's: printed escaped.
	if !strings.Contains(r.stdout, `status: expected completed, found returned\x1b[2J`) || strings.Contains(r.stdout, "\x1b") {
		t.Errorf("check does not name the changed column, escaped:\n%s", r.stdout)
	}
	r = e.run("check", "--replica", dir, "--json")
	v = decodeCheck(t, r)
	if r.code != exitFailure || v.OK || v.ExitCode == nil || *v.ExitCode != exitFailure || !strings.Contains(v.Error, "differs from day 1") {
		t.Errorf("check --json of a changed copy: exit %d, %+v", r.code, v)
	}
	for _, tb := range v.Tables {
		switch tb.Table {
		case "jaffle_shop.orders":
			if tb.OK || tb.Changed != 1 || tb.Missing+tb.Extra+tb.Duplicates != 0 || len(tb.Examples) != 1 ||
				tb.Examples[0].Kind != "changed" || tb.Examples[0].Key != 2 || len(tb.Examples[0].Columns) != 1 ||
				tb.Examples[0].Columns[0] != (struct{ Column, Expected, Found string }{"status", "completed", "returned\x1b[2J"}) {
				t.Errorf("orders: %+v", tb)
			}
		case "jaffle_shop.customers":
			if tb.OK || tb.Missing != 1 || tb.Found != 124 || tb.Changed+tb.Extra+tb.Duplicates != 0 || len(tb.Examples) != 1 ||
				tb.Examples[0].Kind != "missing" || tb.Examples[0].Key != 3 {
				t.Errorf("customers: %+v", tb)
			}
		default:
			if !tb.OK {
				t.Errorf("%s differs, but nothing in it changed: %+v", tb.Table, tb)
			}
		}
	}
	// --examples 0: the counts, no keys; --tables: those tables only.
	v = decodeCheck(t, e.run("check", "--replica", dir, "--json", "--examples", "0", "--tables", "orders,campaigns"))
	if len(v.Tables) != 2 || v.Tables[0].Table != "jaffle_shop.orders" || v.Tables[0].Changed != 1 || len(v.Tables[0].Examples) != 0 || !v.Tables[1].OK {
		t.Errorf("--examples 0 --tables orders,campaigns: %+v", v)
	}

	// With --day no source is opened: the generator's day 1 is the same.
	t.Chdir(t.TempDir())
	for _, k := range []string{"ORIGINSIM_DB"} {
		unsetenv(t, k)
	}
	r = run(t, "check", "--replica", dir, "--day", "1", "--tables", "products")
	if r.code != 0 {
		t.Errorf("check --day 1 of an unchanged table: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("check --day opened a database: %v", entries)
	}
}

// A DuckDB file copied from the source is a correct copy.
func TestCheckADuckDBCopy(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline", "-q")
	e.must("apply-delta", "-q", "--through", "2")
	copyPath := filepath.Join(t.TempDir(), "copy.duckdb")
	b, err := os.ReadFile(e.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(copyPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r := e.run("check", "--replica", "duckdb:"+copyPath)
	if r.code != 0 || !strings.Contains(r.stdout, "✓ The replica is exactly day 2 (8 tables).") {
		t.Errorf("check of a copy of the source: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// The tables elsewhere: one schema and a pattern, or schemas of other
	// names.
	var stmts []string
	for _, tb := range []string{"jaffle_shop.customers", "jaffle_shop.products", "jaffle_shop.orders", "jaffle_shop.order_items", "jaffle_shop.payments",
		"jaffle_crm.campaigns", "jaffle_crm.email_activity", "jaffle_crm.web_sessions"} {
		schema, table, _ := strings.Cut(tb, ".")
		other := map[string]string{"jaffle_shop": "shop_raw", "jaffle_crm": "crm_raw"}[schema]
		stmts = append(stmts, "CREATE TABLE raw."+schema+"_"+table+" AS SELECT * FROM "+tb,
			"CREATE TABLE "+other+"."+table+" AS SELECT * FROM "+tb)
	}
	exec(t, copyPath, append([]string{"CREATE SCHEMA raw", "CREATE SCHEMA shop_raw", "CREATE SCHEMA crm_raw"}, stmts...)...)
	r = e.run("check", "--replica", "duckdb:"+copyPath, "--replica-schema", "raw", "--table-pattern", "{schema}_{table}")
	if r.code != 0 {
		t.Errorf("check --replica-schema raw --table-pattern {schema}_{table}: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = e.run("check", "--replica", "duckdb:"+copyPath, "--replica-shop-schema", "shop_raw", "--replica-crm-schema", "crm_raw")
	if r.code != 0 {
		t.Errorf("check --replica-shop-schema shop_raw --replica-crm-schema crm_raw: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	// --deleted-column: a row marked deleted is not found.
	exec(t, copyPath, "ALTER TABLE shop_raw.customers ADD COLUMN is_removed BOOLEAN DEFAULT false",
		"UPDATE shop_raw.customers SET is_removed = true WHERE customer_id = 3")
	r = e.run("check", "--replica", "duckdb:"+copyPath, "--replica-shop-schema", "shop_raw", "--replica-crm-schema", "crm_raw",
		"--tables", "customers", "--deleted-column", "is_removed", "--json")
	if v := decodeCheck(t, r); r.code != exitFailure || len(v.Tables) != 1 || v.Tables[0].Missing != 1 || v.Tables[0].DeletedBy != "is_removed" ||
		len(v.Tables[0].Examples) != 1 || v.Tables[0].Examples[0].Key != 3 {
		t.Errorf("--deleted-column is_removed, customer 3 marked: exit %d %+v", r.code, v)
	}

	exec(t, copyPath, "UPDATE jaffle_crm.campaigns SET budget = budget + 0.01 WHERE campaign_id = 4")
	v := decodeCheck(t, e.run("check", "--replica", "duckdb:"+copyPath, "--json"))
	for _, tb := range v.Tables {
		if want := tb.Table != "jaffle_crm.campaigns"; tb.OK != want {
			t.Errorf("%s: ok %v after a cent more on campaign 4: %+v", tb.Table, tb.OK, tb)
		}
		if tb.Table == "jaffle_crm.campaigns" && (tb.Changed != 1 || len(tb.Examples) != 1 || tb.Examples[0].Key != 4) {
			t.Errorf("campaigns: %+v", tb)
		}
	}
}

// replaceLine replaces the first line of the file starting with prefix by
// the prefix's replacement and the rest of the line, or drops the line
// when the replacement is empty.
func replaceLine(t *testing.T, path, prefix, with string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	for i, l := range lines[1:] {
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			if with == "" {
				lines = append(lines[:i+1], lines[i+2:]...)
			} else {
				lines[i+1] = with + rest
			}
			if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("%s has no line starting %q", path, prefix)
}

// A replica server that cannot be reached is exit 4, its password never
// shown; a replica that is neither a URL nor a folder is exit 2.
func TestCheckUnreachableReplica(t *testing.T) {
	t.Chdir(t.TempDir())
	unsetenv(t, "ORIGINSIM_DB")
	const password = "Zq8sEcretW"
	for _, url := range []string{
		"postgres://u:" + password + "@127.0.0.1:1/db?sslmode=disable",
		"mysql://u:" + password + "@127.0.0.1:1/db",
	} {
		r := run(t, "check", "--replica", url, "--day", "1", "--connect-timeout", "5s")
		if r.code != exitConnect || strings.Contains(r.stdout+r.stderr, password) {
			t.Errorf("check of an unreachable replica: exit %d, want %d, the password never shown:\n%s%s", r.code, exitConnect, r.stdout, r.stderr)
		}
		r = run(t, "check", "--replica", url, "--day", "1", "--json")
		oneJSONError(t, "check --json of an unreachable replica", r)
		if strings.Contains(r.stdout, password) {
			t.Errorf("check --json shows the password: %s", r.stdout)
		}
	}
	r := run(t, "check", "--replica", "bogus://x", "--day", "1")
	if r.code != exitUsage || !strings.Contains(r.stderr, `unknown scheme "bogus"`) {
		t.Errorf("check of a bogus:// replica: exit %d %q", r.code, r.stderr)
	}
}
