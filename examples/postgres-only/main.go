// Command postgres-only is a Go program that uses originsim with PostgreSQL
// alone: it imports the PostgreSQL driver and nothing else, so it builds
// without cgo (CGO_ENABLED=0 go build ./examples/postgres-only) and links
// neither DuckDB nor the SQL Server driver.
//
//	postgres-only "postgres://user@127.0.0.1:5432/db?sslmode=disable"
//
// It loads the baseline, plays Day 1 and verifies the result.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/originsim/originsim"
	_ "github.com/originsim/originsim/driver/postgres" // the one database this program opens
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: postgres-only postgres://user@host:5432/db")
		os.Exit(2)
	}
	if err := run(context.Background(), os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "postgres-only:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url string) error {
	sim, err := originsim.Open(ctx, url)
	if err != nil {
		return err
	}
	defer sim.Close()
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		return err
	}
	if _, err := sim.ApplyThrough(ctx, 1); err != nil {
		return err
	}
	rep, err := sim.Verify(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("day %d verified: %v\n", rep.Day, rep.OK)
	return nil
}
