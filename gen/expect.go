package gen

import (
	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// Expect streams the content of the eight tables after day n to fn, each
// table's rows in key order (the tables interleave), without holding the
// append-only tables in memory: their rows are produced as the days that
// inserted them are replayed (with hard deletes, which can remove them
// later, the whole state is built first). The rows of customers, products, orders and
// campaigns, which days change, come last, from the final state. An error
// from fn stops the stream and is returned.
func Expect(cfg Config, n int, fn func(t model.TableID, row []any) error) error {
	if err := checkDay(n); err != nil {
		return err
	}
	if cfg.HardDeletes {
		return expectAll(cfg, n, fn)
	}
	s, err := Resume(cfg, 0)
	if err != nil {
		return err
	}
	for _, t := range []model.TableID{model.OrderItems, model.EmailActivity, model.WebSessions} {
		for _, sp := range BaselineSpans(cfg, t, 10000) {
			for _, row := range BaselineRows(cfg, sp) {
				if err := fn(t, row); err != nil {
					return err
				}
			}
		}
	}
	for s.day < n {
		err := s.AdvanceSteps(func(st changeset.Step) error {
			if st.Kind != changeset.Insert || !appendOnly(st.Table) {
				return nil
			}
			for _, row := range st.Rows {
				if err := fn(st.Table, row); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, t := range model.Tables() {
		if appendOnly(t.ID) {
			continue
		}
		for i, rows := 0, s.stored(t.ID); i < rows; i++ {
			if err := fn(t.ID, s.row(t.ID, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// expectAll streams the full state without the deleted rows: with hard
// deletes an append-only row may be deleted after the day that made it.
func expectAll(cfg Config, n int, fn func(t model.TableID, row []any) error) error {
	s, err := At(cfg, n)
	if err != nil {
		return err
	}
	for _, t := range model.Tables() {
		for i, rows := 0, s.stored(t.ID); i < rows; i++ {
			row := s.row(t.ID, i)
			if s.Gone(t.ID, row[0].(int64)) {
				continue
			}
			if err := fn(t.ID, row); err != nil {
				return err
			}
		}
	}
	return nil
}
