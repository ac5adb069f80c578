// Package feed turns a day's changeset into row-change events: one per
// inserted, updated or deleted row, with the full row before and after, in
// the order apply-delta writes them. It needs no database: the events come
// from the same changeset apply-delta writes, so they agree by construction.
package feed

import (
	"slices"
	"time"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// Op is the operation as a change log records it: a soft delete is an
// update there (the row stays, deleted_at is set).
type Op string

const (
	Create Op = "c"
	Update Op = "u"
	Delete Op = "d"
)

// Event is one row change.
type Event struct {
	Day int
	// Seq numbers the day's events from 1, in write order.
	Seq    int
	Op     Op
	Kind   changeset.Kind
	Schema string
	Table  *model.Table
	Key    int64
	// Before and After are full rows in column order (normalised values,
	// see model.Normalize); Before is nil for a create, After for a delete.
	Before, After []any
	// At is when the change happened in the simulation: the row's new
	// updated_at (for a delete, the time of the delete).
	At time.Time
	// First and Last mark, in the baseline (day 0), the first and last
	// row of its table.
	First, Last bool
}

// Day calls fn for every change of day n (0: the baseline, every row a
// create), in the order apply-delta and load-baseline write them. The
// Event passed to fn is reused between calls.
func Day(cfg gen.Config, sc model.Schemas, n int, fn func(*Event) error) error {
	return Days(cfg, sc, n, n, fn)
}

// Days calls fn for every change of days from to to, day after day, as
// Day does for each, in one replay of the generator: its cost is that of
// day to alone, where calling Day for each day replays all days before
// each.
func Days(cfg gen.Config, sc model.Schemas, from, to int, fn func(*Event) error) error {
	if err := gen.CheckDay(from, 0); err != nil {
		return err
	}
	if err := gen.CheckDay(to, from); err != nil {
		return err
	}
	if from == 0 {
		if err := baseline(cfg, sc, fn); err != nil {
			return err
		}
		from = 1
	}
	if to < from {
		return nil
	}
	s, err := gen.Resume(cfg, from-1)
	if err != nil {
		return err
	}
	for n := from; n <= to; n++ {
		if err := advance(s, sc, n, fn); err != nil {
			return err
		}
	}
	return nil
}

// advance plays day n on s (the state after day n-1) and calls fn for
// each of its changes.
func advance(s *gen.State, sc model.Schemas, n int, fn func(*Event) error) error {
	// The rows, as they stood before the day.
	prev := s.Before()
	cs, err := s.Advance()
	if err != nil {
		return err
	}
	// current holds the rows changed so far today, so a row changed twice
	// in a day (an order placed, paid and shipped) shows each step.
	current := map[model.TableID]map[int64][]any{}
	ev := &Event{Day: n}
	for _, g := range cs.Groups() {
		t := model.Get(g.Table)
		rows := current[t.ID]
		if rows == nil {
			rows = map[int64][]any{}
			current[t.ID] = rows
		}
		for _, st := range g.Steps {
			cols := make([]int, len(st.Columns))
			for i, c := range st.Columns {
				cols[i] = t.Col(c)
			}
			for _, r := range st.Rows {
				key := r[0].(int64)
				ev.Seq++
				ev.Kind, ev.Schema, ev.Table, ev.Key = st.Kind, sc.Of(t.System), t, key
				if st.Kind == changeset.Insert {
					ev.Op, ev.Before, ev.After = Create, nil, r
					ev.At = r[t.Col("updated_at")].(time.Time)
					rows[key] = r
				} else {
					before, ok := rows[key]
					// A generated row's position comes from its key, which
					// skips the user's band (model.KeyIndex). The state
					// keeps order lines with hard deletes.
					if !ok {
						before = prev.Row(t.ID, model.KeyIndex(key))
					}
					if st.Kind == changeset.Delete {
						ev.Op, ev.Before, ev.After, ev.At = Delete, before, nil, r[1].(time.Time)
						delete(rows, key)
					} else {
						after := slices.Clone(before)
						for i, c := range cols {
							after[c] = r[i]
						}
						ev.Op, ev.Before, ev.After = Update, before, after
						ev.At = after[t.Col("updated_at")].(time.Time)
						rows[key] = after
					}
				}
				if err := fn(ev); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// baseline streams Day 0 as creates, table by table in load order.
func baseline(cfg gen.Config, sc model.Schemas, fn func(*Event) error) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	ev := &Event{Op: Create, Kind: changeset.Insert}
	for _, t := range model.Tables() {
		updated := t.Col("updated_at")
		spans := gen.BaselineSpans(cfg, t.ID, 10000)
		for si, sp := range spans {
			rows := gen.BaselineRows(cfg, sp)
			for ri, r := range rows {
				ev.Seq++
				ev.Schema, ev.Table, ev.Key, ev.After = sc.Of(t.System), t, r[0].(int64), r
				ev.At = r[updated].(time.Time)
				ev.First, ev.Last = si == 0 && ri == 0, si == len(spans)-1 && ri == len(rows)-1
				if err := fn(ev); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
