// Package export writes the eight tables as files (CSV, Parquet, JSON
// lines), one per table: from a database through a Simulator, or any day
// straight from the generator. Every path writes the same text forms, so
// the files of a day are the same bytes (CSV, JSON lines) or the same
// content (Parquet) however they were made. Parquet is written by an
// in-memory DuckDB, so this package needs cgo.
package export

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/driver/duckdb"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// Format is a file format Export writes.
type Format string

const (
	CSV     Format = "csv"     // a header row, then one line per row
	Parquet Format = "parquet" // typed: DECIMAL(10,2), TIMESTAMP, DATE, BOOLEAN, INTEGER, VARCHAR
	JSONL   Format = "jsonl"   // one JSON object per line, keys in column order
)

// Formats lists the formats, for messages and completion.
var Formats = []Format{CSV, Parquet, JSONL}

// ParseFormat reads a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", usageErr("format %q: use csv, parquet or jsonl", s)
}

// Shard is part Index of Count (1-based) of each table: a contiguous range
// of its rows in key order, so Count machines can each write a part and the
// parts, in order, are the table. The zero value is the whole table.
type Shard struct{ Index, Count int }

// ParseShard reads "i/n".
func ParseShard(s string) (Shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || n < 1 || i < 1 || i > n {
		return Shard{}, usageErr("shard %q: use i/n with 1 <= i <= n, such as 2/4", s)
	}
	return Shard{Index: i, Count: n}, nil
}

func (sh Shard) String() string {
	if sh.Count == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", sh.Index, sh.Count)
}

// contains tells whether row k (0-based, in key order) of a table of n rows
// belongs to the shard.
func (sh Shard) contains(k, n int) bool {
	if sh.Count == 0 {
		return true
	}
	lo := (sh.Index - 1) * n / sh.Count
	hi := sh.Index * n / sh.Count
	return k >= lo && k < hi
}

// Options choose what Database and Day write.
type Options struct {
	Format Format
	// Dir is the folder of the files, made if needed.
	Dir string
	// Force replaces files of the same names; without it they are refused
	// (ErrState) before anything is written.
	Force bool
	// Shard writes one part of each table (Day only).
	Shard Shard
	// Schemas name the tables in the report (Day only; Database uses
	// the simulator's). Zero: the default names.
	Schemas model.Schemas
	// Progress receives progress events; nil: none.
	Progress func(originsim.Event)
}

// Table is one file written.
type Table struct {
	Table string `json:"table"` // schema.table, as verify names it
	File  string `json:"file"`
	Rows  int64  `json:"rows"`
	// Fingerprint is model.Hasher over the rows in the file: for a whole
	// table, the fingerprint verify reports.
	Fingerprint string `json:"fingerprint"`
}

// Report says what an export wrote.
type Report struct {
	Source string  `json:"source"` // "database" or "generator"
	Format Format  `json:"format"`
	Dir    string  `json:"out"`
	Day    int     `json:"day"`
	Date   string  `json:"date"`
	Seed   uint64  `json:"seed"`
	Scale  int     `json:"scale"`
	Shard  string  `json:"shard,omitempty"`
	Tables []Table `json:"tables"`
}

// FileName is the file a table is written to: customers.csv, or
// customers.part-2-of-4.csv for a shard.
func FileName(t *model.Table, f Format, sh Shard) string {
	if sh.Count == 0 {
		return t.Name + "." + string(f)
	}
	return fmt.Sprintf("%s.part-%d-of-%d.%s", t.Name, sh.Index, sh.Count, f)
}

// Database writes the current state of sim's eight tables, one file per
// table, read in one transaction. Where the database writes files itself
// (driver.FileCopier, DuckDB's COPY) it does; elsewhere the rows are
// streamed. The database must hold originsim data (originsim.ErrNotLoaded
// otherwise). Files appear only when all are written.
func Database(ctx context.Context, sim *originsim.Simulator, opts Options) (*Report, error) {
	if opts.Shard.Count != 0 {
		return nil, usageErr("a shard is written from the generator only: give the day")
	}
	opts.Schemas = sim.Schemas()
	if opts.Progress == nil {
		opts.Progress = func(originsim.Event) {}
	}
	x, err := newExport(opts)
	if err != nil {
		return nil, err
	}
	err = sim.Read(ctx, func(ctx context.Context, sn *originsim.Snapshot) error {
		if err := x.start("database", sn.Ledger.Config, sn.Ledger.Day); err != nil {
			return err
		}
		if fc, ok := sn.Tx.(driver.FileCopier); ok {
			return x.copyAll(ctx, sn.Tx, fc, sn.Dialect)
		}
		st, err := sn.Status(ctx)
		if err != nil {
			return err
		}
		return x.streamAll(ctx, sn.Tx, sn.Dialect, st)
	})
	return x.end(err)
}

// Day writes the eight tables as they are after day n of cfg, straight
// from the generator: no database. The files are the same bytes (CSV, JSON
// lines) or the same content (Parquet) Database writes from a database at
// that day.
func Day(ctx context.Context, cfg gen.Config, n int, opts Options) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", originsim.ErrUsage, err)
	}
	if err := gen.CheckDay(n, 0); err != nil {
		return nil, fmt.Errorf("%w: %w", originsim.ErrUsage, err)
	}
	if opts.Schemas == (model.Schemas{}) {
		opts.Schemas = model.DefaultSchemas
	}
	if opts.Progress == nil {
		opts.Progress = func(originsim.Event) {}
	}
	x, err := newExport(opts)
	if err != nil {
		return nil, err
	}
	if err := x.start("generator", cfg, n); err != nil {
		return x.end(err)
	}
	return x.end(x.generate(ctx, cfg, n))
}

// export is one run: a temporary file per table, renamed into place at
// the end, or removed on failure.
type export struct {
	opts    Options
	rep     *Report
	tmp     [model.NumTables]string
	final   [model.NumTables]string
	sinks   [model.NumTables]sink
	hash    [model.NumTables]*model.Hasher
	scratch *duckdb.Scratch
}

func newExport(opts Options) (*export, error) {
	var err error
	if opts.Format, err = ParseFormat(string(opts.Format)); err != nil {
		return nil, err
	}
	if opts.Dir == "" {
		return nil, usageErr("no folder to export to")
	}
	if err := opts.Schemas.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", originsim.ErrUsage, err)
	}
	x := &export{opts: opts, rep: &Report{Format: opts.Format, Dir: opts.Dir, Shard: opts.Shard.String()}}
	var exist []string
	for _, t := range model.Tables() {
		name := FileName(t, opts.Format, opts.Shard)
		x.final[t.ID] = filepath.Join(opts.Dir, name)
		x.tmp[t.ID] = filepath.Join(opts.Dir, "."+name+".tmp")
		x.hash[t.ID] = model.NewHasher(t)
		if _, err := os.Lstat(x.final[t.ID]); err == nil {
			exist = append(exist, name)
		}
	}
	if len(exist) > 0 && !opts.Force {
		return nil, stateErr("%s already holds %s: choose another folder, or replace them with %s", opts.Dir, strings.Join(exist, ", "), originsim.TermForce)
	}
	return x, nil
}

// start makes the folder, once the export is known to go ahead, and says
// what it writes.
func (x *export) start(source string, cfg gen.Config, day int) error {
	if err := os.MkdirAll(x.opts.Dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", x.opts.Dir, err)
	}
	x.rep.Source, x.rep.Day, x.rep.Seed, x.rep.Scale = source, day, cfg.Seed, cfg.Scale
	x.rep.Date = cfg.DayDate(day).Format(exportDate)
	what := fmt.Sprintf("day %d (%s)", day, x.rep.Date)
	if x.rep.Shard != "" {
		what += ", part " + x.rep.Shard
	}
	x.opts.Progress(originsim.Event{Kind: originsim.Title, Text: fmt.Sprintf("Exporting %s from the %s as %s to %s...", what, source, x.opts.Format, x.opts.Dir)})
	return nil
}

// open starts the file of table t.
func (x *export) open(ctx context.Context, t *model.Table) (sink, error) {
	path := x.tmp[t.ID]
	if x.opts.Format != Parquet {
		return newTextSink(path, t, x.opts.Format)
	}
	if x.scratch == nil {
		sc, err := duckdb.OpenScratch(ctx, x.opts.Dir, "")
		if err != nil {
			return nil, fmt.Errorf("open a scratch DuckDB for Parquet: %w", err)
		}
		x.scratch = sc
	}
	return newParquetSink(ctx, x.scratch, path, t)
}

// done records a finished table.
func (x *export) done(t *model.Table) {
	h := x.hash[t.ID]
	x.rep.Tables = append(x.rep.Tables, Table{Table: x.opts.Schemas.Of(t.System) + "." + t.Name,
		File: x.final[t.ID], Rows: h.Rows(), Fingerprint: h.Sum()})
	x.opts.Progress(originsim.Event{Kind: originsim.Step, Text: fmt.Sprintf("Wrote %s (%d rows)", filepath.Base(x.final[t.ID]), h.Rows())})
}

// copyAll has the database write each table itself, and reads it in the
// same transaction for its fingerprint.
func (x *export) copyAll(ctx context.Context, tx driver.Tx, fc driver.FileCopier, d driver.Dialect) error {
	for _, t := range model.Tables() {
		schema := x.opts.Schemas.Of(t.System)
		path, err := filepath.Abs(x.tmp[t.ID])
		if err != nil {
			return err
		}
		if err := fc.CopyTable(ctx, schema, t, path, string(x.opts.Format), false); err != nil {
			return fmt.Errorf("export %s.%s: %w", schema, t.Name, err)
		}
		h := x.hash[t.ID]
		if err := tx.Query(ctx, d.Select(schema, t), driver.Kinds(t), func(row []any) error { h.Add(row); return nil }); err != nil {
			return fmt.Errorf("read %s.%s: %w", schema, t.Name, err)
		}
		x.done(t)
	}
	return nil
}

// streamAll reads each table in key order and writes it.
func (x *export) streamAll(ctx context.Context, tx driver.Tx, d driver.Dialect, st *originsim.Status) error {
	for _, t := range model.Tables() {
		schema := x.opts.Schemas.Of(t.System)
		s, err := x.open(ctx, t)
		if err != nil {
			return err
		}
		x.sinks[t.ID] = s
		h, total := x.hash[t.ID], st.Count(t.ID)
		err = tx.Query(ctx, d.Select(schema, t), driver.Kinds(t), func(row []any) error {
			h.Add(row)
			if h.Rows()%originsim.BatchRows == 0 {
				x.opts.Progress(originsim.Event{Kind: originsim.Rows, Text: t.Name, Progress: originsim.Progress{Table: t.Name, Rows: h.Rows(), Total: total}})
			}
			return s.write(ctx, row)
		})
		if err == nil {
			err = s.finish(ctx)
		}
		if err != nil {
			return fmt.Errorf("export %s.%s: %w", schema, t.Name, err)
		}
		x.done(t)
	}
	return nil
}

// generate streams day n from the generator (tables interleaved, each in
// key order) into all eight files at once.
func (x *export) generate(ctx context.Context, cfg gen.Config, n int) error {
	var counts [model.NumTables]int
	if x.opts.Shard.Count != 0 {
		// A shard needs each table's size before its first row.
		st, err := gen.Resume(cfg, n)
		if err != nil {
			return err
		}
		for _, t := range model.Tables() {
			counts[t.ID] = st.Len(t.ID)
		}
	}
	for _, t := range model.Tables() {
		s, err := x.open(ctx, t)
		if err != nil {
			return err
		}
		x.sinks[t.ID] = s
	}
	var seen [model.NumTables]int
	err := gen.Expect(cfg, n, func(id model.TableID, row []any) error {
		k := seen[id]
		seen[id]++
		if !x.opts.Shard.contains(k, counts[id]) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		x.hash[id].Add(row)
		return x.sinks[id].write(ctx, row)
	})
	if err != nil {
		return err
	}
	for _, t := range model.Tables() {
		if err := x.sinks[t.ID].finish(ctx); err != nil {
			return fmt.Errorf("export %s: %w", t.Name, err)
		}
		x.done(t)
	}
	return nil
}

// end renames the files into place after success, or removes every file
// the run made.
func (x *export) end(err error) (*Report, error) {
	if x.scratch != nil {
		err = errors.Join(err, x.scratch.Close())
	}
	if err == nil {
		for _, t := range model.Tables() {
			if err = os.Rename(x.tmp[t.ID], x.final[t.ID]); err != nil {
				break
			}
		}
	}
	if err != nil {
		for _, t := range model.Tables() {
			if s := x.sinks[t.ID]; s != nil {
				s.abort()
			}
			os.Remove(x.tmp[t.ID])
		}
		return nil, err
	}
	x.opts.Progress(originsim.Event{Kind: originsim.Done, Text: fmt.Sprintf("Exported %d tables to %s", len(x.rep.Tables), x.opts.Dir)})
	return x.rep, nil
}

func usageErr(format string, a ...any) error {
	return originsim.NewError(originsim.ErrUsage, format, a...)
}

func stateErr(format string, a ...any) error {
	return originsim.NewError(originsim.ErrState, format, a...)
}
