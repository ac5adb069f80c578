package originsim

import (
	"context"
	"fmt"
	"strings"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// ApplyDelta plays business day n. Only the day after the recorded one is
// accepted; anything else is refused with nothing changed.
func (s *Simulator) ApplyDelta(ctx context.Context, n int) (*Status, error) {
	st, _, err := s.applyDay(ctx, n, nil)
	return st, err
}

// ApplyThrough plays every day after the recorded one up to day n, each in
// its own transaction: a failure leaves the days before it applied, and is
// a *PartialError that says which. At day n already it does nothing.
func (s *Simulator) ApplyThrough(ctx context.Context, n int) (*Status, error) {
	if err := gen.CheckDay(n, 1); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	st, err := s.Status(ctx)
	if err != nil {
		return nil, err
	}
	if st.Ledger == nil {
		return nil, notLoaded(" in %s and %s: run %s first", s.schemas.Shop, s.schemas.CRM, TermLoadBaseline)
	}
	switch cur := st.Day(); {
	case cur > n:
		return nil, stateErr("%s and %s are at day %d, past day %d: %s to start again", s.schemas.Shop, s.schemas.CRM, cur, n, TermReset)
	case cur == n:
		s.note("%s and %s are at day %d already: nothing to do", s.schemas.Shop, s.schemas.CRM, n)
		return st, nil
	}
	var state *gen.State
	var applied *Status
	for d := st.Day() + 1; d <= n; d++ {
		if st, state, err = s.applyDay(ctx, d, state); err != nil {
			return nil, &PartialError{Applied: applied, Failed: d, Err: err}
		}
		applied = st
	}
	return st, nil
}

// PartialError is ApplyThrough stopping part-way: every day before Failed
// was applied and committed, and Applied is the status after the last of
// them (nil when the first day failed). Its message is Err's.
type PartialError struct {
	Applied *Status
	Failed  int
	Err     error
}

func (e *PartialError) Error() string { return e.Err.Error() }

func (e *PartialError) Unwrap() error { return e.Err }

// applyDay applies day n in one transaction. prev, when it is the
// generator's state of the recorded day, saves recomputing it from Day 0;
// the state after day n is returned for the next call.
func (s *Simulator) applyDay(ctx context.Context, n int, prev *gen.State) (*Status, *gen.State, error) {
	if err := gen.CheckDay(n, 1); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	var st *Status
	var state *gen.State
	err := s.run(ctx, func(tx driver.Tx) error {
		f, err := s.loaded(ctx, tx)
		if err != nil {
			return err
		}
		cur := f.ledger.Day
		switch {
		case n <= cur:
			return stateErr("day %d is already applied: %s and %s are at day %d; the next is %s %d (or %s to start again)",
				n, s.schemas.Shop, s.schemas.CRM, cur, TermApplyDay, cur+1, TermReset)
		case n > cur+1:
			return stateErr("%s and %s are at day %d: days apply in order, run %s %d next", s.schemas.Shop, s.schemas.CRM, cur, TermApplyDay, cur+1)
		}
		state = prev
		if state == nil || state.Day() != cur || state.Config() != f.ledger.Config {
			if state, err = gen.Resume(f.ledger.Config, cur); err != nil {
				return err
			}
		}
		cs, err := state.Advance()
		if err != nil {
			return err
		}
		if err := s.keepUsersRows(ctx, tx, cs); err != nil {
			return err
		}
		if f.ledger.Config.HardDeletes {
			// A day's DELETEs would cascade into, or fail on, a table of
			// the user's that references originsim's.
			if err := s.refuseReferences(ctx, tx, fmt.Sprintf("day %d, whose hard deletes", n)); err != nil {
				return err
			}
		}
		s.title("Applying Day %02d delta changes...", n)
		if err := s.applyChanges(ctx, tx, cs, n); err != nil {
			return err
		}
		if err := f.ledger.upgrade(ctx, tx, s.t.Dialect(), s.schemas.Shop); err != nil {
			return err
		}
		l := NewLedger(n, "apply-delta", f.ledger.Config, s.schemas.CRM)
		if err := tx.Insert(ctx, s.schemas.Shop, ledgerTable, [][]any{l.Row()}); err != nil {
			return err
		}
		st, err = s.status(ctx, tx, l)
		return err
	})
	if err != nil {
		return nil, nil, err // state, if advanced, no longer matches the database
	}
	return st, state, nil
}

// label is the progress line of one group of steps.
func label(g *changeset.Group) string {
	t := model.Get(g.Table)
	kind := "changes"
	switch {
	case g.Deletes:
		kind = "deletes"
	case g.Status:
		kind = "status updates"
	case g.Steps[0].Kind != changeset.Insert:
		kind = "updates"
	}
	var parts []string
	for _, st := range g.Steps {
		parts = append(parts, fmt.Sprintf("%d %s", len(st.Rows), st.What))
	}
	return fmt.Sprintf("Applied %s %s (%s)", t.Name, kind, strings.Join(parts, ", "))
}

// applyChanges writes one day's changeset: inserts through the bulk path,
// updates and soft deletes as set-based statements. Where the database
// says how many rows a statement found, every row the day changes must be
// there: a row removed by hand stops the day, nothing changed.
func (s *Simulator) applyChanges(ctx context.Context, tx driver.Tx, cs *changeset.Changeset, day int) error {
	sys := model.System(-1)
	for _, g := range cs.Groups() {
		t := model.Get(g.Table)
		schema := s.schemas.Of(t.System)
		if t.System != sys {
			sys = t.System
			s.section("Applying %s delta...", schema)
		}
		for _, st := range g.Steps {
			if st.Kind == changeset.Insert {
				if err := tx.Insert(ctx, schema, t, st.Rows); err != nil {
					return err
				}
				continue
			}
			found, err := s.change(ctx, tx, schema, t, st)
			if err != nil {
				return fmt.Errorf("%s %s: %w", t.Name, st.What, err)
			}
			if found >= 0 && found != int64(len(st.Rows)) {
				return stateErr("day %d changes %d rows of %s.%s (%s), but only %d of them are where day %d left them: the database was changed by hand; nothing changed (verify names the rows, %s starts again)",
					day, len(st.Rows), schema, t.Name, st.What, found, day-1, TermReset)
			}
		}
		s.step("%s", label(g))
	}
	return nil
}

// change writes an update, soft delete or delete step, and returns how
// many rows it found, or -1 when the database does not say.
func (s *Simulator) change(ctx context.Context, tx driver.Tx, schema string, t *model.Table, st changeset.Step) (int64, error) {
	if u, ok := tx.(driver.Updater); ok && st.Kind != changeset.Delete {
		return u.Update(ctx, schema, t, st.Columns, st.Rows)
	}
	counter, counts := tx.(driver.ExecCounter)
	var found int64
	err := driver.Statements(s.t.Dialect(), schema, t, st, func(q string) error {
		if !counts {
			return tx.Exec(ctx, q)
		}
		n, err := counter.ExecCount(ctx, q)
		if n < 0 {
			counts = false
		}
		found += n
		return err
	})
	if !counts {
		return -1, err
	}
	return found, err
}

// keepUsersRows stops a day whose hard deletes would take a row from under
// the user's own rows (keys 5000 to 9999, which days never change): a
// customer who leaves while an order of the user's names them, a cancelled
// order a line or payment of the user's belongs to. The database's foreign
// keys would refuse the delete half-way with an error of their own; this
// names the rows first, before anything is written.
func (s *Simulator) keepUsersRows(ctx context.Context, tx driver.Tx, cs *changeset.Changeset) error {
	deleted := map[model.TableID]map[int64]bool{}
	for _, st := range cs.Steps {
		if st.Kind != changeset.Delete {
			continue
		}
		if deleted[st.Table] == nil {
			deleted[st.Table] = map[int64]bool{}
		}
		for _, r := range st.Rows {
			deleted[st.Table][r[0].(int64)] = true
		}
	}
	if len(deleted) == 0 {
		return nil
	}
	d := s.t.Dialect()
	var holding []string
	for _, t := range model.Tables() {
		for _, fk := range t.ForeignKeys {
			gone := deleted[fk.Ref]
			if !fk.Enforced || len(gone) == 0 {
				continue
			}
			schema, key := s.schemas.Of(t.System), d.Quote(t.Key())
			q := fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s BETWEEN %d AND %d ORDER BY %s",
				key, d.Quote(fk.Column), d.Table(schema, t.Name), key, model.CustomFrom, model.CustomTo, key)
			var rows []string
			err := tx.Query(ctx, q, []model.Kind{model.Int, model.Int}, func(v []any) error {
				if ref, ok := v[1].(int64); ok && gone[ref] {
					rows = append(rows, fmt.Sprintf("%d (%s %d)", v[0], fk.Column, ref))
				}
				return nil
			})
			if err != nil {
				return fmt.Errorf("read the user's rows of %s.%s: %w", schema, t.Name, err)
			}
			if len(rows) > 0 {
				holding = append(holding, fmt.Sprintf("%s.%s %s", schema, t.Name, strings.Join(rows, ", ")))
			}
		}
	}
	if len(holding) == 0 {
		return nil
	}
	return stateErr("day %d deletes rows (hard deletes: customers who leave, cancelled orders) that rows of your own (%s) refer to: %s; nothing changed: delete those rows or point them at other keys, then run %s %d again",
		cs.Day, model.CustomBand(), strings.Join(holding, "; "), TermApplyDay, cs.Day)
}
