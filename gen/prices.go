package gen

import (
	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// priceChanges: product updates. On Day 2 (and every week after) a few
// products change price, and on Day 2 one is discontinued; orders placed
// later pay the new prices. At least one product always stays on sale.
func (s *State) priceChanges(w *workday) {
	p := w.plan
	if p.PriceChanges+p.Discontinued == 0 {
		return
	}
	r := w.stream(tagPrice)
	active := s.activeProducts()
	picks := pickDistinct(r, len(active), min(len(active)-1, p.PriceChanges+p.Discontinued))
	prices := changeset.Step{Table: model.Products, Kind: changeset.Update, What: "price changes", Columns: []string{"product_id", "price", "updated_at"}}
	gone := changeset.Step{Table: model.Products, Kind: changeset.SoftDelete, What: "discontinued", Columns: []string{"product_id", "updated_at", "deleted_at"}}
	for i, k := range picks {
		prod := &s.d.Products[active[k]-1]
		t := spread(w.at(hProducts), w.at(hOrders), i, len(picks), r)
		prod.UpdatedAt = t
		if i < p.PriceChanges {
			prod.Price = newPrice(prod.Price, r)
			prices.Rows = append(prices.Rows, []any{prod.ID, prod.Price, t})
		} else {
			prod.DeletedAt = t
			gone.Rows = append(gone.Rows, []any{prod.ID, t, t})
		}
	}
	sortRows(prices.Rows)
	sortRows(gone.Rows)
	w.add(prices)
	w.add(gone)
}

// newPrice moves a price by 5-15 % up or down, to a .99 price point.
func newPrice(old model.Cents, r *rng) model.Cents {
	for {
		pct := model.Cents(5 + r.intn(11))
		if r.pct(40) {
			pct = -pct
		}
		p := (old*(100+pct)/100)/100*100 + 99
		if p != old && p > 0 {
			return p
		}
	}
}

// activeProducts are the ids of the products still on sale.
func (s *State) activeProducts() []int64 {
	var ids []int64
	for _, p := range s.d.Products {
		if p.Active() {
			ids = append(ids, p.ID)
		}
	}
	return ids
}
