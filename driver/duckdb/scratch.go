package duckdb

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// Scratch is an in-memory DuckDB for work on rows that are not a
// database's: it spills to a folder of its own, removed with it. Exports
// write Parquet through one; check compares a replica in one.
type Scratch struct {
	driver.Target
	dir string
}

// OpenScratch opens a scratch database spilling to a new folder in parent
// (the system's temporary folder when empty), past memoryLimit when it is
// set (a DuckDB size, such as 100MB).
func OpenScratch(ctx context.Context, parent, memoryLimit string) (*Scratch, error) {
	dir, err := os.MkdirTemp(parent, ".originsim-spill-")
	if err != nil {
		return nil, err
	}
	q := "temp_directory=" + url.QueryEscape(dir)
	if memoryLimit != "" {
		q = "memory_limit=" + url.QueryEscape(memoryLimit) + "&" + q
	}
	tg, err := driver.Open(ctx, "duckdb::memory:?"+q)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Scratch{Target: tg, dir: dir}, nil
}

// Close closes the database and removes its spill folder.
func (s *Scratch) Close() error {
	err := s.Target.Close()
	if rerr := os.RemoveAll(s.dir); err == nil {
		err = rerr
	}
	return err
}

// Exec runs fn in a transaction of its own: committed rows are table
// storage, which DuckDB may spill.
func (s *Scratch) Exec(ctx context.Context, fn func(tx driver.Tx) error) error {
	return driver.InTx(ctx, s.Target, fn)
}

// PlainTable makes t in the scratch database's main schema with the
// column types of this driver and no keys: rows only held, compared or
// copied out.
func PlainTable(t *model.Table) string {
	d := Dialect
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = d.Quote(c.Name) + " " + d.ColumnType(c)
	}
	return fmt.Sprintf("CREATE TABLE %s.%s (%s)", d.Quote("main"), d.Quote(t.Name), strings.Join(cols, ", "))
}
