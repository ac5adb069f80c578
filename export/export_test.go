package export_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/driver/duckdb"
	"github.com/originsim/originsim/export"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/simtest"
	"github.com/originsim/originsim/model"

	_ "github.com/originsim/originsim/driver/all"
)

// atDay3 loads Day 0 and plays days 1-3 into sim, and returns what verify
// says of it.
func atDay3(t *testing.T, sim *originsim.Simulator) *originsim.Report {
	t.Helper()
	ctx := context.Background()
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	for day := 1; day <= 3; day++ {
		if _, err := sim.ApplyDelta(ctx, day); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := sim.Verify(ctx)
	if err != nil || !rep.OK {
		t.Fatalf("verify at day 3: %v %+v", err, rep)
	}
	return rep
}

var (
	day3Once sync.Once
	day3Path string
	day3Err  error
)

// day3DuckDB opens a DuckDB file at day 3, made once for the package's
// tests and removed by TestMain.
func day3DuckDB(t *testing.T) (*originsim.Simulator, *originsim.Report) {
	t.Helper()
	day3Once.Do(func() {
		dir, err := os.MkdirTemp("", "originsim-export")
		if err != nil {
			day3Err = err
			return
		}
		day3Path = filepath.Join(dir, "day3.duckdb")
	})
	if day3Err != nil {
		t.Fatal(day3Err)
	}
	ctx := context.Background()
	sim, err := originsim.Open(ctx, "duckdb:"+day3Path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	rep, err := sim.Verify(ctx)
	if errors.Is(err, originsim.ErrNotLoaded) {
		return sim, atDay3(t, sim)
	}
	if err != nil || !rep.OK {
		t.Fatalf("verify: %v", err)
	}
	return sim, rep
}

func TestMain(m *testing.M) {
	code := m.Run()
	if day3Path != "" {
		os.RemoveAll(filepath.Dir(day3Path))
	}
	os.Exit(code)
}

// readBack reads an exported file with DuckDB (read_csv, read_json or
// read_parquet) and returns the fingerprint and row count of its rows, in
// file order.
func readBack(t *testing.T, path string, tb *model.Table, f export.Format) (string, int64) {
	t.Helper()
	d := duckdb.Dialect
	var cols []string
	for _, c := range tb.Columns {
		cols = append(cols, fmt.Sprintf("%s: %s", d.String(c.Name), d.String(d.ColumnType(c))))
	}
	columns := "{" + strings.Join(cols, ", ") + "}"
	src := map[export.Format]string{
		export.CSV:     fmt.Sprintf("read_csv(%s, header = true, allow_quoted_nulls = false, columns = %s)", d.String(path), columns),
		export.JSONL:   fmt.Sprintf("read_json(%s, format = 'newline_delimited', columns = %s)", d.String(path), columns),
		export.Parquet: fmt.Sprintf("read_parquet(%s)", d.String(path)),
	}[f]
	// The file order must be the key order: no ORDER BY here.
	q := strings.Replace(d.Select("main", tb), fmt.Sprintf(`FROM "main".%s ORDER BY %s`, d.Quote(tb.Name), d.Quote(tb.Key())), "FROM "+src, 1)
	h := model.NewHasher(tb)
	inMemory(t, func(ctx context.Context, tx driver.Tx) error {
		return tx.Query(ctx, q, driver.Kinds(tb), func(row []any) error { h.Add(row); return nil })
	})
	return h.Sum(), h.Rows()
}

// inMemory runs fn in a transaction of a new in-memory DuckDB.
func inMemory(t *testing.T, fn func(ctx context.Context, tx driver.Tx) error) {
	t.Helper()
	ctx := context.Background()
	tg, err := driver.Open(ctx, "duckdb::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	if err := driver.InTx(ctx, tg, func(tx driver.Tx) error { return fn(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
}

// checkFiles compares every exported file with verify's fingerprints.
func checkFiles(t *testing.T, rep *export.Report, want *originsim.Report) {
	t.Helper()
	if len(rep.Tables) != model.NumTables {
		t.Fatalf("%d files, want %d", len(rep.Tables), model.NumTables)
	}
	for i, tb := range model.Tables() {
		got, w := rep.Tables[i], want.Tables[i]
		if got.Table != w.Table || got.Fingerprint != w.Fingerprint || got.Rows != int64(w.Rows) {
			t.Errorf("%s: report says %s %d rows %s, verify %s %d rows %s", tb.Name, got.Table, got.Rows, got.Fingerprint, w.Table, w.Rows, w.Fingerprint)
		}
		fp, n := readBack(t, got.File, tb, rep.Format)
		if fp != w.Fingerprint || n != int64(w.Rows) {
			t.Errorf("%s read back: %d rows %s, verify %d rows %s", got.File, n, fp, w.Rows, w.Fingerprint)
		}
	}
}

func TestExportMatchesDatabase(t *testing.T) {
	sim, want := day3DuckDB(t)
	for _, f := range export.Formats {
		t.Run(string(f), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			rep, err := export.Database(context.Background(), sim, export.Options{Format: f, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Source != "database" || rep.Day != 3 || rep.Date != "2025-01-04" {
				t.Errorf("report: %+v", rep)
			}
			checkFiles(t, rep, want)
			entries, _ := os.ReadDir(dir)
			if len(entries) != model.NumTables {
				t.Errorf("the folder holds %d entries, want only the %d files", len(entries), model.NumTables)
			}
		})
	}
}

func TestParquetKeepsTypes(t *testing.T) {
	rep, err := export.Day(context.Background(), gen.Default(), 3, export.Options{Format: export.Parquet, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	sim, _ := day3DuckDB(t)
	fromDB, err := export.Database(context.Background(), sim, export.Options{Format: export.Parquet, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*export.Report{rep, fromDB} {
		for i, tb := range model.Tables() {
			var types []string
			q := "SELECT column_type FROM (DESCRIBE SELECT * FROM read_parquet(" + duckdb.Dialect.String(r.Tables[i].File) + "))"
			inMemory(t, func(ctx context.Context, tx driver.Tx) error {
				return tx.Query(ctx, q, []model.Kind{model.Text}, func(v []any) error { types = append(types, v[0].(string)); return nil })
			})
			var want []string
			for _, c := range tb.Columns {
				want = append(want, c.Kind.String())
			}
			if strings.Join(types, ",") != strings.Join(want, ",") {
				t.Errorf("%s (%s): types %v, want %v", tb.Name, r.Source, types, want)
			}
		}
	}
}

// The generator writes the same bytes as DuckDB's COPY from a database at
// the same day (CSV, JSON lines), and the same content in Parquet.
func TestExportDayMatchesDatabase(t *testing.T) {
	sim, want := day3DuckDB(t)
	ctx := context.Background()
	for _, f := range export.Formats {
		t.Run(string(f), func(t *testing.T) {
			db, err := export.Database(ctx, sim, export.Options{Format: f, Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			g, err := export.Day(ctx, gen.Default(), 3, export.Options{Format: f, Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if g.Source != "generator" || g.Day != 3 {
				t.Errorf("report: %+v", g)
			}
			checkFiles(t, g, want)
			if f == export.Parquet {
				return
			}
			for i := range db.Tables {
				a, _ := os.ReadFile(db.Tables[i].File)
				b, _ := os.ReadFile(g.Tables[i].File)
				if len(a) == 0 || !bytes.Equal(a, b) {
					t.Errorf("%s: %d bytes from the database, %d from the generator, not the same", filepath.Base(g.Tables[i].File), len(a), len(b))
				}
			}
		})
	}
}

// Shards are contiguous parts: in order, they are the whole file.
func TestExportShards(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	whole, err := export.Day(ctx, gen.Default(), 3, export.Options{Format: export.CSV, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	var parts [n]*export.Report
	for i := range n {
		sh := export.Shard{Index: i + 1, Count: n}
		if parts[i], err = export.Day(ctx, gen.Default(), 3, export.Options{Format: export.CSV, Dir: dir, Shard: sh}); err != nil {
			t.Fatal(err)
		}
	}
	for ti, tb := range model.Tables() {
		want, _ := os.ReadFile(whole.Tables[ti].File)
		var got []byte
		var rows int64
		for i, p := range parts {
			if base := filepath.Base(p.Tables[ti].File); base != fmt.Sprintf("%s.part-%d-of-%d.csv", tb.Name, i+1, n) {
				t.Errorf("file name %s", base)
			}
			b, _ := os.ReadFile(p.Tables[ti].File)
			if i > 0 {
				_, b, _ = bytes.Cut(b, []byte("\n")) // the header
			}
			got = append(got, b...)
			rows += p.Tables[ti].Rows
			if p.Tables[ti].Rows == 0 {
				t.Errorf("%s part %d is empty", tb.Name, i+1)
			}
		}
		if !bytes.Equal(got, want) || rows != whole.Tables[ti].Rows {
			t.Errorf("%s: the parts (%d rows) are not the whole file (%d rows)", tb.Name, rows, whole.Tables[ti].Rows)
		}
	}
}

func TestExportRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	opts := export.Options{Format: export.JSONL, Dir: dir}
	if _, err := export.Day(ctx, gen.Default(), 0, opts); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "customers.jsonl"))
	if _, err := export.Day(ctx, gen.Default(), 1, opts); !errors.Is(err, originsim.ErrState) || !strings.Contains(err.Error(), string(originsim.TermForce)) {
		t.Errorf("existing files: %v, want ErrState naming --force", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "customers.jsonl")); !bytes.Equal(before, after) {
		t.Error("a refused export changed a file")
	}
	opts.Force = true
	if _, err := export.Day(ctx, gen.Default(), 1, opts); err != nil {
		t.Errorf("--force: %v", err)
	}
	if _, err := export.Day(ctx, gen.Default(), 1, export.Options{Format: "xlsx", Dir: dir}); !errors.Is(err, originsim.ErrUsage) {
		t.Errorf("format xlsx: %v, want ErrUsage", err)
	}
	if _, err := export.Day(ctx, gen.Default(), gen.MaxDay+1, opts); !errors.Is(err, originsim.ErrUsage) {
		t.Errorf("day past the last: %v, want ErrUsage", err)
	}

	// A failed export leaves nothing behind, not even its spill folder:
	// here it is cancelled once it has begun.
	empty := t.TempDir()
	for _, f := range export.Formats {
		cancelled, cancel := context.WithCancel(ctx)
		stop := func(ev originsim.Event) {
			if ev.Kind == originsim.Title {
				cancel()
			}
		}
		if _, err := export.Day(cancelled, gen.Default(), 1, export.Options{Format: f, Dir: empty, Progress: stop}); err == nil {
			t.Errorf("%s, cancelled: no error", f)
		}
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("a failed export left %v", entries)
	}

	sim, err := originsim.Open(ctx, "duckdb:"+filepath.Join(t.TempDir(), "empty.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if _, err := export.Database(ctx, sim, export.Options{Format: export.CSV, Dir: empty}); !errors.Is(err, originsim.ErrNotLoaded) {
		t.Errorf("unloaded database: %v, want ErrNotLoaded", err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("a refused export left %v", entries)
	}
}

// On a server the rows are streamed: the files must still be the
// database, and the text the same bytes as DuckDB's COPY.
func TestExportFromServers(t *testing.T) {
	for _, env := range []string{"ORIGINSIM_TEST_POSTGRES_URL", "ORIGINSIM_TEST_MYSQL_URL"} {
		t.Run(strings.Split(env, "_")[2], func(t *testing.T) {
			url := simtest.ServerURL(t, env)
			ctx := context.Background()
			sc := simtest.NewSchemas(t, url)
			sim, err := originsim.Open(ctx, url, originsim.WithSchemas(sc))
			if err != nil {
				t.Fatal(err)
			}
			defer sim.Close()
			want := atDay3(t, sim)
			for _, f := range []export.Format{export.CSV, export.Parquet} {
				rep, err := export.Database(ctx, sim, export.Options{Format: f, Dir: t.TempDir()})
				if err != nil {
					t.Fatal(err)
				}
				checkFiles(t, rep, want)
				if f != export.CSV {
					continue
				}
				g, err := export.Day(ctx, gen.Default(), 3, export.Options{Format: f, Dir: t.TempDir()})
				if err != nil {
					t.Fatal(err)
				}
				for i := range rep.Tables {
					a, _ := os.ReadFile(rep.Tables[i].File)
					b, _ := os.ReadFile(g.Tables[i].File)
					if !bytes.Equal(a, b) {
						t.Errorf("%s differs from the generator's", rep.Tables[i].File)
					}
				}
			}
		})
	}
}

// The text files written here must be DuckDB's COPY, byte for byte, also for
// values the generator does not make today: quotes, commas, line breaks,
// control characters, empty strings against NULL, negative and zero money,
// whole seconds.
func TestTextFormsAreDuckDBs(t *testing.T) {
	tb := &model.Table{Name: "tricky", Columns: []model.Column{
		{Name: "id", Kind: model.Int},
		{Name: "s", Kind: model.Text, Size: 100, Nullable: true},
		{Name: "amount", Kind: model.Decimal, Nullable: true},
		{Name: "day", Kind: model.Date, Nullable: true},
		{Name: "at", Kind: model.Timestamp, Nullable: true},
		{Name: "flag", Kind: model.Bool, Nullable: true},
		{Name: "n", Kind: model.Int, Nullable: true},
	}}
	at := time.Date(2025, 1, 1, 7, 30, 0, 0, time.UTC)
	strs := []string{"", "plain", "a,b", `say "hi"`, " lead", "trail ", "line\ntwo", "cr\rlf", "tab\tx", `back\slash`,
		"\b\f\x01\x1f\x7f", "é ü 日本 \u2028", "<a href='x'>&amp;</a>", "semi;colon", "{\"json\": [1]}"}
	var rows [][]any
	for i, s := range strs {
		rows = append(rows, []any{int64(i + 1), s, model.Cents(i*137 - 500), model.Day(at.AddDate(0, 0, i)),
			at.Add(time.Duration(i*123457) * time.Microsecond), i%2 == 0, int64(-i)})
	}
	rows = append(rows, []any{int64(len(strs) + 1), nil, nil, nil, nil, nil, nil})

	dir := t.TempDir()
	want := map[export.Format][]byte{}
	inMemory(t, func(ctx context.Context, tx driver.Tx) error {
		if err := tx.Exec(ctx, duckdb.Dialect.CreateTable("main", tb)); err != nil {
			return err
		}
		if err := tx.Insert(ctx, "main", tb, rows); err != nil {
			return err
		}
		for _, f := range []export.Format{export.CSV, export.JSONL} {
			path := filepath.Join(dir, "tricky."+string(f))
			if err := tx.(driver.FileCopier).CopyTable(ctx, "main", tb, path, string(f), false); err != nil {
				return err
			}
			b, err := os.ReadFile(path)
			want[f] = b
			if err != nil {
				return err
			}
		}
		return nil
	})
	for _, f := range []export.Format{export.CSV, export.JSONL} {
		var got []byte
		if f == export.CSV {
			got = []byte(strings.Join(tb.ColumnNames(), ",") + "\n")
		}
		for _, row := range rows {
			if f == export.CSV {
				got = export.AppendCSVRow(got, tb, row)
			} else {
				got = export.AppendJSONRow(got, tb, row)
			}
		}
		if !bytes.Equal(got, want[f]) {
			gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want[f]), "\n")
			for i := range min(len(gl), len(wl)) {
				if gl[i] != wl[i] {
					t.Errorf("%s line %d:\n written %q\n DuckDB  %q", f, i+1, gl[i], wl[i])
					break
				}
			}
			t.Errorf("%s: %d bytes written, DuckDB's COPY %d", f, len(got), len(want[f]))
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, s := range []string{"", "1", "0/2", "3/2", "a/b", "1/0", "-1/2", "1/2/3"} {
		if _, err := export.ParseShard(s); !errors.Is(err, originsim.ErrUsage) {
			t.Errorf("ParseShard(%q): %v, want ErrUsage", s, err)
		}
	}
	sh, err := export.ParseShard("2/4")
	if err != nil || sh != (export.Shard{Index: 2, Count: 4}) || sh.String() != "2/4" {
		t.Errorf("ParseShard(2/4) = %v, %v", sh, err)
	}
	// Every row belongs to exactly one part, also when there are fewer rows
	// than parts.
	for _, n := range []int{0, 1, 3, 10, 101} {
		for k := range n {
			owners := 0
			for i := 1; i <= 4; i++ {
				if (export.Shard{Index: i, Count: 4}).Contains(k, n) {
					owners++
				}
			}
			if owners != 1 {
				t.Errorf("row %d of %d is in %d parts", k, n, owners)
			}
		}
	}
}
