package originsim

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// TableCount is the row count of one table.
type TableCount struct {
	Schema string `json:"schema"`
	Table  string `json:"table"`
	Rows   int64  `json:"rows"`
	// Custom counts the user's own rows among Rows: keys 5000 to 9999
	// (model.CustomFrom to model.CustomTo), which the generator never
	// makes, days never change and reset removes.
	Custom int64 `json:"custom_rows"`
}

// Name is schema.table.
func (t TableCount) Name() string { return t.Schema + "." + t.Table }

// Status is the live state of the two systems.
type Status struct {
	// Ledger is nil when the tables exist without an originsim ledger.
	Ledger  *Ledger
	Schemas model.Schemas
	Tables  []TableCount // the eight tables in foreign-key order
	// Next is what the next day will add and change; nil without a ledger
	// or after the last day.
	Next *gen.Plan
	// Capture is the database's own change capture that is on for the
	// tables ("cdc", "change_tracking"), on targets that have one; filled
	// by Status, and by LoadBaseline and Reset when they switch one on.
	Capture string `json:"capture,omitempty"`
	// CaptureWarning says why the capture that is on cannot be read yet
	// (PostgreSQL's wal_level not logical); empty when it can.
	CaptureWarning string `json:"capture_warning,omitempty"`
}

// Day is the recorded day, or -1 without a ledger.
func (s *Status) Day() int {
	if s.Ledger == nil {
		return -1
	}
	return s.Ledger.Day
}

// Date is the simulated date of the recorded day.
func (s *Status) Date() time.Time {
	if s.Ledger == nil {
		return time.Time{}
	}
	return s.Ledger.Config.DayDate(s.Ledger.Day)
}

// Count returns the row count of a table.
func (s *Status) Count(id model.TableID) int64 { return s.Tables[id].Rows }

// Custom returns how many of a table's rows are the user's own (see
// TableCount.Custom).
func (s *Status) Custom(id model.TableID) int64 { return s.Tables[id].Custom }

// Status reads the live row counts. It works on tables without a ledger too
// (Ledger is nil then); with no tables at all it returns ErrNotLoaded.
func (s *Simulator) Status(ctx context.Context) (*Status, error) {
	var st *Status
	err := s.run(ctx, func(tx driver.Tx) error {
		f, err := s.inspect(ctx, tx)
		if err != nil {
			return err
		}
		if f.ledger == nil && len(f.ours(s.schemas)) < len(model.Tables()) {
			return notLoaded(" in %s and %s: run %s first", s.schemas.Shop, s.schemas.CRM, TermLoadBaseline)
		}
		if f.ledger != nil {
			if err := f.ledger.compatible(); err != nil {
				return err
			}
		}
		st, err = s.status(ctx, tx, f.ledger)
		return err
	})
	if err != nil {
		return nil, err
	}
	capture, err := s.captureState(ctx)
	if err != nil {
		return nil, err
	}
	if capture != nil {
		st.Capture, st.CaptureWarning = capture.String(), capture.Warning
	}
	return st, nil
}

// status counts the rows inside tx, in one query: a row of scalar
// subqueries, so every table is counted in the same statement: the rows of
// each table, then the user's own rows of each (a range of the primary
// key).
func (s *Simulator) status(ctx context.Context, tx driver.Tx, l *Ledger) (*Status, error) {
	d := s.t.Dialect()
	counts := make([]string, 0, 2*model.NumTables)
	kinds := make([]model.Kind, 0, 2*model.NumTables)
	for _, t := range model.Tables() {
		counts = append(counts, fmt.Sprintf("(SELECT COUNT(*) FROM %s)", d.Table(s.schemas.Of(t.System), t.Name)))
		kinds = append(kinds, model.Int)
	}
	for _, t := range model.Tables() {
		counts = append(counts, fmt.Sprintf("(SELECT COUNT(*) FROM %s WHERE %s BETWEEN %d AND %d)",
			d.Table(s.schemas.Of(t.System), t.Name), d.Quote(t.Key()), model.CustomFrom, model.CustomTo))
		kinds = append(kinds, model.Int)
	}
	var rows []int64
	err := tx.Query(ctx, "SELECT "+strings.Join(counts, ", "), kinds, func(v []any) error {
		for _, n := range v {
			rows = append(rows, n.(int64))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count rows in %s and %s: %w", s.schemas.Shop, s.schemas.CRM, err)
	}
	if len(rows) != 2*model.NumTables {
		return nil, fmt.Errorf("count rows in %s and %s: %d counts, want %d", s.schemas.Shop, s.schemas.CRM, len(rows), 2*model.NumTables)
	}
	st := s.counted(l, rows[:model.NumTables])
	for i, n := range rows[model.NumTables:] {
		st.Tables[i].Custom = n
	}
	return st, nil
}

// counted is the status of ledger l with the given row counts of the eight
// tables, in table order: what status counts, or what a load wrote.
func (s *Simulator) counted(l *Ledger, rows []int64) *Status {
	st := &Status{Schemas: s.schemas, Ledger: l}
	if l != nil && l.Day < gen.MaxDay {
		p := gen.PlanFor(l.Config, l.Day+1)
		st.Next = &p
	}
	for i, t := range model.Tables() {
		st.Tables = append(st.Tables, TableCount{Schema: s.schemas.Of(t.System), Table: t.Name, Rows: rows[i]})
	}
	return st
}
