package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type exportOut struct {
	Source string `json:"source"`
	Day    int    `json:"day"`
	Tables []struct {
		Table       string `json:"table"`
		File        string `json:"file"`
		Rows        int64  `json:"rows"`
		Fingerprint string `json:"fingerprint"`
	} `json:"tables"`
}

func (e *env) export(args ...string) exportOut {
	e.t.Helper()
	var v exportOut
	r := e.must(append([]string{"export", "--json"}, args...)...)
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		e.t.Fatalf("export --json: %v\n%s", err, r.stdout)
	}
	if len(v.Tables) != 8 {
		e.t.Fatalf("export --json lists %d tables:\n%s", len(v.Tables), r.stdout)
	}
	return v
}

// The files of a database export carry verify's fingerprints, and the
// generator's day 3 is the same bytes.
func TestExportCommand(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline")
	e.must("apply-delta", "--through", "3")
	var v verifyOut
	if err := json.Unmarshal([]byte(e.must("verify", "--json").stdout), &v); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range []string{"csv", "jsonl", "parquet"} {
		db := e.export("--format", f, "--out", filepath.Join(dir, "db-"+f))
		gen := e.export("--format", f, "--out", filepath.Join(dir, "gen-"+f), "--day", "3")
		if db.Source != "database" || gen.Source != "generator" || db.Day != 3 || gen.Day != 3 {
			t.Errorf("%s: sources %q %q, days %d %d", f, db.Source, gen.Source, db.Day, gen.Day)
		}
		for i, tb := range v.Tables {
			if db.Tables[i].Table != tb.Table || db.Tables[i].Fingerprint != tb.Fingerprint || gen.Tables[i].Fingerprint != tb.Fingerprint {
				t.Errorf("%s %s: fingerprints %s (database) %s (generator), verify %s", f, tb.Table, db.Tables[i].Fingerprint, gen.Tables[i].Fingerprint, tb.Fingerprint)
			}
			if !strings.HasSuffix(db.Tables[i].File, "."+f) {
				t.Errorf("file %s", db.Tables[i].File)
			}
			if f == "parquet" {
				continue
			}
			a, _ := os.ReadFile(db.Tables[i].File)
			b, _ := os.ReadFile(gen.Tables[i].File)
			if len(a) == 0 || !bytes.Equal(a, b) {
				t.Errorf("%s: the database's and the generator's files differ", filepath.Base(gen.Tables[i].File))
			}
		}
	}
	r := e.must("export", "--out", filepath.Join(dir, "text"))
	for _, want := range []string{"Exporting day 3 (2025-01-04) from the database as csv", "✓ Wrote customers.csv (175 rows)", "✓ Exported 8 tables"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("export output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := e.must("export", "-q", "--out", filepath.Join(dir, "quiet")); r.stdout != "" {
		t.Errorf("export -q printed %q", r.stdout)
	}
	parts := e.export("--out", filepath.Join(dir, "parts"), "--day", "3", "--shard", "2/3")
	if base := filepath.Base(parts.Tables[0].File); base != "customers.part-2-of-3.csv" || parts.Tables[0].Rows != 175*2/3-175/3 {
		t.Errorf("shard 2/3 of customers: %s, %d rows", base, parts.Tables[0].Rows)
	}
}

func TestExportErrors(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	never := filepath.Join(dir, "never")
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"export"}, exitUsage, "--out: give the folder"},
		{[]string{"export", "--out", never, "--format", "xlsx"}, exitUsage, `format "xlsx": use csv, parquet or jsonl`},
		{[]string{"export", "--out", never, "--shard", "1/2"}, exitUsage, "--shard applies to the generator: give --day N"},
		{[]string{"export", "--out", never, "--seed", "7"}, exitUsage, "--seed applies to the generator"},
		{[]string{"export", "--out", never, "--day", "3", "--shard", "5/4"}, exitUsage, "1 <= i <= n"},
		{[]string{"export", "--out", never, "--day", "-1"}, exitUsage, "day -1"},
		{[]string{"export", "--out", never, "--day", "1", "--scale", "0"}, exitUsage, "--scale 0"},
		{[]string{"export", "--out", never}, exitState, "run load-baseline first"},
	}
	for _, c := range cases {
		r := e.run(c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.msg) {
			t.Errorf("%v: exit %d %q, want exit %d and %q", c.args, r.code, r.stderr, c.code, c.msg)
		}
	}
	if _, err := os.Stat(never); !os.IsNotExist(err) {
		t.Errorf("a refused export made its folder: %v", err)
	}

	out := filepath.Join(dir, "out")
	e.must("export", "--out", out, "--day", "0")
	before, _ := os.ReadFile(filepath.Join(out, "orders.csv"))
	r := e.run("export", "--out", out, "--day", "3")
	if r.code != exitState || !strings.Contains(r.stderr, "orders.csv") || !strings.Contains(r.stderr, "--force") {
		t.Errorf("existing files: exit %d %q", r.code, r.stderr)
	}
	if after, _ := os.ReadFile(filepath.Join(out, "orders.csv")); !bytes.Equal(before, after) {
		t.Error("a refused export changed a file")
	}
	e.must("export", "--out", out, "--day", "3", "--force")
	if after, _ := os.ReadFile(filepath.Join(out, "orders.csv")); bytes.Equal(before, after) {
		t.Error("--force did not replace the files")
	}
	r = e.run("export", "--json", "--out", out, "--day", "3")
	var v map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil || v["exit_code"] != float64(exitState) {
		t.Errorf("--json error: %q %v", r.stdout, err)
	}
	if r := run(t, "export", "--help"); r.code != 0 || !strings.Contains(r.stdout, "originsim export --format parquet") {
		t.Errorf("export --help: %d\n%s", r.code, r.stdout)
	}
}
