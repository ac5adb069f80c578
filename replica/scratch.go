package replica

import (
	"context"
	"fmt"
	"slices"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/driver/duckdb"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// scratch is the in-memory DuckDB the comparison runs in. It spills to a
// folder of its own past a small memory limit: at scale 1000 the limit
// made a check both leaner (about 500 MB peak against 980 MB without one)
// and faster. A lower one (64 MB) is leaner again, but DuckDB's JSON
// reader then cannot allocate its two 32 MB buffers.
type scratch struct{ *duckdb.Scratch }

func openScratch(ctx context.Context) (*scratch, error) {
	s, err := duckdb.OpenScratch(ctx, "", "100MB")
	if err != nil {
		return nil, err
	}
	return &scratch{s}, nil
}

func (sc *scratch) close() error { return sc.Close() }

func (sc *scratch) exec(ctx context.Context, fn func(tx driver.Tx) error) error {
	return sc.Exec(ctx, fn)
}

// run executes statements, each in its own transaction.
func (sc *scratch) run(ctx context.Context, stmts ...string) error {
	return sc.exec(ctx, func(tx driver.Tx) error {
		for _, q := range stmts {
			if err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%w (%s)", err, q)
			}
		}
		return nil
	})
}

// query reads rows of the given kinds.
func (sc *scratch) query(ctx context.Context, q string, kinds []model.Kind, fn func(row []any) error) error {
	return sc.exec(ctx, func(tx driver.Tx) error { return tx.Query(ctx, q, kinds, fn) })
}

// ident quotes a name in the scratch database.
func ident(name string) string { return duckdb.Dialect.Quote(name) }

// expectedName is the scratch table of the expected rows of t on a day
// (the day before, for the diagnosis, has its own).
func expectedName(t *model.Table, day int) string { return fmt.Sprintf("exp%d_%s", day, t.Name) }

// loadExpected writes the expected rows of day n of the chosen tables into
// the scratch database, each table as its own typed table without keys,
// rows in key order.
func (sc *scratch) loadExpected(ctx context.Context, cfg gen.Config, n int, tables []*model.Table, progress func(originsim.Event)) error {
	b, err := sc.newBatcher(ctx, tables, n, nil)
	if err != nil {
		return err
	}
	err = gen.Expect(cfg, n, func(id model.TableID, row []any) error { return b.add(id, append([]any(nil), row...)) })
	if err != nil {
		return err
	}
	if err := b.flushAll(); err != nil {
		return err
	}
	progress(originsim.Event{Kind: originsim.Step, Text: fmt.Sprintf("Generated the expected rows of day %d", n)})
	return nil
}

// batcher writes rows into the expected tables of the scratch database in
// batches of originsim.BatchRows.
type batcher struct {
	ctx     context.Context
	sc      *scratch
	copies  [model.NumTables]*model.Table
	batches [model.NumTables][][]any
}

// newBatcher makes the expected tables of day n (each table's columns and
// then more, without keys).
func (sc *scratch) newBatcher(ctx context.Context, tables []*model.Table, n int, more []model.Column) (*batcher, error) {
	b := &batcher{ctx: ctx, sc: sc}
	for _, t := range tables {
		c := *t
		c.Name, c.ForeignKeys = expectedName(t, n), nil
		c.Columns = append(slices.Clone(t.Columns), more...)
		b.copies[t.ID] = &c
		if err := sc.run(ctx, createPlain(&c)); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// add queues a row of table id (ignored when id is not checked).
func (b *batcher) add(id model.TableID, row []any) error {
	if b.copies[id] == nil {
		return nil
	}
	b.batches[id] = append(b.batches[id], row)
	if len(b.batches[id]) < originsim.BatchRows {
		return nil
	}
	return b.flush(id)
}

func (b *batcher) flush(id model.TableID) error {
	rows := b.batches[id]
	b.batches[id] = nil
	if len(rows) == 0 {
		return nil
	}
	return b.sc.exec(b.ctx, func(tx driver.Tx) error { return tx.Insert(b.ctx, "main", b.copies[id], rows) })
}

func (b *batcher) flushAll() error {
	for id := range b.batches {
		if err := b.flush(model.TableID(id)); err != nil {
			return err
		}
	}
	return nil
}

// createPlain makes t in the scratch database without keys.
func createPlain(t *model.Table) string { return duckdb.PlainTable(t) }
