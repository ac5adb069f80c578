package originsim_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/ceiling"
	"github.com/originsim/originsim/model"
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

// BenchmarkBaselineVsDuckDBCeiling loads the baseline at benchScale into a
// new DuckDB file with originsim and, in the same run, DuckDB's ceiling
// (ceiling.SQL) into another; it reports both rates and their ratio.
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
	var ours, ref time.Duration
	for i := 0; b.Loop(); i++ {
		// The ceiling: one transaction, the same file options as originsim's.
		t0 := time.Now()
		if err := ceiling.Load(ctx, filepath.Join(dir, fmt.Sprintf("ceiling%d.duckdb", i)), cfg); err != nil {
			b.Fatal(err)
		}
		ref += time.Since(t0)

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
	b.ReportMetric(float64(rows)*n/ref.Seconds(), "ceiling-rows/s")
	b.ReportMetric(ref.Seconds()/ours.Seconds(), "x-ceiling")
}
