package originsim_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
	"github.com/originsim/originsim/target"
)

// benchScale is the scale of the load benchmarks: ORIGINSIM_BENCH_SCALE,
// 1000 (about two million rows) by default.
func benchScale(b *testing.B) int {
	s := 1000
	if v := os.Getenv("ORIGINSIM_BENCH_SCALE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("ORIGINSIM_BENCH_SCALE=%q: want a positive integer", v)
		}
		s = n
	}
	return s
}

// ceilingSQL is DuckDB's own ceiling for loading the baseline: the same
// eight tables (the same DDL, keys and foreign keys) filled with the same
// number of rows by INSERT ... SELECT ... FROM range(), computed inside
// DuckDB. Values are cheap expressions of the row number of each column's
// kind; foreign keys point at existing parents.
func ceilingSQL(cfg gen.Config, sc model.Schemas) []string {
	d := target.DuckDB
	var out []string
	for _, sys := range []string{sc.Shop, sc.CRM} {
		out = append(out, d.CreateSchema(sys))
	}
	for _, t := range model.Tables() {
		out = append(out, d.CreateTable(sc.Of(t.System), t))
	}
	for _, t := range model.Tables() {
		n := gen.BaselineCount(cfg, t.ID)
		if n == 0 {
			continue
		}
		refs := map[string]int{}
		for _, fk := range t.ForeignKeys {
			refs[fk.Column] = gen.BaselineCount(cfg, fk.Ref)
		}
		exprs := make([]string, len(t.Columns))
		for j, c := range t.Columns {
			var e string
			switch {
			case j == 0:
				e = "i"
			case refs[c.Name] > 0:
				e = fmt.Sprintf("CAST(hash(i, %d) %% %d AS INTEGER) + 1", j, refs[c.Name])
			case c.Kind == model.Int:
				e = "CAST(i % 5 AS INTEGER) + 1"
			case c.Kind == model.Text:
				e = fmt.Sprintf("left(concat('v', i, '.', hash(i, %d) %% 100000, '@example.com'), %d)", j, c.Size)
			case c.Kind == model.Decimal:
				e = fmt.Sprintf("CAST((hash(i, %d) %% 1000000) / 100 AS DECIMAL(10,2))", j)
			case c.Kind == model.Date:
				e = "DATE '2025-01-01' - CAST(i % 400 AS INTEGER)"
			case c.Kind == model.Timestamp:
				e = fmt.Sprintf("TIMESTAMP '2024-01-01' + to_microseconds(CAST(hash(i, %d) %% 31536000000000 AS BIGINT))", j)
			case c.Kind == model.Bool:
				e = fmt.Sprintf("hash(i, %d) %% 2 = 0", j)
			}
			if c.Nullable {
				e = fmt.Sprintf("CASE WHEN i %% 3 = 0 THEN %s END", e)
			}
			exprs[j] = e
		}
		out = append(out, fmt.Sprintf("INSERT INTO %s.%s SELECT %s FROM range(1, %d) AS r(i)",
			d.Quote(sc.Of(t.System)), d.Quote(t.Name), strings.Join(exprs, ", "), n+1))
	}
	return out
}

// BenchmarkBaselineVsDuckDBCeiling loads the baseline at benchScale into a
// new DuckDB file with originsim and, in the same run, DuckDB's ceiling
// (ceilingSQL) into another; it reports both rates and their ratio.
//
//	go test -run '^$' -bench BaselineVsDuckDBCeiling -benchtime 1x .
func BenchmarkBaselineVsDuckDBCeiling(b *testing.B) {
	ctx := context.Background()
	cfg := gen.Default()
	cfg.Scale = benchScale(b)
	rows := 0
	for _, t := range model.Tables() {
		rows += gen.BaselineCount(cfg, t.ID)
	}
	dir := b.TempDir()
	var ours, ceiling time.Duration
	for i := 0; b.Loop(); i++ {
		// The ceiling: one transaction, the same file options as originsim's.
		path := filepath.Join(dir, fmt.Sprintf("ceiling%d.duckdb", i))
		c, err := duckdb.NewConnector(path+"?default_block_size=16384", nil)
		if err != nil {
			b.Fatal(err)
		}
		db := sql.OpenDB(c)
		t0 := time.Now()
		stmts := append(append([]string{"BEGIN TRANSACTION"}, ceilingSQL(cfg, model.DefaultSchemas)...), "COMMIT", "CHECKPOINT")
		for _, q := range stmts {
			if _, err := db.ExecContext(ctx, q); err != nil {
				b.Fatalf("%v\n%s", err, q)
			}
		}
		db.Close()
		ceiling += time.Since(t0)

		t1 := time.Now()
		sim, err := originsim.Open(ctx, "duckdb:"+filepath.Join(dir, fmt.Sprintf("ours%d.duckdb", i)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{Scale: cfg.Scale}); err != nil {
			b.Fatal(err)
		}
		if err := sim.Close(); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(t1)
	}
	n := float64(b.N)
	b.ReportMetric(float64(rows)*n/ours.Seconds(), "rows/s")
	b.ReportMetric(float64(rows)*n/ceiling.Seconds(), "ceiling-rows/s")
	b.ReportMetric(ceiling.Seconds()/ours.Seconds(), "x-ceiling")
}
