package check_test

import (
	"strings"
	"testing"
	"time"

	"github.com/originsim/originsim/check"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// Each rule must catch the defect it names: break a valid day in one way and
// expect exactly that rule to fail.
func TestEachRuleCatchesItsDefect(t *testing.T) {
	cfg := gen.Default()
	until := cfg.DayDate(4)
	fresh := func() *model.Dataset {
		s, err := gen.At(cfg, 3)
		if err != nil {
			t.Fatal(err)
		}
		d := *s.Dataset()
		// Deep-copy the slices the cases modify.
		d.Customers = append([]model.Customer(nil), d.Customers...)
		d.Products = append([]model.Product(nil), d.Products...)
		d.Orders = append([]model.Order(nil), d.Orders...)
		d.Payments = append([]model.Payment(nil), d.Payments...)
		d.EmailActivity = append([]model.Email(nil), d.EmailActivity...)
		d.WebSessions = append([]model.WebSession(nil), d.WebSessions...)
		d.OrderItems = append([]model.OrderItem(nil), d.OrderItems...)
		return &d
	}
	if failed := check.Failed(check.Rules(fresh(), until)); len(failed) > 0 {
		t.Fatalf("the valid day fails: %v", failed[0].Summary())
	}
	cases := []struct {
		rule    string
		breakIt func(d *model.Dataset)
	}{
		{"payments add up", func(d *model.Dataset) { d.Payments[0].Amount++ }},
		{"amount positive", func(d *model.Dataset) { d.Payments[0].Amount = -d.Payments[0].Amount }},
		{"a click implies an open", func(d *model.Dataset) { d.EmailActivity[0].Opened, d.EmailActivity[0].Clicked = false, true }},
		{"sent_date falls inside", func(d *model.Dataset) { d.EmailActivity[0].SentDate = d.EmailActivity[0].SentDate.AddDate(1, 0, 0) }},
		{"session_end >= session_start", func(d *model.Dataset) { d.WebSessions[0].SessionEnd = d.WebSessions[0].SessionStart.Add(-time.Second) }},
		{"primary key unique", func(d *model.Dataset) { d.Orders[5].ID = d.Orders[4].ID }},
		{"customer_id references customers", func(d *model.Dataset) { d.Orders[0].CustomerID = 99999 }},
		{"no active order of a soft-deleted customer", func(d *model.Dataset) {
			for i := range d.Orders {
				if d.Orders[i].Status == model.StatusPending {
					c := &d.Customers[d.Orders[i].CustomerID-1]
					c.DeletedAt = c.UpdatedAt
					return
				}
			}
		}},
		{"an order with payments is not pending", func(d *model.Dataset) { d.Orders[d.Payments[0].OrderID-1].Status = model.StatusPending }},
		{"updated_at >= created_at", func(d *model.Dataset) { d.Customers[0].UpdatedAt = d.Customers[0].CreatedAt.Add(-time.Hour) }},
		{"timestamps before the end", func(d *model.Dataset) { d.WebSessions[0].UpdatedAt = until }},
		{"every order has 1 to 5 items", func(d *model.Dataset) {
			last := d.Orders[len(d.Orders)-1].ID
			for i := range d.OrderItems {
				if d.OrderItems[i].OrderID == last {
					d.OrderItems[i].OrderID = 1
				}
			}
		}},
		{"unit_price is the current price", func(d *model.Dataset) { d.Products[d.OrderItems[len(d.OrderItems)-1].ProductID-1].Price += 100 }},
		{"email is first.last", func(d *model.Dataset) { d.Customers[3].Email = "x@example.com" }},
		{"cancelled exactly when soft-deleted", func(d *model.Dataset) { d.Orders[0].Status = "lost" }},
	}
	for _, c := range cases {
		d := fresh()
		c.breakIt(d)
		failed := check.Failed(check.Rules(d, until))
		hit := false
		for _, f := range failed {
			hit = hit || strings.Contains(f.Rule, c.rule)
		}
		if !hit {
			t.Errorf("breaking %q was not caught (failed: %v)", c.rule, failed)
		}
	}
}
