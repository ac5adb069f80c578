// Command load fills a new DuckDB file with the ceiling of a baseline load
// (see package ceiling), for measuring its time and memory from outside:
//
//	go run ./internal/ceiling/load FILE SCALE
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/ceiling"
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
	return ceiling.Load(context.Background(), path, cfg)
}
