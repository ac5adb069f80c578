package gen

import (
	"fmt"
	"slices"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// payments: new payments settle pending orders through the afternoon. About
// one paid order in six is paid in a split of two or three payments across
// methods; the payments of an order add up exactly, to the cent, to its
// total. The orders paid move on in the status step.
func (s *State) payments(w *workday) error {
	step := changeset.Step{Table: model.Payments, Kind: changeset.Insert, What: "new", Columns: model.Get(model.Payments).ColumnNames()}
	if w.plan.Payments > 0 {
		paid, parts, err := s.choosePaid(w.n, w.plan.Payments)
		if err != nil {
			return err
		}
		w.paid = paid
		s.pay(w, &step, paid, parts)
	}
	w.add(step)
	return nil
}

// choosePaid picks the pending orders that the day's payments settle, in id
// order, and how many payments each gets (1 to 3).
func (s *State) choosePaid(n, payments int) ([]int64, map[int64]int, error) {
	orders := (payments*5 + 5) / 6
	if orders > len(s.pending) || payments > 3*orders {
		return nil, nil, fmt.Errorf("gen: day %d: %d payments need %d pending orders, %d are pending", n, payments, orders, len(s.pending))
	}
	paid := rank(s.cfg.Seed, tagPay, n, s.pending)[:orders]
	parts := make(map[int64]int, orders)
	for _, id := range paid {
		parts[id] = 1
	}
	byHash := rank(s.cfg.Seed, tagSplit, n, paid)
	for extra := payments - orders; extra > 0; {
		for _, id := range byHash {
			if extra == 0 {
				break
			}
			if parts[id] < 3 {
				parts[id]++
				extra--
			}
		}
	}
	slices.Sort(paid)
	return paid, parts, nil
}

// pay makes the payments of the paid orders, parts[id] for order id, as
// the rows of step.
func (s *State) pay(w *workday, step *changeset.Step, paid []int64, parts map[int64]int) {
	step.Rows = make([][]any, 0, w.room(w.plan.Payments))
	first := s.appended[model.Payments]
	for _, id := range paid {
		r := w.rowStream(tagPayRow, id)
		for _, part := range split(r, s.total[model.KeyIndex(id)], parts[id]) {
			i := s.appended[model.Payments] - first
			t := spread(w.at(hPayments), w.at(hStatus), i, w.plan.Payments, r)
			pm := model.Payment{ID: model.KeyAt(first + i), OrderID: id, Method: part.method, Amount: part.amount, Trio: model.Trio{CreatedAt: t, UpdatedAt: t}}
			s.appended[model.Payments]++
			if !s.lean {
				s.d.Payments = append(s.d.Payments, pm)
			}
			step.Rows = append(step.Rows, pm.Values())
			w.spill(step)
		}
	}
}

type payPart struct {
	method string
	amount model.Cents
}

// split pays total in k parts: gift cards and coupons cover 5-30 % each, a
// primary method the exact rest, so the parts add up to the cent.
func split(r *rng, total model.Cents, k int) []payPart {
	var parts []payPart
	rest := total
	secondary := r.intn(2)
	for j := 0; j < k-1; j++ {
		amt := max(1, total*model.Cents(5+r.intn(26))/100)
		parts = append(parts, payPart{secondaryMethods[(secondary+j)%2], amt})
		rest -= amt
	}
	return append(parts, payPart{primaryMethods[r.intn(len(primaryMethods))], rest})
}
