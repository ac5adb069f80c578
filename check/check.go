// Package check holds the rules the data must obey at every state (from the
// data model). The same code checks the generator's expected state in tests
// and a database's real content in verify.
package check

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/originsim/originsim/model"
)

// Result is the outcome of one rule.
type Result struct {
	Rule       string   `json:"rule"`
	Table      string   `json:"table"`
	Violations int      `json:"violations"`
	Examples   []string `json:"examples,omitempty"` // a few offending keys
}

// OK reports whether the rule holds.
func (r Result) OK() bool { return r.Violations == 0 }

const maxExamples = 5

type checker struct {
	out []Result
	cur *Result
}

func (c *checker) rule(table, name string) {
	c.out = append(c.out, Result{Rule: name, Table: table})
	c.cur = &c.out[len(c.out)-1]
}

func (c *checker) fail(key int64) {
	c.cur.Violations++
	if len(c.cur.Examples) < maxExamples {
		c.cur.Examples = append(c.cur.Examples, strconv.FormatInt(key, 10))
	}
}

func (c *checker) must(ok bool, key int64) {
	if !ok {
		c.fail(key)
	}
}

// Rules checks every rule on d. until is the end of the recorded day: no
// timestamp may lie at or after it.
func Rules(d *model.Dataset, until time.Time) []Result { return RulesWith(d, until, Options{}) }

// Options adapt the rules to how the data was made.
type Options struct {
	// HardDeletes: customers who left are deleted, so the CRM's logical
	// references (emails, sessions) may name a customer key that no longer
	// exists, though never one above the largest key there is.
	HardDeletes bool
}

// RulesWith checks every rule on d, adapted by o.
func RulesWith(d *model.Dataset, until time.Time, o Options) []Result {
	c := &checker{}
	customers := map[int64]*model.Customer{}
	products := map[int64]*model.Product{}
	orders := map[int64]*model.Order{}
	campaigns := map[int64]*model.Campaign{}

	keys := func(table string, n int, key func(int) int64) {
		c.rule(table, "primary key unique and ascending")
		prev := int64(0)
		for i := 0; i < n; i++ {
			k := key(i)
			c.must(k > prev, k)
			prev = max(prev, k)
		}
	}
	trio := func(table string, n int, key func(int) int64, t func(int) model.Trio) {
		c.rule(table, "updated_at >= created_at, deleted_at >= created_at")
		for i := 0; i < n; i++ {
			x := t(i)
			c.must(!x.UpdatedAt.Before(x.CreatedAt) && (x.Active() || !x.DeletedAt.Before(x.CreatedAt)), key(i))
		}
		c.rule(table, "timestamps before the end of the recorded day")
		for i := 0; i < n; i++ {
			x := t(i)
			c.must(x.CreatedAt.Before(until) && x.UpdatedAt.Before(until) && (x.Active() || x.DeletedAt.Before(until)), key(i))
		}
	}

	// customers
	keys("customers", len(d.Customers), func(i int) int64 { return d.Customers[i].ID })
	trio("customers", len(d.Customers), func(i int) int64 { return d.Customers[i].ID }, func(i int) model.Trio { return d.Customers[i].Trio })
	c.rule("customers", "email is first.last<id>@example.com")
	for i := range d.Customers {
		x := &d.Customers[i]
		customers[x.ID] = x
		want := strings.ToLower(x.FirstName) + "." + strings.ToLower(x.LastName) + strconv.FormatInt(x.ID, 10) + "@example.com"
		c.must(x.Email == want, x.ID)
	}

	// products
	keys("products", len(d.Products), func(i int) int64 { return d.Products[i].ID })
	trio("products", len(d.Products), func(i int) int64 { return d.Products[i].ID }, func(i int) model.Trio { return d.Products[i].Trio })
	c.rule("products", "price positive, known category")
	for i := range d.Products {
		x := &d.Products[i]
		products[x.ID] = x
		c.must(x.Price > 0 && categories[x.Category], x.ID)
	}

	// orders
	keys("orders", len(d.Orders), func(i int) int64 { return d.Orders[i].ID })
	trio("orders", len(d.Orders), func(i int) int64 { return d.Orders[i].ID }, func(i int) model.Trio { return d.Orders[i].Trio })
	c.rule("orders", "customer_id references customers")
	for i := range d.Orders {
		x := &d.Orders[i]
		orders[x.ID] = x
		c.must(customers[x.CustomerID] != nil, x.ID)
	}
	c.rule("orders", "status is pending, shipped, completed or cancelled; cancelled exactly when soft-deleted")
	for _, x := range d.Orders {
		c.must(statuses[x.Status] && (x.Status == model.StatusCancelled) == !x.Active(), x.ID)
	}
	c.rule("orders", "no active order of a soft-deleted customer")
	for _, x := range d.Orders {
		cu := customers[x.CustomerID]
		c.must(!x.Active() || cu == nil || cu.Active(), x.ID)
	}
	c.rule("orders", "order_date is the date the order was created")
	for _, x := range d.Orders {
		c.must(x.OrderDate.Equal(model.Day(x.CreatedAt)), x.ID)
	}

	// order items
	items := map[int64]int{}
	total := map[int64]model.Cents{}
	keys("order_items", len(d.OrderItems), func(i int) int64 { return d.OrderItems[i].ID })
	trio("order_items", len(d.OrderItems), func(i int) int64 { return d.OrderItems[i].ID }, func(i int) model.Trio { return d.OrderItems[i].Trio })
	c.rule("order_items", "order_id and product_id reference orders and products")
	for _, x := range d.OrderItems {
		c.must(orders[x.OrderID] != nil && products[x.ProductID] != nil, x.ID)
		items[x.OrderID]++
		total[x.OrderID] += model.Cents(x.Quantity) * x.UnitPrice
	}
	c.rule("order_items", "quantity >= 1, unit_price > 0")
	for _, x := range d.OrderItems {
		c.must(x.Quantity >= 1 && x.UnitPrice > 0, x.ID)
	}
	c.rule("order_items", "unit_price is the current price for orders placed after the product's last change")
	for _, x := range d.OrderItems {
		o, p := orders[x.OrderID], products[x.ProductID]
		c.must(o == nil || p == nil || o.CreatedAt.Before(p.UpdatedAt) || x.UnitPrice == p.Price, x.ID)
	}
	c.rule("orders", "every order has 1 to 5 items")
	for _, x := range d.Orders {
		c.must(items[x.ID] >= 1 && items[x.ID] <= 5, x.ID)
	}

	// payments
	paid := map[int64]model.Cents{}
	keys("payments", len(d.Payments), func(i int) int64 { return d.Payments[i].ID })
	trio("payments", len(d.Payments), func(i int) int64 { return d.Payments[i].ID }, func(i int) model.Trio { return d.Payments[i].Trio })
	c.rule("payments", "order_id references orders")
	for _, x := range d.Payments {
		c.must(orders[x.OrderID] != nil, x.ID)
		paid[x.OrderID] += x.Amount
	}
	c.rule("payments", "amount positive, known payment_method")
	for _, x := range d.Payments {
		c.must(x.Amount > 0 && methods[x.Method], x.ID)
	}
	c.rule("orders", "payments add up to the order total, to the cent")
	paidOrders := make([]int64, 0, len(paid))
	for id := range paid {
		paidOrders = append(paidOrders, id)
	}
	slices.Sort(paidOrders)
	for _, id := range paidOrders {
		c.must(paid[id] == total[id], id)
	}
	c.rule("orders", "an order with payments is not pending")
	for _, x := range d.Orders {
		c.must(paid[x.ID] == 0 || x.Status != model.StatusPending, x.ID)
	}

	// campaigns
	keys("campaigns", len(d.Campaigns), func(i int) int64 { return d.Campaigns[i].ID })
	trio("campaigns", len(d.Campaigns), func(i int) int64 { return d.Campaigns[i].ID }, func(i int) model.Trio { return d.Campaigns[i].Trio })
	c.rule("campaigns", "end_date >= start_date, budget positive")
	for i := range d.Campaigns {
		x := &d.Campaigns[i]
		campaigns[x.ID] = x
		c.must(!x.EndDate.Before(x.StartDate) && x.Budget > 0, x.ID)
	}

	// email activity
	keys("email_activity", len(d.EmailActivity), func(i int) int64 { return d.EmailActivity[i].ID })
	trio("email_activity", len(d.EmailActivity), func(i int) int64 { return d.EmailActivity[i].ID }, func(i int) model.Trio { return d.EmailActivity[i].Trio })
	// customer is whether a CRM row's customer_id may stand.
	var lastCustomer int64
	if n := len(d.Customers); n > 0 {
		lastCustomer = d.Customers[n-1].ID
	}
	customer := func(id int64) bool {
		return customers[id] != nil || (o.HardDeletes && id >= 1 && id <= lastCustomer)
	}
	c.rule("email_activity", "campaign_id references campaigns, customer_id references customers")
	for _, x := range d.EmailActivity {
		c.must(campaigns[x.CampaignID] != nil && customer(x.CustomerID), x.ID)
	}
	c.rule("email_activity", "a click implies an open")
	for _, x := range d.EmailActivity {
		c.must(!x.Clicked || x.Opened, x.ID)
	}
	c.rule("email_activity", "sent_date falls inside its campaign")
	for _, x := range d.EmailActivity {
		cp := campaigns[x.CampaignID]
		c.must(cp == nil || (!x.SentDate.Before(cp.StartDate) && x.SentDate.Before(cp.EndDate.AddDate(0, 0, 1))), x.ID)
	}

	// web sessions
	keys("web_sessions", len(d.WebSessions), func(i int) int64 { return d.WebSessions[i].ID })
	trio("web_sessions", len(d.WebSessions), func(i int) int64 { return d.WebSessions[i].ID }, func(i int) model.Trio { return d.WebSessions[i].Trio })
	c.rule("web_sessions", "customer_id is NULL or references customers")
	for _, x := range d.WebSessions {
		c.must(x.CustomerID == 0 || customer(x.CustomerID), x.ID)
	}
	c.rule("web_sessions", "session_end >= session_start, 3 to 20 page views")
	for _, x := range d.WebSessions {
		c.must(!x.SessionEnd.Before(x.SessionStart) && x.PageViews >= 3 && x.PageViews <= 20, x.ID)
	}
	return c.out
}

var (
	statuses   = map[string]bool{model.StatusPending: true, model.StatusShipped: true, model.StatusCompleted: true, model.StatusCancelled: true}
	methods    = map[string]bool{"credit_card": true, "bank_transfer": true, "paypal": true, "gift_card": true, "coupon": true}
	categories = map[string]bool{"Electronics": true, "Furniture": true, "Office": true, "Stationery": true, "Accessories": true, "Decor": true}
)

// Failed returns the results that do not hold.
func Failed(rs []Result) []Result {
	var out []Result
	for _, r := range rs {
		if !r.OK() {
			out = append(out, r)
		}
	}
	return out
}

// Summary is a one-line description of a failed rule.
func (r Result) Summary() string {
	return fmt.Sprintf("%s: %s: %d rows (e.g. %s)", r.Table, r.Rule, r.Violations, strings.Join(r.Examples, ", "))
}
