package gen

import (
	"slices"
	"sort"
	"time"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// departures: soft deletes (a customer leaves, an order is cancelled), or
// real deletes with Config.HardDeletes. Customers leave; their pending
// orders are cancelled with them; then a few other pending orders are
// cancelled by their customers.
func (s *State) departures(w *workday) {
	left, leftAt := s.customersLeave(w)
	cancel := s.cancellations(w, leftAt)
	cancelled := s.cancelOrders(cancel)
	if s.cfg.HardDeletes {
		s.hardDeletes(w, left.Rows, cancel)
	} else {
		w.add(left)
		w.add(cancelled)
	}
	s.prunePending()
}

// customersLeave: a few customers leave, only among those with nothing
// shipped or completed, and not the ones who just changed address. It
// returns the step and when each leaver left.
func (s *State) customersLeave(w *workday) (changeset.Step, map[int64]time.Time) {
	leaving := s.chooseCustomers(w, tagLeave, w.plan.Leavers, func(c *model.Customer) bool {
		return !w.changed[c.ID] && s.settled[model.KeyIndex(c.ID)] == 0
	})
	leavers := sortedKeys(leaving)
	step := changeset.Step{Table: model.Customers, Kind: changeset.SoftDelete, What: "left", Columns: []string{"customer_id", "updated_at", "deleted_at"}}
	leftAt := map[int64]time.Time{}
	for i, id := range leavers {
		c := s.customer(id)
		t := spread(w.at(hLeavers), w.at(hCancels), i, len(leavers), w.rowStream(tagLeave, id))
		c.UpdatedAt, c.DeletedAt = t, t
		leftAt[id] = t
		step.Rows = append(step.Rows, []any{id, t, t})
	}
	return step, leftAt
}

// cancellations picks the pending orders cancelled today and when: those
// of the customers who left, as they left, and a few others cancelled by
// their customers in the evening.
func (s *State) cancellations(w *workday, leftAt map[int64]time.Time) map[int64]time.Time {
	cancel := map[int64]time.Time{}
	for _, id := range s.pending {
		if t, ok := leftAt[s.order(id).CustomerID]; ok {
			cancel[id] = t
		}
	}
	var others []int64
	r := w.stream(tagCancel)
	want := w.plan.Cancellations
	for tries := 0; len(others) < want && tries < 50*want && len(s.pending) > 0; tries++ {
		id := s.pending[r.intn(len(s.pending))]
		if _, dup := cancel[id]; !dup {
			cancel[id] = time.Time{}
			others = append(others, id)
		}
	}
	slices.Sort(others)
	for i, id := range others {
		cancel[id] = spread(w.at(hCancels), w.at(hEnd), i, len(others), w.rowStream(tagCancel, id))
	}
	return cancel
}

// cancelOrders cancels the orders at the given moments and returns the
// soft deletes that say so.
func (s *State) cancelOrders(cancel map[int64]time.Time) changeset.Step {
	step := changeset.Step{Table: model.Orders, Kind: changeset.SoftDelete, What: "cancellations", Columns: []string{"order_id", "status", "updated_at", "deleted_at"}}
	for _, id := range sortedKeys(cancel) {
		o, t := s.order(id), cancel[id]
		o.status = cancelled
		o.setUpdated(t)
		o.setDeleted(t)
		step.Rows = append(step.Rows, []any{id, model.StatusCancelled, t, t})
	}
	return step
}

// hardDeletes turns the day's departures and cancellations into deletes
// (the state has already changed the rows as soft deletes would, so the
// days after play the same): the customers who left, with every order
// they still have (the pending ones cancelled today and any cancelled
// before Day 1, which a soft delete kept), and each deleted order's items.
// Rows are keyed, with the moment of the delete. Children go first: items,
// then orders, then customers.
func (s *State) hardDeletes(w *workday, left [][]any, cancel map[int64]time.Time) {
	orders := s.ordersToDelete(left, cancel)
	items := changeset.Step{Table: model.OrderItems, Kind: changeset.Delete, What: "of deleted orders", Columns: []string{"order_item_id", "deleted_at"}}
	gone := changeset.Step{Table: model.Orders, Kind: changeset.Delete, What: "cancelled", Columns: []string{"order_id", "deleted_at"}}
	for _, id := range sortedKeys(orders) {
		t := orders[id]
		gone.Rows = append(gone.Rows, []any{id, t})
		s.forget(model.Orders, id)
		lines := s.d.OrderItems
		for i := sort.Search(len(lines), func(i int) bool { return lines[i].OrderID >= id }); i < len(lines) && lines[i].OrderID == id; i++ {
			items.Rows = append(items.Rows, []any{lines[i].ID, t})
			s.forget(model.OrderItems, lines[i].ID)
		}
	}
	sortRows(items.Rows)
	customers := changeset.Step{Table: model.Customers, Kind: changeset.Delete, What: "left", Columns: []string{"customer_id", "deleted_at"}}
	for _, r := range left {
		customers.Rows = append(customers.Rows, []any{r[0], r[1]})
		s.forget(model.Customers, r[0].(int64))
	}
	w.add(items)
	w.add(gone)
	w.add(customers)
}

// ordersToDelete is the orders a hard delete removes today, with the moment:
// those cancelled today, and every order not yet deleted of a customer who
// left (as they left).
func (s *State) ordersToDelete(left [][]any, cancel map[int64]time.Time) map[int64]time.Time {
	leftAt := map[int64]time.Time{}
	for _, r := range left {
		leftAt[r[0].(int64)] = r[1].(time.Time)
	}
	orders := map[int64]time.Time{}
	for id, t := range cancel {
		orders[id] = t
	}
	if len(leftAt) > 0 {
		for i := range s.orders {
			o := &s.orders[i]
			if t, ok := leftAt[o.CustomerID]; ok && !s.Gone(model.Orders, o.ID) {
				if _, dup := orders[o.ID]; !dup {
					orders[o.ID] = t
				}
			}
		}
	}
	return orders
}
