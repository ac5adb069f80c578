// Command bareopen opens a DuckDB file, runs SELECT 1 and exits: the floor
// that scripts/bench-cycle.sh compares originsim's processes against.
package main

import (
	"database/sql"
	"fmt"
	"os"

	duckdb "github.com/duckdb/duckdb-go/v2"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: bareopen FILE.duckdb")
		os.Exit(2)
	}
	c, err := duckdb.NewConnector(os.Args[1], nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	db := sql.OpenDB(c)
	var one int
	if err := db.QueryRow("SELECT 1").Scan(&one); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	db.Close()
}
