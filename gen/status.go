package gen

import (
	"slices"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// statusTransitions: order status updates. Status moves forward only: an
// order paid today ships (seven in ten) or completes at once, and a shipped
// order completes on its delivery day, one to three days later.
func (s *State) statusTransitions(w *workday) {
	step := changeset.Step{Table: model.Orders, Kind: changeset.Update, What: "status updates", Columns: []string{"order_id", "status", "updated_at"}}
	moves := append(append([]int64(nil), w.paid...), s.due[w.n]...)
	slices.Sort(moves)
	delete(s.due, w.n)
	for i, id := range moves {
		o := s.order(id)
		r := w.rowStream(tagShip, id)
		t := spread(w.at(hStatus), w.at(hEmails), i, len(moves), r)
		o.setUpdated(t)
		switch {
		case o.status != pending:
			o.status = completed
		case r.pct(70):
			o.status = shipped
			deliver := w.n + 1 + r.intn(3)
			s.due[deliver] = append(s.due[deliver], id)
			s.settled[model.KeyIndex(o.CustomerID)]++
		default:
			o.status = completed
			s.settled[model.KeyIndex(o.CustomerID)]++
		}
		step.Rows = append(step.Rows, []any{id, o.status.String(), t})
		w.spill(&step)
	}
	w.add(step)
	s.prunePending()
}
