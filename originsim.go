// Package originsim gives data pipelines realistic source systems to point
// at: an e-commerce ERP (jaffle_shop) and a marketing CRM (jaffle_crm),
// loaded with a deterministic Day 0 baseline and played forward one business
// day at a time. The same input gives the same bytes on every database.
//
//	import _ "github.com/originsim/originsim/driver/duckdb" // or driver/all
//
//	sim, err := originsim.Open(ctx, "duckdb:data/ingestion_simulator.duckdb")
//	...
//	defer sim.Close()
//	_, err = sim.LoadBaseline(ctx, originsim.BaselineOptions{})
//	_, err = sim.ApplyDelta(ctx, 1)
//	report, err := sim.Verify(ctx)
//
// Every operation runs in one transaction together with the ledger that
// records the day the data is at: it happens entirely or not at all, days
// apply in order and never twice.
//
// The databases are drivers (package driver) that a program registers by
// importing them: driver/duckdb, driver/postgres, driver/mysql,
// driver/sqlserver, or driver/all for every one. A program that imports
// only driver/postgres builds without cgo. File exports are package
// export, SQL scripts package sqlscript.
package originsim

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// Version is the tool version, recorded in the ledger. Release builds set it
// with -ldflags "-X github.com/originsim/originsim.Version=...".
var Version = "0.1.0-dev"

// DefaultURL is the embedded default database.
const DefaultURL = "duckdb:data/ingestion_simulator.duckdb"

// EventKind classifies progress events.
type EventKind int

const (
	// Section starts a group of steps ("Creating jaffle_shop tables...").
	Section EventKind = iota
	// Step reports a finished step ("Loaded customers (100 rows)").
	Step
	// Note is a remark, such as "already at Day 0".
	Note
	// Title opens an operation ("Loading baseline schema and data...").
	Title
	// Done closes an operation ("Baseline load complete!").
	Done
	// Rows reports progress within a long step (Event.Progress).
	Rows
)

// Event is one line of progress.
type Event struct {
	Kind     EventKind
	Text     string
	Progress Progress // for Rows events
}

// Simulator drives the two source systems in one target database.
type Simulator struct {
	drv      *driver.Driver
	t        driver.Target
	schemas  model.Schemas
	progress func(Event)
	workers  int
	readOnly bool
}

// Option configures Open.
type Option func(*Simulator)

// WithSchemas renames the two systems (defaults jaffle_shop, jaffle_crm).
func WithSchemas(s model.Schemas) Option { return func(sim *Simulator) { sim.schemas = s } }

// WithProgress receives progress events as operations run.
func WithProgress(fn func(Event)) Option { return func(sim *Simulator) { sim.progress = fn } }

// ReadOnly opens the database only to read it (Status, Verify, Read):
// nothing is created, changed or removed, and operations that write fail.
func ReadOnly() Option { return func(sim *Simulator) { sim.readOnly = true } }

// WithWorkers sets how many goroutines generate rows in parallel during a
// load (default: the number of CPUs).
func WithWorkers(n int) Option { return func(sim *Simulator) { sim.workers = n } }

// Open connects to the target database named by url (duckdb:PATH,
// postgres://..., ...).
func Open(ctx context.Context, url string, opts ...Option) (*Simulator, error) {
	sim := &Simulator{schemas: model.DefaultSchemas, progress: func(Event) {}, workers: runtime.NumCPU()}
	for _, o := range opts {
		o(sim)
	}
	if sim.workers < 1 {
		return nil, usageErr("workers %d: must be at least 1", sim.workers)
	}
	if err := sim.schemas.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	openOpts := []driver.OpenOption{driver.WithLockScope(sim.schemas.Shop)}
	if sim.readOnly {
		openOpts = append(openOpts, driver.WithReadOnly())
	}
	drv, t, err := driver.OpenDriver(ctx, url, openOpts...)
	if errors.Is(err, driver.ErrNotFound) {
		// Reading a database that does not exist: there is nothing to
		// read, as in an empty one.
		e := NewError(ErrNotLoaded, ": %v; run %s first", err, TermLoadBaseline)
		e.cause = err
		return nil, e
	}
	if err != nil {
		return nil, err
	}
	sim.drv, sim.t = drv, t
	return sim, nil
}

// Close closes the database connection.
func (s *Simulator) Close() error { return s.t.Close() }

// Schemas returns the names of the two systems.
func (s *Simulator) Schemas() model.Schemas { return s.schemas }

func (s *Simulator) section(format string, a ...any) {
	s.progress(Event{Kind: Section, Text: fmt.Sprintf(format, a...)})
}
func (s *Simulator) step(format string, a ...any) {
	s.progress(Event{Kind: Step, Text: fmt.Sprintf(format, a...)})
}
func (s *Simulator) title(format string, a ...any) {
	s.progress(Event{Kind: Title, Text: fmt.Sprintf(format, a...)})
}
func (s *Simulator) done(format string, a ...any) {
	s.progress(Event{Kind: Done, Text: fmt.Sprintf(format, a...)})
}
func (s *Simulator) note(format string, a ...any) {
	s.progress(Event{Kind: Note, Text: fmt.Sprintf(format, a...)})
}

// found is what a database holds before an operation.
type found struct {
	ledger *Ledger
	tables map[model.System]map[string]bool
}

// ours lists the simulator tables that exist, as schema.table.
func (f *found) ours(sc model.Schemas) []string {
	var out []string
	for _, t := range model.Tables() {
		if f.tables[t.System][t.Name] {
			out = append(out, sc.Of(t.System)+"."+t.Name)
		}
	}
	return out
}

func (s *Simulator) inspect(ctx context.Context, tx driver.Tx) (*found, error) {
	d := s.t.Dialect()
	f := &found{tables: map[model.System]map[string]bool{}}
	for _, sys := range []model.System{model.Shop, model.CRM} {
		f.tables[sys] = map[string]bool{}
		err := tx.Query(ctx, d.ListTables(s.schemas.Of(sys)), []model.Kind{model.Text}, func(v []any) error {
			f.tables[sys][v[0].(string)] = true
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("list tables of %s: %w", s.schemas.Of(sys), err)
		}
	}
	if f.tables[model.Shop][model.LedgerTable] {
		l, err := readLedger(ctx, tx, d, s.schemas.Shop)
		if err != nil {
			return nil, err
		}
		if l != nil && l.CRMSchema != s.schemas.CRM {
			return nil, stateErr("the ledger in %s says its CRM schema is %s, not %s: pass %s %s",
				s.schemas.Shop, l.CRMSchema, s.schemas.CRM, TermCRMSchema, l.CRMSchema)
		}
		f.ledger = l
	}
	return f, nil
}

// loaded inspects and requires the tool's data.
func (s *Simulator) loaded(ctx context.Context, tx driver.Tx) (*found, error) {
	f, err := s.inspect(ctx, tx)
	if err != nil {
		return nil, err
	}
	if f.ledger == nil {
		where := fmt.Sprintf("%s and %s", s.schemas.Shop, s.schemas.CRM)
		if f.tables[model.Shop][model.LedgerTable] && s.onlyOurs(f) {
			// What a load killed between its DDL and its commit leaves on
			// MySQL, which commits around DDL.
			return nil, notLoaded(" in %s: a load did not finish (the tables exist, the ledger is empty); run %s to finish it", where, TermLoadBaseline)
		}
		if len(f.ours(s.schemas)) > 0 {
			return nil, notLoaded(" in %s: the tables exist but have no originsim ledger (made by another tool?); run %s into new schemas", where, TermLoadBaseline)
		}
		return nil, notLoaded(" in %s: run %s first", where, TermLoadBaseline)
	}
	if err := f.ledger.compatible(); err != nil {
		return nil, err
	}
	return f, nil
}

// run executes fn in one transaction and commits it.
func (s *Simulator) run(ctx context.Context, fn func(tx driver.Tx) error) error {
	return driver.InTx(ctx, s.t, fn)
}
