package model

import "fmt"

// The user's own rows. Keys CustomFrom to CustomTo, in every table, belong
// to the user (the operations guide's custom data, "IDs 5000 and up"): the
// generator never makes them, so however long the simulation runs, its rows
// never collide with the user's. Generated keys are 1 to CustomFrom-1, then
// CustomTo+1 on; KeyAt and KeyIndex convert between a generated row's
// position and its key in constant time.
const (
	CustomFrom int64 = 5000
	CustomTo   int64 = 9999
	// customBand is how many keys the band holds.
	customBand = CustomTo - CustomFrom + 1
)

// IsCustom reports whether key is in the user's band.
func IsCustom(key int64) bool { return key >= CustomFrom && key <= CustomTo }

// KeyAt is the key of the generated row at position i (from 0) of any
// table: i+1, skipping the user's band.
func KeyAt(i int) int64 {
	k := int64(i) + 1
	if k >= CustomFrom {
		k += customBand
	}
	return k
}

// KeyIndex is the position of the generated row with key k: the inverse of
// KeyAt. A key in the user's band has no position: it panics, as an index
// out of range would.
func KeyIndex(k int64) int {
	switch {
	case k > CustomTo:
		k -= customBand
	case k >= CustomFrom:
		panic(fmt.Sprintf("model: key %d is in the user's band %d-%d, not a generated row", k, CustomFrom, CustomTo))
	}
	return int(k - 1)
}

// CustomBand describes the band in messages: "ids 5000-9999".
func CustomBand() string { return fmt.Sprintf("ids %d-%d", CustomFrom, CustomTo) }

// KeyRange renders the keys first to last of generated rows (both
// generated keys, first <= last), naming the band's gap when the range
// spans it: "1-100", "1-4999,10000-10250".
func KeyRange(first, last int64) string {
	if first < CustomFrom && last > CustomTo {
		return fmt.Sprintf("%d-%d,%d-%d", first, CustomFrom-1, CustomTo+1, last)
	}
	return fmt.Sprintf("%d-%d", first, last)
}

// Split parts d into its generated rows and the user's (keys in the band),
// each table in d's order. A table without custom rows is shared with d,
// not copied.
func (d *Dataset) Split() (generated, custom *Dataset) {
	generated, custom = &Dataset{}, &Dataset{}
	generated.Customers, custom.Customers = part(d.Customers, func(x *Customer) int64 { return x.ID })
	generated.Products, custom.Products = part(d.Products, func(x *Product) int64 { return x.ID })
	generated.Orders, custom.Orders = part(d.Orders, func(x *Order) int64 { return x.ID })
	generated.OrderItems, custom.OrderItems = part(d.OrderItems, func(x *OrderItem) int64 { return x.ID })
	generated.Payments, custom.Payments = part(d.Payments, func(x *Payment) int64 { return x.ID })
	generated.Campaigns, custom.Campaigns = part(d.Campaigns, func(x *Campaign) int64 { return x.ID })
	generated.EmailActivity, custom.EmailActivity = part(d.EmailActivity, func(x *Email) int64 { return x.ID })
	generated.WebSessions, custom.WebSessions = part(d.WebSessions, func(x *WebSession) int64 { return x.ID })
	return generated, custom
}

// part splits rows by whether their key is in the user's band.
func part[T any](rows []T, key func(*T) int64) (generated, custom []T) {
	first := -1
	for i := range rows {
		if IsCustom(key(&rows[i])) {
			first = i
			break
		}
	}
	if first < 0 {
		return rows, nil
	}
	generated = append(make([]T, 0, len(rows)-1), rows[:first]...)
	for i := first; i < len(rows); i++ {
		if IsCustom(key(&rows[i])) {
			custom = append(custom, rows[i])
		} else {
			generated = append(generated, rows[i])
		}
	}
	return generated, custom
}
