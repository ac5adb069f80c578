package check_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/originsim/originsim/check"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// The rule table is well formed: numbered in order, every rule named,
// placed in a table of the model and described, no rule twice, and
// RulesWith reports every rule once, in the table's order.
func TestRuleTable(t *testing.T) {
	rules := check.AllRules()
	if len(rules) == 0 {
		t.Fatal("no rules")
	}
	tables := map[string]bool{}
	for _, tb := range model.Tables() {
		tables[tb.Name] = true
	}
	// A name repeats across tables (every table has "primary key unique and
	// ascending"), so a rule is known by its table and name.
	seen := map[[2]string]bool{}
	for i, r := range rules {
		if r.Number != i+1 {
			t.Errorf("rule %d is numbered %d", i+1, r.Number)
		}
		if r.Name == "" || r.Description == "" || r.Check == nil {
			t.Errorf("rule %d (%s: %q) lacks a name, a description or a check", r.Number, r.Table, r.Name)
		}
		if !tables[r.Table] {
			t.Errorf("rule %d (%q) is on %q, not a table of the model", r.Number, r.Name, r.Table)
		}
		if k := [2]string{r.Table, r.Name}; seen[k] {
			t.Errorf("rule %d: %s: %q twice", r.Number, r.Table, r.Name)
		} else {
			seen[k] = true
		}
	}
	for _, tb := range model.Tables() {
		if !seen[[2]string{tb.Name, "primary key unique and ascending"}] {
			t.Errorf("%s: no primary key rule", tb.Name)
		}
	}

	cfg := gen.Default()
	d := day(t, cfg, 3)
	breakMany(d, cfg.DayDate(4))
	o := check.Options{HardDeletes: true}
	got := check.RulesWith(d, cfg.DayDate(4), o)
	if len(got) != len(rules) {
		t.Fatalf("%d results for %d rules", len(got), len(rules))
	}
	in := check.NewInput(d, cfg.DayDate(4), o)
	for i, r := range rules {
		if got[i].Rule != r.Name || got[i].Table != r.Table {
			t.Errorf("result %d is %s: %q, rule %d is %s: %q", i+1, got[i].Table, got[i].Rule, r.Number, r.Table, r.Name)
		}
		// A rule run alone finds what it finds among the others.
		if alone := r.Run(in); !reflect.DeepEqual(alone, got[i]) {
			t.Errorf("rule %d alone: %+v, among the others: %+v", r.Number, alone, got[i])
		}
	}
}

// AllRules gives each caller its own table.
func TestAllRulesIsFresh(t *testing.T) {
	a := check.AllRules()
	a[0].Name = "changed"
	if b := check.AllRules(); b[0].Name == "changed" {
		t.Error("a change to one AllRules result shows in the next")
	}
}

func ExampleAllRules() {
	for _, r := range check.AllRules() {
		fmt.Printf("%d. %s: %s\n", r.Number, r.Table, r.Name)
	}
	// Output:
	// 1. customers: primary key unique and ascending
	// 2. customers: updated_at >= created_at, deleted_at >= created_at
	// 3. customers: timestamps before the end of the recorded day
	// 4. customers: email is first.last<id>@example.com
	// 5. products: primary key unique and ascending
	// 6. products: updated_at >= created_at, deleted_at >= created_at
	// 7. products: timestamps before the end of the recorded day
	// 8. products: price positive, known category
	// 9. orders: primary key unique and ascending
	// 10. orders: updated_at >= created_at, deleted_at >= created_at
	// 11. orders: timestamps before the end of the recorded day
	// 12. orders: customer_id references customers
	// 13. orders: status is pending, shipped, completed or cancelled; cancelled exactly when soft-deleted
	// 14. orders: no active order of a soft-deleted customer
	// 15. orders: order_date is the date the order was created
	// 16. order_items: primary key unique and ascending
	// 17. order_items: updated_at >= created_at, deleted_at >= created_at
	// 18. order_items: timestamps before the end of the recorded day
	// 19. order_items: order_id and product_id reference orders and products
	// 20. order_items: quantity >= 1, unit_price > 0
	// 21. order_items: unit_price is the current price for orders placed after the product's last change
	// 22. orders: every order has 1 to 5 items
	// 23. payments: primary key unique and ascending
	// 24. payments: updated_at >= created_at, deleted_at >= created_at
	// 25. payments: timestamps before the end of the recorded day
	// 26. payments: order_id references orders
	// 27. payments: amount positive, known payment_method
	// 28. orders: payments add up to the order total, to the cent
	// 29. orders: an order with payments is not pending
	// 30. campaigns: primary key unique and ascending
	// 31. campaigns: updated_at >= created_at, deleted_at >= created_at
	// 32. campaigns: timestamps before the end of the recorded day
	// 33. campaigns: end_date >= start_date, budget positive
	// 34. email_activity: primary key unique and ascending
	// 35. email_activity: updated_at >= created_at, deleted_at >= created_at
	// 36. email_activity: timestamps before the end of the recorded day
	// 37. email_activity: campaign_id references campaigns, customer_id references customers
	// 38. email_activity: a click implies an open
	// 39. email_activity: sent_date falls inside its campaign
	// 40. web_sessions: primary key unique and ascending
	// 41. web_sessions: updated_at >= created_at, deleted_at >= created_at
	// 42. web_sessions: timestamps before the end of the recorded day
	// 43. web_sessions: customer_id is NULL or references customers
	// 44. web_sessions: session_end >= session_start, 3 to 20 page views
}
