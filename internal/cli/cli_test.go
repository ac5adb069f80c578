package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return result{code, out.String(), errb.String()}
}

// env is one temporary DuckDB database and the flags that point at it.
type env struct {
	t    *testing.T
	path string
}

func newEnv(t *testing.T) *env {
	for _, k := range []string{"ORIGINSIM_DB", "ORIGINSIM_SHOP_SCHEMA", "ORIGINSIM_CRM_SCHEMA"} {
		unsetenv(t, k)
	}
	return &env{t: t, path: filepath.Join(t.TempDir(), "sub", "sim.duckdb")}
}

// unsetenv unsets an environment variable for the test: set but empty is
// an error, not "unset".
func unsetenv(t *testing.T, k string) {
	t.Setenv(k, "") // restored when the test ends
	os.Unsetenv(k)
}

func (e *env) run(args ...string) result {
	e.t.Helper()
	return run(e.t, append([]string{"--db", "duckdb:" + e.path}, args...)...)
}

func (e *env) must(args ...string) result {
	e.t.Helper()
	r := e.run(args...)
	if r.code != 0 {
		e.t.Fatalf("originsim %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

type statusOut struct {
	Day    int              `json:"day"`
	Tables map[string]int64 `json:"tables"`
}

func (e *env) status() statusOut {
	e.t.Helper()
	var s statusOut
	r := e.must("status", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		e.t.Fatalf("status --json: %v\n%s", err, r.stdout)
	}
	return s
}

type verifyOut struct {
	Day    int  `json:"day"`
	OK     bool `json:"ok"`
	Tables []struct {
		Table       string   `json:"table"`
		Fingerprint string   `json:"fingerprint"`
		Differences []string `json:"differences"`
	} `json:"tables"`
}

// snapshot is the recorded day and every table's fingerprint: equal
// snapshots mean equal content.
func (e *env) snapshot() string {
	e.t.Helper()
	var v verifyOut
	r := e.run("verify", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		e.t.Fatalf("verify --json: %v\n%s%s", err, r.stdout, r.stderr)
	}
	var b strings.Builder
	b.WriteString(strings.Repeat("d", v.Day))
	for _, tb := range v.Tables {
		b.WriteString(" " + tb.Table + "=" + tb.Fingerprint)
	}
	return b.String()
}

var contract = []map[string]int64{
	{"customers": 100, "products": 20, "orders": 500, "order_items": 1200, "payments": 0, "campaigns": 5, "email_activity": 100, "web_sessions": 150},
	{"customers": 125, "products": 20, "orders": 560, "order_items": 1303, "payments": 272, "campaigns": 5, "email_activity": 150, "web_sessions": 200},
	{"customers": 147, "products": 20, "orders": 615, "order_items": 1387, "payments": 316, "campaigns": 5, "email_activity": 200, "web_sessions": 250},
	{"customers": 175, "products": 20, "orders": 680, "order_items": 1502, "payments": 374, "campaigns": 5, "email_activity": 250, "web_sessions": 300},
}

func (e *env) checkContract(day int, shop, crm string) {
	e.t.Helper()
	s := e.status()
	if s.Day != day {
		e.t.Fatalf("status day %d, want %d", s.Day, day)
	}
	for table, want := range contract[day] {
		schema := shop
		if table == "campaigns" || table == "email_activity" || table == "web_sessions" {
			schema = crm
		}
		if got := s.Tables[schema+"."+table]; got != want {
			e.t.Errorf("day %d: %s.%s has %d rows, want %d", day, schema, table, got, want)
		}
	}
	if len(s.Tables) != 8 {
		e.t.Errorf("status lists %d tables, want 8", len(s.Tables))
	}
}

func TestFullCycle(t *testing.T) {
	e := newEnv(t)
	r := e.must("load-baseline")
	for _, want := range []string{"→ Creating jaffle_shop tables...", "✓ Loaded customers (100 rows)", "✓ Loaded web_sessions (150 rows)",
		"✓ Baseline load complete!", "═══ Demo Source Status ═══", "customers: 100 | products: 20 | orders: 500"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("load-baseline output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "\033[") {
		t.Error("colour codes written to a non-terminal")
	}
	e.checkContract(0, "jaffle_shop", "jaffle_crm")
	day0 := e.snapshot()
	for day := 1; day <= 3; day++ {
		r := e.must("apply-delta", "--day", string(rune('0'+day)))
		if !strings.Contains(r.stdout, "Applying Day 0"+string(rune('0'+day))+" delta changes...") || !strings.Contains(r.stdout, "status updates") {
			t.Errorf("apply-delta output:\n%s", r.stdout)
		}
		e.checkContract(day, "jaffle_shop", "jaffle_crm")
		if r := e.run("verify"); r.code != 0 || !strings.Contains(r.stdout, "Verified") {
			t.Fatalf("verify after day %d: exit %d\n%s%s", day, r.code, r.stdout, r.stderr)
		}
	}
	r = e.must("reset")
	if !strings.Contains(r.stdout, "Truncating jaffle_shop tables") {
		t.Errorf("reset output:\n%s", r.stdout)
	}
	if got := e.snapshot(); got != day0 {
		t.Errorf("reset did not return to the first Day 0:\n got %s\nwant %s", got, day0)
	}
}

func TestTwoRunsAreIdentical(t *testing.T) {
	a, b := newEnv(t), newEnv(t)
	for _, e := range []*env{a, b} {
		e.must("load-baseline")
		e.must("apply-delta", "1")
		e.must("apply-delta", "2")
	}
	if a.snapshot() != b.snapshot() {
		t.Fatal("two fresh runs differ")
	}
}

func TestAliasesAndCustomSchemas(t *testing.T) {
	e := newEnv(t)
	e.must("origin_load_baseline", "--shop-schema", "shop_db", "--crm-schema", "crm_db")
	e.must("origin_apply_delta", "--args", "{day: 1}", "--shop-schema", "shop_db", "--crm-schema", "crm_db")
	t.Setenv("ORIGINSIM_SHOP_SCHEMA", "shop_db")
	t.Setenv("ORIGINSIM_CRM_SCHEMA", "crm_db")
	e.checkContract(1, "shop_db", "crm_db")
	if r := e.run("origin_status"); r.code != 0 || !strings.Contains(r.stdout, "shop_db:") {
		t.Errorf("origin_status: %d %s", r.code, r.stdout)
	}
	// The default schemas hold nothing.
	unsetenv(t, "ORIGINSIM_SHOP_SCHEMA")
	unsetenv(t, "ORIGINSIM_CRM_SCHEMA")
	if r := e.run("status"); r.code != exitState || !strings.Contains(r.stderr, "run load-baseline first") {
		t.Errorf("status of empty default schemas: %d %s", r.code, r.stderr)
	}
}

func TestDefaultDatabaseFromEnvironment(t *testing.T) {
	e := newEnv(t)
	t.Setenv("ORIGINSIM_DB", "duckdb:"+e.path)
	if r := run(t, "load-baseline", "-q"); r.code != 0 || r.stdout != "" {
		t.Fatalf("quiet load-baseline: %d %q %s", r.code, r.stdout, r.stderr)
	}
	e.checkContract(0, "jaffle_shop", "jaffle_crm")
}

// Every bad input: a clear message, the documented exit code, nothing changed.
func TestBadInputChangesNothing(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline")
	e.must("apply-delta", "--day", "1")
	before := e.snapshot()
	cases := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"apply-delta"}, exitUsage, "which day?"},
		{[]string{"apply-delta", "--day", "0"}, exitUsage, "day 0"},
		{[]string{"apply-delta", "--day", "-1"}, exitUsage, "days run from 1"},
		{[]string{"apply-delta", "abc"}, exitUsage, "not a number"},
		{[]string{"apply-delta", "--day", "x"}, exitUsage, "invalid argument"},
		{[]string{"apply-delta", "--day", "1"}, exitState, "already applied"},
		{[]string{"apply-delta", "--day", "3"}, exitState, "run apply-delta --day 2 next"},
		{[]string{"apply-delta", "2", "--day", "3"}, exitUsage, "twice"},
		{[]string{"apply-delta", "--day", "99999"}, exitUsage, "days run from 1 to 3650"},
		{[]string{"load-baseline"}, exitState, "run reset"},
		{[]string{"load-baseline", "--scale", "0"}, exitUsage, "--scale 0"},
		{[]string{"load-baseline", "--scale", "-3"}, exitUsage, "--scale -3"},
		{[]string{"reset", "--scale", "1000000"}, exitUsage, "between 1 and 100000"},
		{[]string{"load-baseline", "--workers", "0"}, exitUsage, "--workers 0"},
		{[]string{"load-baseline", "--start-date", "2025-02-30"}, exitUsage, "YYYY-MM-DD"},
		{[]string{"reset", "--seed", "0"}, exitUsage, "seeds start at 1"},
		{[]string{"status", "extra"}, exitUsage, "takes no arguments"},
		{[]string{"bogus-command"}, exitUsage, "unknown command"},
		{[]string{"status", "--shop-schema", "x; drop table y"}, exitUsage, "invalid schema name"},
		{[]string{"status", "--shop-schema", strings.Repeat("s", 64)}, exitUsage, "at most 63"},
		{[]string{"status", "--shop-schema", "same", "--crm-schema", "same"}, exitUsage, "must differ"},
		{[]string{"status", "--crm-schema", "other_crm"}, exitState, "--crm-schema jaffle_crm"},
		{[]string{"load-baseline", "--enable-cdc"}, exitUsage, "--enable-cdc does not apply to duckdb"},
		{[]string{"reset", "--yes", "--change-tracking"}, exitUsage, "--change-tracking does not apply to duckdb"},
		{[]string{"status", "--separate-databases"}, exitUsage, "applies to SQL Server only"},
	}
	for _, c := range cases {
		r := e.run(c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.says) {
			t.Errorf("originsim %s: exit %d, want %d; stderr %q should say %q", strings.Join(c.args, " "), r.code, c.code, r.stderr, c.says)
		}
	}
	if after := e.snapshot(); after != before {
		t.Fatalf("bad input changed the database:\nbefore %s\nafter  %s", before, after)
	}
}

func TestBadURLs(t *testing.T) {
	cases := []struct {
		url  string
		code int
		says string
	}{
		{"oracle://scott:tiger@db:1521/orcl", exitUsage, "unknown scheme"},
		{"no-scheme-here", exitUsage, "invalid database URL"},
		{"duckdb:", exitUsage, "give a file"},
		{"duckdb:" + filepath.Join(t.TempDir(), "f") + "/x.duckdb?x=1", exitUsage, "unknown setting \"x\""},
	}
	for _, c := range cases {
		r := run(t, "status", "--db", c.url)
		if r.code != c.code || !strings.Contains(r.stderr, c.says) || strings.Contains(r.stderr, "tiger") {
			t.Errorf("--db %s: exit %d, want %d; stderr %q should say %q", c.url, r.code, c.code, r.stderr, c.says)
		}
	}
	// A file where the database folder should be: cannot open.
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := writeFile(blocker); err != nil {
		t.Fatal(err)
	}
	if r := run(t, "load-baseline", "--db", "duckdb:"+blocker+"/db.duckdb"); r.code != exitConnect {
		t.Errorf("unopenable path: exit %d, want %d: %s", r.code, exitConnect, r.stderr)
	}
}

func TestStatusAndVerifyNeedABaseline(t *testing.T) {
	e := newEnv(t)
	for _, cmd := range []string{"status", "verify", "apply-delta"} {
		args := []string{cmd}
		if cmd == "apply-delta" {
			args = append(args, "1")
		}
		if r := e.run(args...); r.code != exitState || !strings.Contains(r.stderr, "run load-baseline first") {
			t.Errorf("%s on an empty database: exit %d %q", cmd, r.code, r.stderr)
		}
	}
	r := e.run("status", "--json")
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v["error"] == nil || v["exit_code"].(float64) != exitState {
		t.Errorf("--json error: %q %v", r.stdout, err)
	}
}

func TestLoadBaselineTwiceIsANoOp(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline")
	before := e.snapshot()
	r := e.must("load-baseline")
	if !strings.Contains(r.stdout, "already at Day 0: nothing to do") {
		t.Errorf("second load-baseline: %s", r.stdout)
	}
	if e.snapshot() != before {
		t.Error("second load-baseline changed the data")
	}
	if r := e.run("load-baseline", "--seed", "7"); r.code != exitState || !strings.Contains(r.stderr, "run reset with the new options") {
		t.Errorf("load-baseline with other options at Day 0: %d %s", r.code, r.stderr)
	}
}

func TestResetWithNewOptions(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline")
	first := e.snapshot()
	e.must("reset", "--seed", "7", "--start-date", "2024-03-01")
	if e.snapshot() == first {
		t.Fatal("reset with a new seed gave the same data")
	}
	r := e.must("status")
	if !strings.Contains(r.stdout, "Day 0 (2024-03-01) · seed 7") {
		t.Errorf("status after reset: %s", r.stdout)
	}
	e.must("apply-delta", "1")
	if r := e.run("verify"); r.code != 0 {
		t.Errorf("verify after reset with a new seed: %s", r.stdout)
	}
}

func sqlDB(t *testing.T, path string) *sql.DB {
	c, err := duckdb.NewConnector(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	return db
}

func exec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	db := sqlDB(t, path)
	for _, s := range stmts {
		if _, err := db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	db.Close()
}

func TestVerifyNamesWhatDiffers(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline")
	exec(t, e.path,
		"UPDATE jaffle_shop.customers SET email = 'someone@else.test' WHERE customer_id = 7",
		"INSERT INTO jaffle_crm.campaigns VALUES (10001, 'Unexpected', DATE '2025-01-01', DATE '2024-12-01', 10, TIMESTAMP '2024-01-01', TIMESTAMP '2024-01-01', NULL)")
	r := e.run("verify")
	if r.code != exitFailure {
		t.Fatalf("verify of a changed database: exit %d\n%s", r.code, r.stdout)
	}
	for _, want := range []string{"jaffle_shop.customers differs", "~7", "jaffle_crm.campaigns differs", "+10001", "end_date >= start_date", "email is first.last"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("verify output lacks %q:\n%s", want, r.stdout)
		}
	}
	// Reset removes rows added by hand too (a key the generator does not
	// make here, outside the user's band 5000-9999: see TestUsersOwnRows).
	e.must("reset")
	if r := e.run("verify"); r.code != 0 {
		t.Errorf("verify after reset: %s", r.stdout)
	}
}

func TestForeignTablesAreNeverTouched(t *testing.T) {
	e := newEnv(t)
	exec(t, e.path, "CREATE SCHEMA jaffle_shop", "CREATE TABLE jaffle_shop.customers (id INTEGER, note VARCHAR)",
		"INSERT INTO jaffle_shop.customers VALUES (1, 'mine')")
	for _, cmd := range []string{"load-baseline", "reset"} {
		r := e.run(cmd)
		if r.code != exitState || !strings.Contains(r.stderr, "jaffle_shop.customers already exist without an originsim ledger") {
			t.Errorf("%s over a foreign table: exit %d %q", cmd, r.code, r.stderr)
		}
	}
	db := sqlDB(t, e.path)
	var note string
	var n int
	if err := db.QueryRow("SELECT count(*), max(note) FROM jaffle_shop.customers").Scan(&n, &note); err != nil || n != 1 || note != "mine" {
		t.Errorf("the foreign table changed: %d rows, %q, %v", n, note, err)
	}
}

func TestHelpTeaches(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"apply-delta", "--help"}, {"verify", "--help"}} {
		r := run(t, args...)
		if r.code != 0 || !strings.Contains(r.stdout, "Example") {
			t.Errorf("%v: %d\n%s", args, r.code, r.stdout)
		}
	}
	if r := run(t, "--version"); r.code != 0 || !strings.Contains(r.stdout, "ledger format") {
		t.Errorf("--version: %q", r.stdout)
	}
}

func writeFile(path string) error { return os.WriteFile(path, []byte("not a folder"), 0o644) }

// A day that fails half-way leaves nothing behind: the customers it had
// already written are rolled back with it, and the ledger stays put.
func TestFailedDayIsRolledBack(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline")
	e.must("apply-delta", "1")
	// A custom row that takes the id Day 2's first order needs: the orders
	// insert fails after the customers of Day 2 were written.
	exec(t, e.path, "INSERT INTO jaffle_shop.orders VALUES (561, 1, DATE '2025-01-02', 'pending', TIMESTAMP '2025-01-02 01:00:00', TIMESTAMP '2025-01-02 01:00:00', NULL)")
	r := e.run("apply-delta", "2")
	if r.code != exitFailure || !strings.Contains(r.stderr, "561") {
		t.Fatalf("apply-delta over a conflicting row: exit %d %q", r.code, r.stderr)
	}
	s := e.status()
	if s.Day != 1 || s.Tables["jaffle_shop.customers"] != 125 || s.Tables["jaffle_shop.orders"] != 561 || s.Tables["jaffle_shop.payments"] != 272 {
		t.Fatalf("a failed day left changes behind: %+v", s)
	}
	exec(t, e.path, "DELETE FROM jaffle_shop.orders WHERE order_id = 561")
	e.must("apply-delta", "2")
	if r := e.run("verify"); r.code != 0 {
		t.Fatalf("verify after the retried day: %s", r.stdout)
	}
}

// A server that accepts connections and never answers: --connect-timeout
// bounds the wait, the exit code says "cannot connect", the password stays
// hidden.
func TestConnectTimeoutFlag(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	for _, scheme := range []string{"postgres", "mysql", "sqlserver"} {
		start := time.Now()
		url := scheme + "://app:hunter2@" + l.Addr().String() + "/db"
		if scheme == "sqlserver" {
			url = scheme + "://app:hunter2@" + l.Addr().String() + "?database=db"
		}
		r := run(t, "status", "--connect-timeout", "1s", "--db", url)
		took := time.Since(start)
		if r.code != exitConnect || strings.Contains(r.stderr, "hunter2") || !strings.Contains(r.stderr, l.Addr().String()) {
			t.Errorf("%s: exit %d %q", scheme, r.code, r.stderr)
		}
		if took > 5*time.Second {
			t.Errorf("%s: took %s with --connect-timeout 1s", scheme, took)
		}
	}
	if got := withConnectTimeout("postgres://h/db?connect_timeout=3", time.Second); !strings.Contains(got, "connect_timeout=3") {
		t.Errorf("the URL's own connect_timeout was overridden: %s", got)
	}
}

func TestSeparateDatabasesFlag(t *testing.T) {
	got, err := withSeparateDatabases("sqlserver://sa:pw@127.0.0.1:1433?database=x")
	if err != nil || !strings.Contains(got, "separate_databases=true") || !strings.Contains(got, "database=x") {
		t.Errorf("sqlserver: %s %v", got, err)
	}
	if _, err := withSeparateDatabases("AzureSQL://h?database=x&fedauth=ActiveDirectoryDefault"); err != nil {
		t.Errorf("azuresql: %v", err)
	}
	for _, other := range []string{"mysql://root@127.0.0.1/", "postgres://h/db", "duckdb:x.duckdb"} {
		if _, err := withSeparateDatabases(other); err == nil || exitCode(err) != exitUsage {
			t.Errorf("%s: %v", other, err)
		}
	}
}

type nextOut struct {
	Day    int              `json:"day"`
	Tables map[string]int64 `json:"tables"`
	Next   map[string]int64 `json:"next"`
}

// status announces what the next day adds, and the day adds exactly that;
// --through plays every pending day, and the result verifies.
func TestThroughAndTheNextDayPlan(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline")
	next := func() nextOut {
		var s nextOut
		if err := json.Unmarshal([]byte(e.must("status", "--json").stdout), &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, through := range []string{"2", "9"} {
		before := next()
		e.must("apply-delta", "--through", through)
		after := next()
		if strconv.Itoa(after.Day) != through || after.Day == before.Day {
			t.Fatalf("--through %s: at day %d", through, after.Day)
		}
	}
	// One day at a time from 9: each adds what status announced.
	for range 3 {
		before := next()
		e.must("apply-delta", "--day", strconv.Itoa(before.Day+1))
		after := next()
		for _, table := range []string{"customers", "orders", "order_items", "payments"} {
			if got := after.Tables["jaffle_shop."+table] - before.Tables["jaffle_shop."+table]; got != before.Next[table] {
				t.Errorf("day %d added %d %s, status announced %d", after.Day, got, table, before.Next[table])
			}
		}
		for _, table := range []string{"email_activity", "web_sessions"} {
			if got := after.Tables["jaffle_crm."+table] - before.Tables["jaffle_crm."+table]; got != before.Next[table] {
				t.Errorf("day %d added %d %s, status announced %d", after.Day, got, table, before.Next[table])
			}
		}
	}
	if r := e.run("verify"); r.code != 0 {
		t.Fatalf("verify at day 12: %s", r.stdout)
	}
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"apply-delta", "--through", "5"}, exitState, "past day 5"},
		{[]string{"apply-delta", "--through", "13", "--day", "13"}, exitUsage, "give it alone"},
		{[]string{"apply-delta", "--through", "0"}, exitUsage, "days run from 1"},
	} {
		if r := e.run(c.args...); r.code != c.code || !strings.Contains(r.stderr, c.says) {
			t.Errorf("%v: exit %d %q", c.args, r.code, r.stderr)
		}
	}
	if r := e.must("apply-delta", "--through", "12"); !strings.Contains(r.stdout, "nothing to do") {
		t.Errorf("--through the current day: %s", r.stdout)
	}
}

func TestConfirm(t *testing.T) {
	for answer, want := range map[string]bool{"y\n": true, "YES\n": true, " yes \n": true, "n\n": false, "\n": false, "": false, "yep\n": false} {
		var out bytes.Buffer
		if got := confirm(strings.NewReader(answer), &out, "reset empties"); got != want || !strings.Contains(out.String(), "[y/N]") {
			t.Errorf("answer %q: %v, prompt %q", answer, got, out.String())
		}
	}
}

// A ledger written by a newer originsim is refused with both versions named,
// and nothing changes.
func TestNewerLedgerIsRefused(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline")
	exec(t, e.path, "UPDATE jaffle_shop.originsim_ledger SET data_version = 99, tool_version = '9.9.9'")
	for _, args := range [][]string{{"status"}, {"verify"}, {"apply-delta", "1"}, {"load-baseline"}, {"reset"}} {
		r := e.run(args...)
		if r.code != exitState || !strings.Contains(r.stderr, "originsim 9.9.9") || !strings.Contains(r.stderr, "data version 99") {
			t.Errorf("%v on a newer ledger: exit %d %q", args, r.code, r.stderr)
		}
	}
	db := sqlDB(t, e.path)
	var n int
	if err := db.QueryRow("SELECT count(*) FROM jaffle_shop.customers").Scan(&n); err != nil || n != 100 {
		t.Errorf("the data changed: %d customers, %v", n, err)
	}
}

// dbtPackageDDL makes the eight tables the way the original dbt package
// does (same names and columns, no keys, no ledger), with a row of its own.
var dbtPackageDDL = []string{
	"CREATE SCHEMA jaffle_shop", "CREATE SCHEMA jaffle_crm",
	"CREATE TABLE jaffle_shop.customers (customer_id INTEGER, first_name VARCHAR, last_name VARCHAR, email VARCHAR, created_at TIMESTAMP, updated_at TIMESTAMP, deleted_at TIMESTAMP)",
	"CREATE TABLE jaffle_shop.products (product_id INTEGER, name VARCHAR, category VARCHAR, price DECIMAL(10,2), created_at TIMESTAMP, updated_at TIMESTAMP, deleted_at TIMESTAMP)",
	"CREATE TABLE jaffle_shop.orders (order_id INTEGER, customer_id INTEGER, order_date DATE, status VARCHAR, created_at TIMESTAMP, updated_at TIMESTAMP, deleted_at TIMESTAMP)",
	"CREATE TABLE jaffle_shop.order_items (order_item_id INTEGER, order_id INTEGER, product_id INTEGER, quantity INTEGER, unit_price DECIMAL(10,2), created_at TIMESTAMP, updated_at TIMESTAMP, deleted_at TIMESTAMP)",
	"CREATE TABLE jaffle_shop.payments (payment_id INTEGER, order_id INTEGER, payment_method VARCHAR, amount DECIMAL(10,2), created_at TIMESTAMP, updated_at TIMESTAMP, deleted_at TIMESTAMP)",
	"CREATE TABLE jaffle_crm.campaigns (campaign_id INTEGER, campaign_name VARCHAR, start_date DATE, end_date DATE, budget DECIMAL(10,2), created_at TIMESTAMP, updated_at TIMESTAMP, deleted_at TIMESTAMP)",
	"CREATE TABLE jaffle_crm.email_activity (activity_id INTEGER, customer_id INTEGER, campaign_id INTEGER, sent_date TIMESTAMP, opened BOOLEAN, clicked BOOLEAN, created_at TIMESTAMP, updated_at TIMESTAMP, deleted_at TIMESTAMP)",
	"CREATE TABLE jaffle_crm.web_sessions (session_id INTEGER, customer_id INTEGER, session_start TIMESTAMP, session_end TIMESTAMP, page_views INTEGER, created_at TIMESTAMP, updated_at TIMESTAMP, deleted_at TIMESTAMP)",
	"INSERT INTO jaffle_shop.customers VALUES (5001, 'Custom', 'Row', 'c@example.com', now(), now(), NULL)",
}

func TestAdoptTheDbtPackagesTables(t *testing.T) {
	e := newEnv(t)
	exec(t, e.path, dbtPackageDDL...)
	if r := e.run("load-baseline"); r.code != exitState || !strings.Contains(r.stderr, "--adopt") {
		t.Fatalf("load-baseline over the dbt package's tables: exit %d %q", r.code, r.stderr)
	}
	r := e.must("load-baseline", "--adopt")
	if !strings.Contains(r.stdout, "Adopting the dbt package's tables") {
		t.Errorf("adopt output: %s", r.stdout)
	}
	e.checkContract(0, "jaffle_shop", "jaffle_crm")
	if r := e.run("verify"); r.code != 0 {
		t.Fatalf("verify after --adopt: %s", r.stdout)
	}
}

func TestAdoptRefusesOtherTables(t *testing.T) {
	e := newEnv(t)
	exec(t, e.path, append(dbtPackageDDL, "CREATE TABLE jaffle_crm.notes (id INTEGER)")...)
	if r := e.run("reset", "--adopt"); r.code != exitState || !strings.Contains(r.stderr, "jaffle_crm.notes") {
		t.Fatalf("--adopt with an extra table: exit %d %q", r.code, r.stderr)
	}
	e2 := newEnv(t)
	exec(t, e2.path, "CREATE SCHEMA jaffle_shop", "CREATE TABLE jaffle_shop.orders (order_id INTEGER, note VARCHAR)")
	if r := e2.run("load-baseline", "--adopt"); r.code != exitState || !strings.Contains(r.stderr, "not the dbt package's table") {
		t.Fatalf("--adopt of a table of another shape: exit %d %q", r.code, r.stderr)
	}
	// Nothing was touched in either.
	db := sqlDB(t, e.path)
	var n int
	if err := db.QueryRow("SELECT count(*) FROM jaffle_shop.customers WHERE customer_id = 5001").Scan(&n); err != nil || n != 1 {
		t.Errorf("the dbt package's row is gone: %d, %v", n, err)
	}
}

func TestAnyForeignTableInTheSchemasStopsALoad(t *testing.T) {
	e := newEnv(t)
	exec(t, e.path, "CREATE SCHEMA jaffle_crm", "CREATE TABLE jaffle_crm.my_notes (id INTEGER)", "INSERT INTO jaffle_crm.my_notes VALUES (1)")
	if r := e.run("load-baseline"); r.code != exitState || !strings.Contains(r.stderr, "jaffle_crm.my_notes already exist") {
		t.Fatalf("load-baseline next to a foreign table: exit %d %q", r.code, r.stderr)
	}
	if r := e.run("status"); r.code != exitState {
		t.Errorf("a refused load created something: %s", r.stdout)
	}
}

// A load that never committed its data, as MySQL can leave after a crash
// (tables and an empty ledger table), is redone rather than refused.
func TestEmptyLedgerIsALoadToRedo(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline")
	exec(t, e.path, "DELETE FROM jaffle_shop.originsim_ledger")
	r := e.must("load-baseline")
	if !strings.Contains(r.stdout, "a load that never finished") {
		t.Errorf("output: %s", r.stdout)
	}
	if r := e.run("verify"); r.code != 0 {
		t.Fatalf("verify: %s", r.stdout)
	}
}

// A disk that fills mid-load: a clear error, and nothing loaded.
func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	if out, err := osexec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (%v: %s): disk-full behaviour not exercised", err, out)
	}
	t.Cleanup(func() { _ = osexec.Command("umount", dir).Run() })
	path := filepath.Join(dir, "full.duckdb")
	r := run(t, "load-baseline", "--db", "duckdb:"+path, "--scale", "50")
	if r.code != exitFailure || !strings.Contains(r.stderr, "No space left on device") || strings.Contains(r.stdout, "Baseline load complete") {
		t.Fatalf("load on a full disk: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "status", "--db", "duckdb:"+path); r.code != exitState || !strings.Contains(r.stderr, "run load-baseline first") {
		t.Fatalf("after the failed load: exit %d %q", r.code, r.stderr)
	}
}

// A folder that cannot be written, and a database file that cannot be
// changed (immutable, which even root cannot write): clear errors, nothing
// changed.
func TestReadOnlyPlaces(t *testing.T) {
	if r := run(t, "load-baseline", "--db", "duckdb:/proc/originsim-test/x.duckdb"); r.code != exitConnect || !strings.Contains(r.stderr, "create folder") {
		t.Errorf("read-only folder: exit %d %q", r.code, r.stderr)
	}
	e := newEnv(t)
	e.must("load-baseline")
	before := e.snapshot()
	if out, err := osexec.Command("chattr", "+i", e.path).CombinedOutput(); err != nil {
		t.Skipf("chattr +i is not available here (%v: %s)", err, out)
	}
	t.Cleanup(func() { _ = osexec.Command("chattr", "-i", e.path).Run() })
	r := e.run("apply-delta", "1")
	if r.code == 0 || !strings.Contains(r.stderr, "ermi") && !strings.Contains(r.stderr, "not permitted") {
		t.Errorf("apply-delta on an immutable file: exit %d %q", r.code, r.stderr)
	}
	_ = osexec.Command("chattr", "-i", e.path).Run()
	if e.snapshot() != before {
		t.Error("the immutable database changed")
	}
}

// A ledger of format 1 (before deletes were recorded) reads as soft
// deletes, and the next day adds the column in its own transaction.
func TestLedgerFormat1IsUpgraded(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline")
	exec(t, e.path, "ALTER TABLE jaffle_shop.originsim_ledger DROP COLUMN deletes")
	if r := e.run("status", "--json"); r.code != 0 || !strings.Contains(r.stdout, `"deletes": "soft"`) {
		t.Fatalf("status on a format 1 ledger: %d %s %s", r.code, r.stdout, r.stderr)
	}
	e.must("apply-delta", "1")
	e.must("verify")
	db := sqlDB(t, e.path)
	var n int
	if err := db.QueryRow("SELECT count(*) FROM jaffle_shop.originsim_ledger WHERE deletes = 'soft'").Scan(&n); err != nil || n != 1 {
		t.Errorf("after the upgrade: %d rows with deletes soft, %v", n, err)
	}
}

// --deletes takes soft or hard; DuckDB refuses hard with the reason, and
// nothing is made.
func TestDeletesOption(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"load-baseline", "--deletes", "sometimes"}, "use soft or hard"},
		{[]string{"load-baseline", "--deletes", "hard"}, "does not apply to DuckDB"},
	} {
		r := e.run(c.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d %q", c.args, r.code, r.stderr)
		}
	}
	if r := e.run("status"); r.code != exitState {
		t.Errorf("after the refusals: status exit %d, want %d (nothing loaded)", r.code, exitState)
	}
	e.must("load-baseline", "--deletes", "soft")
	if r := e.run("reset", "--yes", "--deletes", "hard"); r.code != exitUsage {
		t.Errorf("reset --deletes hard on DuckDB: exit %d", r.code)
	}
	e.checkContract(0, "jaffle_shop", "jaffle_crm")
}
