package check_test

import (
	"slices"
	"testing"
	"time"

	"github.com/originsim/originsim/check"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// withUsersRows adds rows of the user's own (keys 5000 and up) to a copy of
// day 3: a customer with an address and times of their own, an order of
// theirs with one line, a payment of a few cents on a generated order, and
// CRM rows; plus, when broken, a line of an order that does not exist and
// an email to a customer who does not exist.
func withUsersRows(t *testing.T, broken bool) *model.Dataset {
	cfg := gen.Default()
	d := day(t, cfg, 3)
	later := cfg.DayDate(400).Add(13 * time.Hour) // the user's own clock, past the recorded day
	trio := model.Trio{CreatedAt: later, UpdatedAt: later.Add(-time.Hour)}
	d.Customers = append(d.Customers, model.Customer{ID: 5000, FirstName: "Ada", LastName: "Custom", Email: "ada@home.test", Trio: trio})
	d.Orders = append(d.Orders, model.Order{ID: 5001, CustomerID: 5000, OrderDate: cfg.DayDate(1), Status: "on hold", Trio: trio})
	d.OrderItems = append(d.OrderItems, model.OrderItem{ID: 5002, OrderID: 5001, ProductID: 1, Quantity: 0, UnitPrice: 1, Trio: trio})
	d.Payments = append(d.Payments, model.Payment{ID: 5003, OrderID: 7, Method: "barter", Amount: 3, Trio: trio})
	d.EmailActivity = append(d.EmailActivity, model.Email{ID: 5004, CustomerID: 5000, CampaignID: 1, SentDate: later, Clicked: true, Trio: trio})
	d.WebSessions = append(d.WebSessions, model.WebSession{ID: 5005, CustomerID: 5000, SessionStart: later, SessionEnd: later.Add(-time.Minute), Trio: trio})
	if broken {
		d.OrderItems = append(d.OrderItems, model.OrderItem{ID: 5006, OrderID: 4321, ProductID: 1, Quantity: 1, UnitPrice: 1, Trio: trio})
		d.EmailActivity = append(d.EmailActivity, model.Email{ID: 5007, CustomerID: 6000, CampaignID: 1, SentDate: later, Trio: trio})
	}
	return d
}

// The user's rows are held to the keys and references only: their own
// addresses, clocks, statuses and amounts are theirs, and do not count in
// the generated rows' rules (an order's payments adding up). A reference
// of theirs that points nowhere fails its rule, with soft or hard deletes.
func TestUsersRowsAreHeldToKeysAndReferences(t *testing.T) {
	until := gen.Default().DayDate(4)
	for _, o := range []check.Options{{}, {HardDeletes: true}} {
		if failed := check.Failed(check.RulesWith(withUsersRows(t, false), until, o)); len(failed) > 0 {
			t.Errorf("hard %v: valid rows of the user's fail %s", o.HardDeletes, failed[0].Summary())
		}
		var got []string
		for _, r := range check.Failed(check.RulesWith(withUsersRows(t, true), until, o)) {
			got = append(got, r.Summary())
		}
		want := []string{
			"order_items: order_id and product_id reference orders and products: 1 rows (e.g. 5006)",
			"email_activity: campaign_id references campaigns, customer_id references customers: 1 rows (e.g. 5007)",
		}
		if !slices.Equal(got, want) {
			t.Errorf("hard %v: failed\n%q\nwant\n%q", o.HardDeletes, got, want)
		}
	}
	// The same rows under generated keys break the generator's rules.
	d := withUsersRows(t, false)
	d.Customers[len(d.Customers)-1].ID = 10000
	d.Orders[len(d.Orders)-1].ID, d.Orders[len(d.Orders)-1].CustomerID = 10000, 10000
	if failed := check.Failed(check.Rules(d, until)); len(failed) < 3 {
		t.Errorf("rows of generated keys held to %d rules only", len(failed))
	}
}

// A rule run alone sees what RulesWith gives it: the user's rows only for
// the rules marked Custom.
func TestCustomRulesAreTheKeysAndReferences(t *testing.T) {
	var custom []string
	for _, r := range check.AllRules() {
		if r.Custom {
			custom = append(custom, r.Table+": "+r.Name)
		}
	}
	want := []string{
		"customers: primary key unique and ascending",
		"products: primary key unique and ascending",
		"orders: primary key unique and ascending",
		"orders: customer_id references customers",
		"order_items: primary key unique and ascending",
		"order_items: order_id and product_id reference orders and products",
		"payments: primary key unique and ascending",
		"payments: order_id references orders",
		"campaigns: primary key unique and ascending",
		"email_activity: primary key unique and ascending",
		"email_activity: campaign_id references campaigns, customer_id references customers",
		"web_sessions: primary key unique and ascending",
		"web_sessions: customer_id is NULL or references customers",
	}
	if !slices.Equal(custom, want) {
		t.Errorf("rules custom rows are held to:\n%q\nwant\n%q", custom, want)
	}
	d := withUsersRows(t, true)
	until := gen.Default().DayDate(4)
	all := check.RulesWith(d, until, check.Options{})
	in := check.NewInput(d, until, check.Options{})
	for i, r := range check.AllRules() {
		if got := r.Run(in); !slices.Equal(got.Examples, all[i].Examples) || got.Violations != all[i].Violations {
			t.Errorf("rule %d alone: %+v, among the others: %+v", r.Number, got, all[i])
		}
	}
}
