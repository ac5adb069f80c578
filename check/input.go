package check

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/originsim/originsim/model"
)

// Input is what the rules read: one state's rows, and the lookups over them
// that several rules share, built once.
//
// The user's own rows (keys in model's band, 5000-9999) are held only to the
// rules marked Custom: their keys and references. The other rules are the
// generator's promises about its own rows, and see the generated rows only,
// through generated.
type Input struct {
	d     *model.Dataset
	until time.Time
	o     Options
	// generated is the Input of the generated rows alone: this Input when
	// d holds no custom rows.
	generated *Input

	// Rows by key; where a key repeats, the last row stands.
	customers map[int64]*model.Customer
	products  map[int64]*model.Product
	orders    map[int64]*model.Order
	campaigns map[int64]*model.Campaign

	items map[int64]int         // order key -> its number of items
	total map[int64]model.Cents // order key -> sum of quantity x unit_price
	paid  map[int64]model.Cents // order key -> sum of its payments

	lastCustomer int64 // the last generated customer's key, 0 without any
}

// NewInput prepares d for the rules: until is the end of the recorded day,
// o says how the data was made.
func NewInput(d *model.Dataset, until time.Time, o Options) *Input {
	in := newInput(d, until, o)
	in.generated = in
	if g, custom := d.Split(); hasRows(custom) {
		in.generated = newInput(g, until, o)
		in.generated.generated = in.generated
	}
	return in
}

func hasRows(d *model.Dataset) bool {
	for _, t := range model.Tables() {
		if d.Len(t.ID) > 0 {
			return true
		}
	}
	return false
}

func newInput(d *model.Dataset, until time.Time, o Options) *Input {
	in := &Input{d: d, until: until, o: o}
	in.customers = byKey(d.Customers, func(x *model.Customer) int64 { return x.ID })
	in.products = byKey(d.Products, func(x *model.Product) int64 { return x.ID })
	in.orders = byKey(d.Orders, func(x *model.Order) int64 { return x.ID })
	in.campaigns = byKey(d.Campaigns, func(x *model.Campaign) int64 { return x.ID })
	in.items, in.total = map[int64]int{}, map[int64]model.Cents{}
	for _, x := range d.OrderItems {
		in.items[x.OrderID]++
		in.total[x.OrderID] += model.Cents(x.Quantity) * x.UnitPrice
	}
	in.paid = map[int64]model.Cents{}
	for _, x := range d.Payments {
		in.paid[x.OrderID] += x.Amount
	}
	for i := len(d.Customers) - 1; i >= 0; i-- {
		if id := d.Customers[i].ID; !model.IsCustom(id) {
			in.lastCustomer = id
			break
		}
	}
	return in
}

func byKey[T any](rows []T, key func(*T) int64) map[int64]*T {
	m := make(map[int64]*T, len(rows))
	for i := range rows {
		m[key(&rows[i])] = &rows[i]
	}
	return m
}

// customer reports whether a CRM row's customer_id may stand: the customer
// is there or, with hard deletes, may have been deleted (a generated key,
// no later than the last generated customer: days delete no custom rows).
func (in *Input) customer(id int64) bool {
	return in.customers[id] != nil || (in.o.HardDeletes && id >= 1 && !model.IsCustom(id) && id <= in.lastCustomer)
}

// paidOrders are the keys of the orders that payments name, in order.
func (in *Input) paidOrders() []int64 { return slices.Sorted(maps.Keys(in.paid)) }

// rows is one table as the rules every table obeys see it.
type rows struct {
	n    int
	key  func(i int) int64
	trio func(i int) model.Trio
}

func (in *Input) rows(t model.TableID) rows {
	d := in.d
	switch t {
	case model.Customers:
		x := d.Customers
		return rows{len(x), func(i int) int64 { return x[i].ID }, func(i int) model.Trio { return x[i].Trio }}
	case model.Products:
		x := d.Products
		return rows{len(x), func(i int) int64 { return x[i].ID }, func(i int) model.Trio { return x[i].Trio }}
	case model.Orders:
		x := d.Orders
		return rows{len(x), func(i int) int64 { return x[i].ID }, func(i int) model.Trio { return x[i].Trio }}
	case model.OrderItems:
		x := d.OrderItems
		return rows{len(x), func(i int) int64 { return x[i].ID }, func(i int) model.Trio { return x[i].Trio }}
	case model.Payments:
		x := d.Payments
		return rows{len(x), func(i int) int64 { return x[i].ID }, func(i int) model.Trio { return x[i].Trio }}
	case model.Campaigns:
		x := d.Campaigns
		return rows{len(x), func(i int) int64 { return x[i].ID }, func(i int) model.Trio { return x[i].Trio }}
	case model.EmailActivity:
		x := d.EmailActivity
		return rows{len(x), func(i int) int64 { return x[i].ID }, func(i int) model.Trio { return x[i].Trio }}
	case model.WebSessions:
		x := d.WebSessions
		return rows{len(x), func(i int) int64 { return x[i].ID }, func(i int) model.Trio { return x[i].Trio }}
	}
	panic(fmt.Sprintf("check: no rows for table %d", t))
}
