// Command load fills a new DuckDB file with the ceiling of a baseline load
// (see package ceiling), for measuring its time and memory from outside:
//
//	go run ./internal/ceiling/load FILE SCALE
package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/ceiling"
	"github.com/originsim/originsim/model"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: load FILE SCALE")
		os.Exit(2)
	}
	scale, err := strconv.Atoi(os.Args[2])
	if err != nil || scale < 1 {
		fmt.Fprintln(os.Stderr, "load: SCALE must be a positive integer")
		os.Exit(2)
	}
	if err := run(os.Args[1], scale); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(path string, scale int) error {
	cfg := gen.Default()
	cfg.Scale = scale
	c, err := duckdb.NewConnector(path+"?default_block_size=16384", nil)
	if err != nil {
		return err
	}
	db := sql.OpenDB(c)
	defer db.Close()
	stmts := append(append([]string{"BEGIN TRANSACTION"}, ceiling.SQL(cfg, model.DefaultSchemas)...), "COMMIT", "CHECKPOINT")
	for _, q := range stmts {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			return fmt.Errorf("%w\n%s", err, q)
		}
	}
	return db.Close()
}
