package cli

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestSQLBadInput(t *testing.T) {
	newEnv(t)
	for _, args := range [][]string{
		{"sql", "--day", "1"},
		{"sql", "--dialect", "oracle", "--day", "1"},
		{"sql", "--dialect", "postgres"},
		{"sql", "--dialect", "postgres", "--day", "-1"},
		{"sql", "--dialect", "postgres", "--day", "3651"},
		{"sql", "--dialect", "postgres", "--day", "x"},
		{"sql", "--dialect", "postgres", "--day", "1", "--shop-schema", `x"; DROP SCHEMA y; --`},
		{"sql", "--dialect", "mysql", "--day", "1", "--crm-schema", "jaffle_shop"},
		{"sql", "--dialect", "duckdb", "--day", "0", "--seed", "0"},
		{"sql", "--dialect", "duckdb", "--day", "0", "--scale", "0"},
		{"sql", "--dialect", "duckdb", "--day", "0", "--start-date", "01/02/2025"},
		{"sql", "--dialect", "duckdb", "--day", "0", "extra"},
	} {
		r := run(t, args...)
		if r.code != exitUsage || r.stdout != "" || !strings.HasPrefix(r.stderr, "originsim: ") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2 with only a message", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := run(t, "sql", "--dialect", "oracle", "--day", "1"); !strings.Contains(r.stderr, "duckdb, mariadb, mysql, postgres") {
		t.Errorf("an unknown dialect does not list the known ones: %q", r.stderr)
	}
}

// The same flags give the same bytes, on standard output or in a file,
// and the flags change what they should.
func TestSQLIsDeterministic(t *testing.T) {
	newEnv(t)
	args := []string{"sql", "--dialect", "postgres", "--day", "2", "--seed", "7", "--shop-schema", "shop_db", "--crm-schema", "crm_db"}
	a, b := run(t, args...), run(t, args...)
	if a.code != 0 || a.stdout == "" || a.stdout != b.stdout {
		t.Fatalf("two runs differ or fail: exit %d, %d bytes and %d bytes\n%s", a.code, len(a.stdout), len(b.stdout), a.stderr)
	}
	for _, want := range []string{"postgres script", "Day 2", "seed 7,", `INSERT INTO "shop_db"."orders"`, `UPDATE "shop_db"."orders"`, `INSERT INTO "crm_db"."web_sessions"`, "\nCOMMIT;\n"} {
		if !strings.Contains(a.stdout, want) {
			t.Errorf("the script has no %q", want)
		}
	}
	out := filepath.Join(t.TempDir(), "day2.sql")
	if r := run(t, append(args, "--out", out)...); r.code != 0 || r.stdout != "" {
		t.Fatalf("--out: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if got, err := os.ReadFile(out); err != nil || string(got) != a.stdout {
		t.Errorf("--out wrote %d bytes (%v), standard output had %d", len(got), err, len(a.stdout))
	}
	if r := run(t, append(args[:len(args)-4], "--seed", "8")...); r.stdout == a.stdout {
		t.Error("--seed does not change the script")
	}
}

// The scripts made by the command, run on a DuckDB file, leave what
// load-baseline and apply-delta leave, and apply-delta continues after them.
func TestSQLScriptsContinueWithApplyDelta(t *testing.T) {
	e := newEnv(t)
	direct := newEnv(t)
	for day := 0; day <= 1; day++ {
		r := e.must("sql", "--dialect", "duckdb", "--day", strconv.Itoa(day), "--shop-schema", "shop_db", "--crm-schema", "crm_db")
		db := sqlDB(t, ensureDir(t, e.path))
		if _, err := db.ExecContext(context.Background(), r.stdout); err != nil {
			t.Fatalf("day %d script: %v", day, err)
		}
		db.Close()
	}
	e.must("--shop-schema", "shop_db", "--crm-schema", "crm_db", "apply-delta", "--day", "2")
	direct.must("--shop-schema", "shop_db", "--crm-schema", "crm_db", "load-baseline")
	direct.must("--shop-schema", "shop_db", "--crm-schema", "crm_db", "apply-delta", "--through", "2")
	got := e.must("--shop-schema", "shop_db", "--crm-schema", "crm_db", "verify", "--json").stdout
	want := direct.must("--shop-schema", "shop_db", "--crm-schema", "crm_db", "verify", "--json").stdout
	if got != want {
		t.Errorf("scripts then apply-delta verify as\n%s\nthe direct path as\n%s", got, want)
	}
}

func ensureDir(t *testing.T, path string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

// sql --enable-cdc and --change-tracking append the capture set-up where
// the dialect has one, and are refused (exit 2, nothing written) where it
// has not.
func TestSQLCapture(t *testing.T) {
	r := run(t, "sql", "--dialect", "postgres", "--day", "0", "--enable-cdc")
	if r.code != 0 || !strings.Contains(r.stdout, `REPLICA IDENTITY FULL`) || !strings.Contains(r.stdout, `CREATE PUBLICATION "originsim_jaffle_shop" FOR TABLE`) {
		t.Fatalf("postgres --enable-cdc: %d %.200s", r.code, r.stderr)
	}
	if r := run(t, "sql", "--dialect", "sqlserver", "--day", "1", "--change-tracking"); r.code != 0 || !strings.Contains(r.stdout, "ENABLE CHANGE_TRACKING") {
		t.Fatalf("sqlserver --change-tracking: %d %s", r.code, r.stderr)
	}
	for _, c := range [][]string{{"duckdb", "--enable-cdc"}, {"mysql", "--enable-cdc"}, {"postgres", "--change-tracking"}} {
		r := run(t, "sql", "--dialect", c[0], "--day", "0", c[1])
		if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, c[1]+" does not apply to "+c[0]) {
			t.Errorf("%v: exit %d %q %.80q", c, r.code, r.stderr, r.stdout)
		}
	}
}
