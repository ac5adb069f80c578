package gen

import (
	"fmt"
	"slices"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// State is the simulated content of the eight tables after a given day, plus
// the bookkeeping the next day needs. It is what the database must hold.
type State struct {
	cfg Config
	day int
	d   model.Dataset
	// lean states keep no rows of the append-only tables (order_items,
	// payments, email_activity, web_sessions): the next day never reads
	// them, and they are most of the rows. appended counts them either way.
	lean     bool
	appended [model.NumTables]int
	// orders are kept compact, not in d (see order).
	orders []order
	// gone holds the keys deleted by hard deletes (see
	// Config.HardDeletes); their rows stay in d, as soft deletes would
	// have left them, so the days after play the same.
	gone [model.NumTables]map[int64]bool

	total   []model.Cents   // per order (at model.KeyIndex(id)): sum of its items
	settled []int32         // per customer (at model.KeyIndex(id)): orders shipped or completed
	pending []int64         // active pending orders, ascending
	due     map[int][]int64 // day -> shipped orders that complete that day
}

// Config returns the configuration the state was generated with.
func (s *State) Config() Config { return s.cfg }

// Day is the last day applied (0: baseline).
func (s *State) Day() int { return s.day }

// Dataset is the expected content of the tables, made anew at each call
// (the orders are kept in a form of their own); it shares the rows of the
// other tables with the state, so callers must not modify it. A lean state
// (see Resume) has no rows of the append-only tables.
func (s *State) Dataset() *model.Dataset {
	d := s.d
	d.Orders = make([]model.Order, len(s.orders))
	for i := range s.orders {
		d.Orders[i] = s.orders[i].model()
	}
	return &d
}

// Before holds the rows of a state as they stand, apart from it, so that
// they outlive the next Advance: the feed reads from it the image a row
// had before the day changed it. It copies the tables days change
// (customers, products, campaigns, and the orders in their compact form)
// and shares the append-only ones, whose rows never change.
type Before struct {
	d      model.Dataset
	orders []order
}

// Before copies the state's rows as they stand (see Before).
func (s *State) Before() *Before {
	b := &Before{d: s.d, orders: slices.Clone(s.orders)}
	b.d.Customers, b.d.Products, b.d.Campaigns = slices.Clone(s.d.Customers), slices.Clone(s.d.Products), slices.Clone(s.d.Campaigns)
	return b
}

// Row is row i of table t (see model.KeyIndex) as values in column order.
func (b *Before) Row(t model.TableID, i int) []any { return rowOf(&b.d, b.orders, t, i) }

// stored is the number of rows the state keeps of table t (none of the
// append-only tables when lean), deleted ones included.
func (s *State) stored(t model.TableID) int {
	if t == model.Orders {
		return len(s.orders)
	}
	return s.d.Len(t)
}

// row is the kept row i of table t as values in column order.
func (s *State) row(t model.TableID, i int) []any { return rowOf(&s.d, s.orders, t, i) }

// rowOf is row i of table t of d, the orders kept compact apart.
func rowOf(d *model.Dataset, orders []order, t model.TableID, i int) []any {
	if t == model.Orders {
		o := orders[i].model()
		return o.Values()
	}
	return d.Row(t, i)
}

// Len is the number of rows table t holds after the state's day, also for
// the tables a lean state does not keep.
func (s *State) Len(t model.TableID) int {
	if appendOnly(t) {
		return s.appended[t] - len(s.gone[t])
	}
	return s.stored(t) - len(s.gone[t])
}

// Gone tells whether the row of table t with the given key was deleted
// (hard deletes only). Its row is still in Dataset.
func (s *State) Gone(t model.TableID, key int64) bool { return s.gone[t][key] }

func (s *State) forget(t model.TableID, key int64) {
	if s.gone[t] == nil {
		s.gone[t] = map[int64]bool{}
	}
	s.gone[t][key] = true
}

func checkDay(n int) error { return CheckDay(n, 0) }

// CheckDay refuses a day outside first (0, the baseline, or 1, the first
// business day) to MaxDay: the one check of a day's range, in one wording,
// for every caller. The error is a *DayError, which is ErrConfig.
func CheckDay(n, first int) error {
	if n >= first && n <= MaxDay {
		return nil
	}
	return &DayError{Day: n, First: first}
}

// DayError is a day outside the range an operation takes.
type DayError struct{ Day, First int }

func (e *DayError) Error() string {
	if e.First == 0 {
		return fmt.Sprintf("day %d: days run from 0 (the baseline) to %d", e.Day, MaxDay)
	}
	return fmt.Sprintf("day %d: days run from %d to %d (day 0 is the baseline)", e.Day, e.First, MaxDay)
}

// Is makes a DayError an ErrConfig.
func (e *DayError) Is(target error) bool { return target == ErrConfig }

// appendOnly tells the tables whose rows, once written, never change.
func appendOnly(t model.TableID) bool {
	switch t {
	case model.OrderItems, model.Payments, model.EmailActivity, model.WebSessions:
		return true
	}
	return false
}

// At generates the state after the given day, with every row.
func At(cfg Config, n int) (*State, error) { return replay(cfg, n, false) }

// Resume generates the state after the given day without the rows of the
// append-only tables: all the next Advance needs, in a fraction of the
// memory and time. Its Dataset holds customers, products, orders and
// campaigns only; Len counts every table.
func Resume(cfg Config, n int) (*State, error) { return replay(cfg, n, true) }

func replay(cfg Config, n int, lean bool) (*State, error) {
	if err := checkDay(n); err != nil {
		return nil, err
	}
	// Room for one day more than n: callers resume to play the next day.
	s, err := baselineState(cfg, lean, n+1)
	if err != nil {
		return nil, err
	}
	for s.day < n {
		if err := s.AdvanceSteps(func(changeset.Step) error { return nil }); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// keepsLines tells whether the state keeps the order lines: unless it is
// lean, and always with hard deletes, which find a deleted order's lines.
func (s *State) keepsLines() bool { return !s.lean || s.cfg.HardDeletes }

// keepItems counts order lines, and keeps them when keepsLines.
func (s *State) keepItems(items []model.OrderItem) {
	s.appended[model.OrderItems] += len(items)
	if s.keepsLines() {
		s.d.OrderItems = append(s.d.OrderItems, items...)
	}
}

// prunePending drops orders that left the pending state.
func (s *State) prunePending() {
	s.pending = slices.DeleteFunc(s.pending, func(id int64) bool { return s.order(id).status != pending })
}

// customer and order find a generated row by its key. Keys skip the user's
// band (see model.KeyAt): a key is never its position plus one past it.
func (s *State) customer(id int64) *model.Customer { return &s.d.Customers[model.KeyIndex(id)] }

func (s *State) order(id int64) *order { return &s.orders[model.KeyIndex(id)] }

func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sortRows orders update rows by their key, the first value.
func sortRows(rows [][]any) {
	slices.SortFunc(rows, func(a, b []any) int { return int(a[0].(int64) - b[0].(int64)) })
}
