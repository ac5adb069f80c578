package gen

import (
	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// emailChanges: customer email changes. A few customers who were here
// before today take a new last name and, with it, a new address of the same
// form.
func (s *State) emailChanges(w *workday) {
	w.changed = s.chooseCustomers(w, tagEmailChange, w.plan.EmailChanges, func(*model.Customer) bool { return true })
	step := changeset.Step{Table: model.Customers, Kind: changeset.Update, What: "email changes", Columns: []string{"customer_id", "last_name", "email", "updated_at"}}
	for i, id := range sortedKeys(w.changed) {
		c := s.customer(id)
		r := w.rowStream(tagEmailChange, id)
		last := c.LastName
		for last == c.LastName {
			last = lastNames[r.intn(len(lastNames))]
		}
		c.LastName, c.Email = last, emailOf(c.FirstName, last, id)
		c.UpdatedAt = spread(w.at(hEmails), w.at(hLeavers), i, len(w.changed), r)
		step.Rows = append(step.Rows, []any{id, c.LastName, c.Email, c.UpdatedAt})
	}
	w.add(step)
}

// chooseCustomers draws up to want distinct active customers among those
// known at the start of the day for which ok holds, from the day's stream
// for tag. It gives up after 50 draws per customer wanted: on a small or
// quiet day fewer may qualify.
func (s *State) chooseCustomers(w *workday, tag uint64, want int, ok func(*model.Customer) bool) map[int64]bool {
	r := w.stream(tag)
	chosen := map[int64]bool{}
	for tries := 0; len(chosen) < want && tries < 50*want && w.known > 0; tries++ {
		c := &s.d.Customers[r.int63n(w.known)]
		if !c.Active() || chosen[c.ID] || !ok(c) {
			continue
		}
		chosen[c.ID] = true
	}
	return chosen
}
