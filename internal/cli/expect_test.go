package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
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
		{[]string{"expect", "--day", "1", "--out", never, "--hard-deletes", "invalidate"}, "--hard-deletes applies to --layout scd2"},
		{[]string{"expect", "--day", "1", "--out", never, "--layout", "scd2", "--strategy", "cols"}, `--strategy "cols"`},
		{[]string{"expect", "--day", "1", "--out", never, "--layout", "scd2", "--snapshot-days", "0-2"}, "snapshot day 2: the snapshots must run after days 0 to 1"},
		{[]string{"expect", "--day", "1", "--out", never, "--layout", "scd2", "--deleted-column", "gone"}, "--deleted-column names the deletion flag beside --valid-from-column"},
		{[]string{"expect", "--day", "1", "--out", never, "--layout", "scd2", "--valid-from-column", "email", "--valid-to-column", "valid_to"}, "column email: customers has a column of that name"},
		{[]string{"expect", "--day", "1", "--out", never, "--layout", "scd2", "--valid-from-column", "vf", "--valid-to-column", "VF"}, "column VF named twice"},
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

// expect --layout scd2 writes the snapshot tables check --layout scd2
// passes; checked for another delete mode they differ, and a version
// re-opened by hand is named with its rule, in the text report and in
// --json.
func TestExpectSCD2IsWhatCheckPasses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "snap")
	gen := []string{"--day", "3", "--deletes", "hard", "--layout", "scd2"}
	if r := run(t, append([]string{"expect", "--out", dir, "--hard-deletes", "new_record", "--snapshot-days", "0-1,3"}, gen...)...); r.code != 0 {
		t.Fatalf("expect --layout scd2: exit %d\n%s", r.code, r.stderr)
	}
	head, err := os.ReadFile(filepath.Join(dir, "customers.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if first, _, _ := strings.Cut(string(head), "\n"); !strings.HasSuffix(first, ",deleted_at,dbt_scd_id,dbt_updated_at,dbt_valid_from,dbt_valid_to,dbt_is_deleted") {
		t.Fatalf("customers.csv has not dbt's columns: %s", first)
	}
	check := append([]string{"check", "--replica", dir}, gen...)
	if r := run(t, append(check, "--hard-deletes", "new_record", "--snapshot-days", "0-1,3")...); r.code != 0 {
		t.Fatalf("check of expect's snapshots: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := run(t, append(check, "--hard-deletes", "new_record")...)
	if r.code != exitFailure || !strings.Contains(r.stdout, "only the snapshot after day 2 could see") || !strings.Contains(r.stdout, "snapshots after days 0-3, timestamp strategy") {
		t.Fatalf("snapshots after days 0, 1 and 3 checked as every day's: exit %d\n%s", r.code, r.stdout)
	}

	// Re-open the first closed version of a customer.
	path := filepath.Join(dir, "customers.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	to := slices.Index(rows[0], "dbt_valid_to")
	key := ""
	for _, row := range rows[1:] {
		if row[to] != "" && row[slices.Index(rows[0], "dbt_is_deleted")] == "False" {
			row[to], key = "", row[0]
			break
		}
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append(check, "--hard-deletes", "new_record", "--snapshot-days", "0-1,3", "--tables", "customers")
	r = run(t, args...)
	if r.code != exitFailure || !strings.Contains(r.stdout, "✗ a key has several open versions: 1 key: "+key) || !strings.Contains(r.stdout, "customers: key "+key+" has versions whose ranges overlap") {
		t.Fatalf("customer %s re-opened: exit %d\n%s", key, r.code, r.stdout)
	}
	r = run(t, append(args, "--json")...)
	var out struct {
		Snapshot struct {
			Days        []int  `json:"days"`
			HardDeletes string `json:"hard_deletes"`
		} `json:"snapshot"`
		Tables []struct {
			Violations []struct {
				ID   string  `json:"id"`
				Keys []int64 `json:"keys"`
			} `json:"violations"`
		} `json:"tables"`
		Diagnosis []string `json:"diagnosis"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || r.code != exitFailure {
		t.Fatalf("check --json: exit %d, %v\n%s", r.code, err, r.stdout)
	}
	ids := []string{}
	for _, v := range out.Tables[0].Violations {
		ids = append(ids, v.ID)
	}
	if !slices.Equal(out.Snapshot.Days, []int{0, 1, 3}) || out.Snapshot.HardDeletes != "new_record" || !slices.Contains(ids, "several_open") || len(out.Diagnosis) == 0 {
		t.Fatalf("check --json of a re-opened version: %s", r.stdout)
	}
}
