package originsim_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/originsim/originsim"
)

// cycle runs load-baseline, three deltas and status, each with its own open
// and close, as five separate commands would.
func cycle(b *testing.B, url string) {
	ctx := context.Background()
	for step := 0; step <= 4; step++ {
		sim, err := originsim.Open(ctx, url)
		if err != nil {
			b.Fatal(err)
		}
		switch step {
		case 0:
			_, err = sim.LoadBaseline(ctx, originsim.BaselineOptions{})
		case 4:
			_, err = sim.Status(ctx)
		default:
			_, err = sim.ApplyDelta(ctx, step)
		}
		if err != nil {
			b.Fatal(err)
		}
		sim.Close()
	}
}

// bareOpens opens a DuckDB file five times and runs SELECT 1: the floor.
func bareOpens(b *testing.B, path string) {
	for range 5 {
		c, err := duckdb.NewConnector(path, nil)
		if err != nil {
			b.Fatal(err)
		}
		db := sql.OpenDB(c)
		var one int
		if err := db.QueryRow("SELECT 1").Scan(&one); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// BenchmarkFullCycle measures the whole Day 0-3 cycle and, in the same run,
// five bare DuckDB opens; it reports the ratio as x-bare-opens.
//
//	go test -run '^$' -bench FullCycle -benchtime 20x .
func BenchmarkFullCycle(b *testing.B) {
	dir := b.TempDir()
	var inCycle, inBare time.Duration
	for i := 0; b.Loop(); i++ {
		path := filepath.Join(dir, "cycle.duckdb")
		t0 := time.Now()
		cycle(b, "duckdb:"+path)
		inCycle += time.Since(t0)
		b.StopTimer()
		t1 := time.Now()
		bareOpens(b, filepath.Join(dir, "bare.duckdb"))
		inBare += time.Since(t1)
		removeDB(b, path)
		b.StartTimer()
	}
	b.ReportMetric(float64(inCycle)/float64(inBare), "x-bare-opens")
}

func removeDB(b *testing.B, path string) {
	for _, p := range []string{path, path + ".wal"} {
		if err := removeIfExists(p); err != nil {
			b.Fatal(err)
		}
	}
}

func removeIfExists(p string) error {
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return err
	}
	return nil
}
