package gen

import (
	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// newOrders: active customers, including those who signed up this
// morning, place new orders through the day; each awaits payment.
func (s *State) newOrders(w *workday) {
	buyers := s.activeCustomers()
	w.firstOrder = len(s.orders)
	step := changeset.Step{Table: model.Orders, Kind: changeset.Insert, What: "new", Columns: model.Get(model.Orders).ColumnNames()}
	for i := range w.plan.Orders {
		id := model.KeyAt(w.firstOrder + i)
		r := w.rowStream(tagOrder, id)
		t := spread(w.at(hOrders), w.at(hPayments), i, w.plan.Orders, r)
		o := model.Order{ID: id, CustomerID: buyers[r.intn(len(buyers))], OrderDate: w.date, Status: model.StatusPending,
			Trio: model.Trio{CreatedAt: t, UpdatedAt: t}}
		s.orders = append(s.orders, compact(o))
		s.pending = append(s.pending, id)
		step.Rows = append(step.Rows, o.Values())
	}
	w.add(step)
}

// orderItems: each new order gets 1 to 5 lines of distinct products at the
// price in effect today.
func (s *State) orderItems(w *workday) {
	w.add(changeset.Step{Table: model.OrderItems, Kind: changeset.Insert, What: "new", Columns: model.Get(model.OrderItems).ColumnNames(),
		Rows: s.addItems(w.n, w.firstOrder, w.plan.Orders, w.plan.Items)})
}

// addItems creates nItems order lines for the nOrders orders from position
// firstOrder of the dataset (already in it), 1 to 5 lines each, with distinct
// products per order at the price in effect, records the order totals and
// returns the lines as rows.
func (s *State) addItems(dayN int, firstOrder, nOrders, nItems int) [][]any {
	active := s.activeProducts()
	price := func(id int64) model.Cents { return s.d.Products[id-1].Price }
	rows := make([][]any, 0, nItems)
	for b := 0; b*itemBlock < nOrders; b++ {
		lo, hi := b*itemBlock, min((b+1)*itemBlock, nOrders)
		orders := s.orders[firstOrder+lo : firstOrder+hi]
		items, totals := makeItems(s.cfg.Seed, dayN, orders, lo*nItems/nOrders, hi*nItems/nOrders, s.appended[model.OrderItems], active, price, true)
		s.keepItems(items)
		s.total = append(s.total, totals...)
		for i := range items {
			rows = append(rows, items[i].Values())
		}
	}
	return rows
}
