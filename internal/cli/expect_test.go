package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// expect --layout mirror writes export --day's files, byte for byte, in
// every format, and the same report; no database is opened.
func TestExpectWritesTheMirrorOfTheDay(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	for _, f := range []string{"csv", "jsonl", "parquet"} {
		var got, want exportOut
		r := e.must("expect", "--json", "--day", "2", "--layout", "mirror", "--format", f, "--out", filepath.Join(dir, "expect-"+f),
			"--seed", "7", "--shop-schema", "shop_db")
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("expect --json: %v\n%s", err, r.stdout)
		}
		want = e.export("--day", "2", "--format", f, "--out", filepath.Join(dir, "export-"+f), "--seed", "7", "--shop-schema", "shop_db")
		if got.Day != 2 || got.Source != "generator" || len(got.Tables) != 8 {
			t.Fatalf("%s: expect reports day %d from %q, %d tables:\n%s", f, got.Day, got.Source, len(got.Tables), r.stdout)
		}
		for i, tb := range want.Tables {
			g := got.Tables[i]
			if g.Table != tb.Table || g.Rows != tb.Rows || g.Fingerprint != tb.Fingerprint || filepath.Base(g.File) != filepath.Base(tb.File) {
				t.Errorf("%s: expect wrote %s %s (%d rows, %s), export %s %s (%d rows, %s)", f,
					g.Table, filepath.Base(g.File), g.Rows, g.Fingerprint, tb.Table, filepath.Base(tb.File), tb.Rows, tb.Fingerprint)
			}
			a, errA := os.ReadFile(g.File)
			b, errB := os.ReadFile(tb.File)
			if errA != nil || errB != nil || len(a) == 0 || !bytes.Equal(a, b) {
				t.Errorf("%s: %s differs from export --day's (%v %v)", f, filepath.Base(g.File), errA, errB)
			}
		}
		if !strings.HasPrefix(got.Tables[0].Table, "shop_db.") {
			t.Errorf("%s: --shop-schema not taken: %s", f, got.Tables[0].Table)
		}
	}
	if _, err := os.Stat(filepath.Dir(e.path)); !os.IsNotExist(err) {
		t.Errorf("expect opened the database: %v", err)
	}
	r := e.must("expect", "--day", "1", "--out", filepath.Join(dir, "text"))
	if !strings.Contains(r.stdout, "✓ Wrote customers.csv (125 rows)") || !strings.Contains(r.stdout, "✓ Exported 8 tables") {
		t.Errorf("expect's output:\n%s", r.stdout)
	}
}

// Files of the same names are kept unless --force.
func TestExpectKeepsFilesUnlessForce(t *testing.T) {
	e := newEnv(t)
	out := filepath.Join(t.TempDir(), "expected")
	e.must("expect", "--day", "0", "--out", out)
	before, err := os.ReadFile(filepath.Join(out, "orders.csv"))
	if err != nil {
		t.Fatal(err)
	}
	r := e.run("expect", "--day", "3", "--out", out)
	if r.code != exitState || !strings.Contains(r.stderr, "orders.csv") || !strings.Contains(r.stderr, "--force") {
		t.Errorf("expect over existing files: exit %d %q; want %d naming a file and --force", r.code, r.stderr, exitState)
	}
	if after, _ := os.ReadFile(filepath.Join(out, "orders.csv")); !bytes.Equal(before, after) {
		t.Error("a refused expect changed a file")
	}
	e.must("expect", "--day", "3", "--out", out, "--force")
	if after, _ := os.ReadFile(filepath.Join(out, "orders.csv")); bytes.Equal(before, after) {
		t.Error("--force did not replace the files")
	}
}

// Bad input is a usage error, and writes nothing.
func TestExpectBadInput(t *testing.T) {
	e := newEnv(t)
	never := filepath.Join(t.TempDir(), "never")
	cases := []struct {
		args []string
		msg  string
	}{
		{[]string{"expect", "--out", never}, "--day: give the day"},
		{[]string{"expect", "--day", "-1", "--out", never}, "day -1"},
		{[]string{"expect", "--day", "99999", "--out", never}, "day 99999"},
		{[]string{"expect", "--day", "1", "--out", never, "--layout", "history", "--granularity", "hour"}, `--granularity "hour": use change or day`},
		{[]string{"expect", "--day", "1", "--out", never, "--granularity", "day"}, "--granularity applies to --layout history"},
		{[]string{"expect", "--day", "1", "--out", never, "--layout", "star"}, `--layout "star": the layouts are mirror`},
		{[]string{"expect", "--day", "1", "--out", never, "--format", "xlsx"}, `format "xlsx": use csv, parquet or jsonl`},
		{[]string{"expect", "--day", "1"}, "--out: give the folder"},
		{[]string{"expect", "--day", "1", "--out", never, "--scale", "0"}, "--scale 0"},
		{[]string{"expect", "--day", "1", "--out", never, "--shop-schema", "pg_x"}, "is a system schema"},
		{[]string{"expect", "--day", "1", "--out", never, "extra"}, "takes no arguments"},
	}
	for _, c := range cases {
		r := e.run(c.args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.msg) {
			t.Errorf("%v: exit %d %q; want exit %d saying %q", c.args, r.code, r.stderr, exitUsage, c.msg)
		}
		r = e.run(append(c.args, "--json")...)
		oneJSONError(t, strings.Join(c.args, " ")+" --json", r)
	}
	if _, err := os.Stat(never); !os.IsNotExist(err) {
		t.Errorf("a refused expect made its folder: %v", err)
	}
	if r := run(t, "expect", "--help"); r.code != 0 || !strings.Contains(r.stdout, "Examples:") || !strings.Contains(r.stdout, "originsim expect --day 3") {
		t.Errorf("expect --help: %d\n%s", r.code, r.stdout)
	}
}

// expect --layout history writes the versions check --layout history
// passes, at both granularities.
func TestExpectHistoryIsWhatCheckPasses(t *testing.T) {
	e := newEnv(t)
	for _, g := range []string{"change", "day"} {
		dir := filepath.Join(t.TempDir(), g)
		e.must("expect", "--day", "2", "--layout", "history", "--granularity", g, "--format", "parquet", "--out", dir)
		if r := run(t, "check", "--replica", dir, "--day", "2", "--layout", "history", "--granularity", g); r.code != 0 {
			t.Fatalf("%s: check of expect's history: exit %d\n%s%s", g, r.code, r.stdout, r.stderr)
		}
		if r := run(t, "check", "--replica", dir, "--day", "3", "--layout", "history", "--granularity", g); r.code != exitFailure {
			t.Fatalf("%s: day 2's history against day 3: exit %d", g, r.code)
		}
	}
}
