package simtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// The user's own clock: long after the simulated days, to the microsecond.
var usersClock = time.Date(2031, 5, 6, 7, 8, 9, 123456000, time.UTC)

// usersRows are rows of the user's own, as the operations guide has them
// added (ids 5000 and up): a customer, an order of theirs for customerOf,
// and its line, by table.
func usersRows(customerOf int64) map[model.TableID][][]any {
	trio := model.Trio{CreatedAt: usersClock, UpdatedAt: usersClock}
	cu := model.Customer{ID: 5000, FirstName: "Ada", LastName: "Custom", Email: "ada@home.test", Trio: trio}
	o := model.Order{ID: 5001, CustomerID: customerOf, OrderDate: model.Day(usersClock), Status: "on hold", Trio: trio}
	it := model.OrderItem{ID: 5002, OrderID: 5001, ProductID: 1, Quantity: 2, UnitPrice: 999, Trio: trio}
	return map[model.TableID][][]any{model.Customers: {cu.Values()}, model.Orders: {o.Values()}, model.OrderItems: {it.Values()}}
}

// insertUsersRows writes rows of the user's own, parents first.
func (s *suite) insertUsersRows(t *testing.T, sc model.Schemas, rows map[model.TableID][][]any) {
	t.Helper()
	err := s.rawIn(t.Context(), sc, func(ctx context.Context, _ driver.Dialect, tx driver.Tx) error {
		for _, tb := range model.Tables() {
			if r := rows[tb.ID]; len(r) > 0 {
				if err := tx.Insert(ctx, sc.Of(tb.System), tb, r); err != nil {
					return fmt.Errorf("insert the user's %s: %w", tb.Name, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// usersRowsNow reads back the rows with keys in the user's band, as
// canonical text.
func (s *suite) usersRowsNow(t *testing.T, sc model.Schemas) string {
	t.Helper()
	var b strings.Builder
	err := s.rawIn(t.Context(), sc, func(ctx context.Context, d driver.Dialect, tx driver.Tx) error {
		for _, tb := range model.Tables() {
			err := tx.Query(ctx, d.Select(sc.Of(tb.System), tb), driver.Kinds(tb), func(v []any) error {
				if model.IsCustom(v[0].(int64)) {
					b.WriteString(tb.Name + ":" + canonical(tb, v) + "\n")
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func canonical(tb *model.Table, v []any) string {
	parts := make([]string, len(v))
	for i, c := range tb.Columns {
		parts[i] = model.Canonical(c.Kind, v[i])
	}
	return strings.Join(parts, "|")
}

// customRows plays the operations guide's custom data on every target:
// rows of the user's own (ids 5000 to 9999) that status counts apart,
// verify reports apart and passes (strict fails), twenty days at scale 10
// play past (every growing table's keys go from 4999 to 10000) without
// changing them, and reset removes. With hard deletes, a day that would
// delete a customer an order of the user's names stops, names the order,
// and changes nothing.
func (s *suite) customRows(t *testing.T) {
	ctx := t.Context()
	sc := s.newSchemas(t)
	sim := s.open(t, sc)
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{Scale: 10}); err != nil {
		t.Fatalf("load-baseline --scale 10: %v", err)
	}
	before, err := sim.Verify(ctx)
	if err != nil || !before.OK {
		t.Fatalf("verify of Day 0 at scale 10: %v %s", err, failures(before))
	}
	s.insertUsersRows(t, sc, usersRows(5000))
	mine := s.usersRowsNow(t, sc)
	if strings.Count(mine, "\n") != 3 {
		t.Fatalf("the user's rows read back: %q", mine)
	}

	st, err := sim.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range st.Tables {
		tb, _ := model.ByName(tc.Table)
		want := int64(0)
		if tb.ID == model.Customers || tb.ID == model.Orders || tb.ID == model.OrderItems {
			want = 1
		}
		if tc.Custom != want || tc.Rows != int64(before.Tables[tb.ID].Rows)+want {
			t.Errorf("status: %s has %d rows, %d custom; want %d, %d", tc.Name(), tc.Rows, tc.Custom, before.Tables[tb.ID].Rows+int(want), want)
		}
	}

	// verify passes and reports them apart; the fingerprints are the
	// generated rows'. Strict fails on them.
	rep := s.verify(t, sim, originsim.VerifyOptions{})
	if !rep.OK || rep.Strict || rep.CustomRows != 3 || rep.Tables[model.Customers].CustomIDs != "5000-5000" {
		t.Fatalf("verify with the user's rows: ok %v, custom %d %s", rep.OK, rep.CustomRows, failures(rep))
	}
	for i := range rep.Tables {
		if rep.Tables[i].Fingerprint != before.Tables[i].Fingerprint || rep.Tables[i].Rows != before.Tables[i].Rows {
			t.Errorf("%s: the user's rows count in the fingerprint or the rows", rep.Tables[i].Table)
		}
	}
	strict := s.verify(t, sim, originsim.VerifyOptions{Strict: true})
	if strict.OK || !strict.Strict || strict.Tables[model.Customers].OK || !strict.Tables[model.Products].OK {
		t.Fatalf("strict verify with the user's rows: ok %v, customers ok %v", strict.OK, strict.Tables[model.Customers].OK)
	}

	// Twenty days play past the band and leave the user's rows as they were.
	if st, err = sim.ApplyThrough(ctx, 20); err != nil {
		t.Fatalf("apply-delta --through 20 with the user's rows: %v", err)
	}
	if got := s.usersRowsNow(t, sc); got != mine {
		t.Errorf("the days changed the user's rows:\n got %s\nwant %s", got, mine)
	}
	if rep = s.verify(t, sim, originsim.VerifyOptions{}); !rep.OK || rep.Day != 20 || rep.CustomRows != 3 {
		t.Fatalf("verify at day 20 with the user's rows: day %d, custom %d %s", rep.Day, rep.CustomRows, failures(rep))
	}
	for _, tr := range rep.Tables {
		tb, _ := model.ByName(tr.Table[strings.IndexByte(tr.Table, '.')+1:])
		if tb.ID != model.Products && tb.ID != model.Campaigns && !strings.Contains(tr.IDRange, "-4999,10000-") {
			t.Errorf("day 20: %s has ids %s, not across the band", tr.Table, tr.IDRange)
		}
	}

	// reset removes them.
	if st, err = sim.Reset(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatalf("reset: %v", err)
	}
	for _, tc := range st.Tables {
		if tc.Custom != 0 {
			t.Errorf("after reset %s holds %d custom rows", tc.Name(), tc.Custom)
		}
	}
	if st, err = sim.Status(ctx); err != nil || st.Custom(model.Customers) != 0 {
		t.Fatalf("status after reset: %v", err)
	}
	if got := s.usersRowsNow(t, sc); got != "" {
		t.Errorf("after reset the user's rows are still there: %s", got)
	}
	if rep = s.verify(t, sim, originsim.VerifyOptions{}); !rep.OK || rep.Day != 0 || rep.CustomRows != 0 {
		t.Fatalf("verify after reset: day %d, custom %d %s", rep.Day, rep.CustomRows, failures(rep))
	}

	s.customRowsHardDeletes(t)
}

// customRowsHardDeletes: a day whose hard deletes take a customer an order
// of the user's names stops with ErrState, naming the order, and nothing
// changes; without that order the day applies.
func (s *suite) customRowsHardDeletes(t *testing.T) {
	ctx := t.Context()
	var refused string
	if err := s.raw(ctx, func(_ context.Context, d driver.Dialect, _ driver.Tx) error {
		refused = d.HardDeletesRefused()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if refused != "" {
		return // the hardDeletes case checks the refusal
	}
	cfg := gen.Default()
	cfg.HardDeletes = true
	state, _, err := gen.Baseline(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := state.Advance()
	if err != nil {
		t.Fatal(err)
	}
	var leaver int64
	for _, st := range cs.Steps {
		if st.Table == model.Customers && st.Kind == changeset.Delete && len(st.Rows) > 0 {
			leaver = st.Rows[0][0].(int64)
		}
	}
	if leaver == 0 {
		t.Fatal("day 1 with hard deletes deletes no customer")
	}
	sc := s.newSchemas(t)
	sim := s.open(t, sc)
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{Deletes: "hard"}); err != nil {
		t.Fatal(err)
	}
	rows := usersRows(leaver)
	delete(rows, model.Customers)
	s.insertUsersRows(t, sc, rows)
	_, err = sim.ApplyDelta(ctx, 1)
	wantErr(t, "apply-delta 1 deleting a customer an order of the user's names", err, originsim.ErrState)
	name := fmt.Sprintf("%s.orders 5001 (customer_id %d)", sc.Shop, leaver)
	if !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "nothing changed") {
		t.Errorf("the refusal does not name %q: %v", name, err)
	}
	t.Logf("day 1 refused: %v", err)
	var pe *originsim.PartialError
	if errors.As(err, &pe) {
		t.Errorf("ApplyDelta returned a PartialError: %v", err)
	}
	if rep := s.verify(t, sim, originsim.VerifyOptions{}); !rep.OK || rep.Day != 0 || rep.CustomRows != 2 {
		t.Fatalf("after the refused day: day %d, custom %d %s", rep.Day, rep.CustomRows, failures(rep))
	}
	err = s.rawIn(ctx, sc, func(ctx context.Context, d driver.Dialect, tx driver.Tx) error {
		if err := tx.Exec(ctx, d.Delete(sc.Shop, model.Get(model.OrderItems), []int64{5002})); err != nil {
			return err
		}
		return tx.Exec(ctx, d.Delete(sc.Shop, model.Get(model.Orders), []int64{5001}))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ApplyDelta(ctx, 1); err != nil {
		t.Fatalf("apply-delta 1 once the user's order is gone: %v", err)
	}
	if rep := s.verify(t, sim, originsim.VerifyOptions{}); !rep.OK || rep.Day != 1 {
		t.Fatalf("verify at day 1 with hard deletes: day %d %s", rep.Day, failures(rep))
	}
}

// verify runs VerifyWith, which must not fail as an operation.
func (s *suite) verify(t *testing.T, sim *originsim.Simulator, o originsim.VerifyOptions) *originsim.Report {
	t.Helper()
	rep, err := sim.VerifyWith(t.Context(), o)
	if err != nil {
		t.Fatalf("verify (strict %v): %v", o.Strict, err)
	}
	return rep
}

// rawIn is raw with the lock of the schemas sc, as the Simulator's
// operations on them take: the servers are shared, and a database-wide
// lock would wait for other tests' operations.
func (s *suite) rawIn(ctx context.Context, sc model.Schemas, fn func(ctx context.Context, d driver.Dialect, tx driver.Tx) error) error {
	return s.rawScoped(ctx, sc.Shop, fn)
}
