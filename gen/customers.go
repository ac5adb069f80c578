package gen

import (
	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// newCustomers: new customers sign up in the early morning, with keys
// following the last customer's (past the user's band, see model.KeyAt).
func (s *State) newCustomers(w *workday) {
	step := changeset.Step{Table: model.Customers, Kind: changeset.Insert, What: "new", Columns: model.Get(model.Customers).ColumnNames()}
	for i := range w.plan.Customers {
		id := model.KeyAt(int(w.known) + i)
		r := w.rowStream(tagCustomer, id)
		c := newCustomer(id, r, spread(w.at(hCustomers), w.at(hProducts), i, w.plan.Customers, r))
		s.d.Customers = append(s.d.Customers, c)
		s.settled = append(s.settled, 0)
		step.Rows = append(step.Rows, c.Values())
	}
	w.add(step)
}

// activeCustomers are the ids of the customers who have not left.
func (s *State) activeCustomers() []int64 {
	var ids []int64
	for _, c := range s.d.Customers {
		if c.Active() {
			ids = append(ids, c.ID)
		}
	}
	return ids
}
