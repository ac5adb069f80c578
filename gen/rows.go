package gen

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/originsim/originsim/model"
)

// The rows: each builder makes one row (or one block of order lines) from
// its id, its moment and its own random stream, for Day 0 and the days
// after alike.

// Campaigns run for campaignDays days, back to back.
const (
	campaignDays = 30
	// campaignEpoch is the start of campaign 1 relative to Day 0: campaign 5
	// starts two weeks before Day 0 and runs through Day 15.
	campaignEpoch = -134
)

func newCustomer(id int64, r *rng, created time.Time) model.Customer {
	first := firstNames[r.intn(len(firstNames))]
	last := lastNames[r.intn(len(lastNames))]
	return model.Customer{ID: id, FirstName: first, LastName: last, Email: emailOf(first, last, id),
		Trio: model.Trio{CreatedAt: created, UpdatedAt: created}}
}

func emailOf(first, last string, id int64) string {
	return strings.ToLower(first) + "." + strings.ToLower(strings.ReplaceAll(last, " ", "")) + strconv.FormatInt(id, 10) + "@example.com"
}

// campaign k runs for 30 days; campaigns follow each other without gaps, so
// every moment from the first campaign on belongs to exactly one of them.
func (c Config) campaign(k int64) model.Campaign {
	start := c.DayDate(campaignEpoch + int(k-1)*campaignDays)
	r := stream(c.Seed, tagCampaign, 0, uint64(k))
	created := start.AddDate(0, 0, -7).Add(10 * time.Hour)
	return model.Campaign{
		ID:        k,
		Name:      campaignThemes[(k-1)%int64(len(campaignThemes))] + " " + start.Format("Jan 2006"),
		StartDate: start,
		EndDate:   start.AddDate(0, 0, campaignDays-1),
		Budget:    model.Cents(20+r.intn(81)) * 10000,
		Trio:      model.Trio{CreatedAt: created, UpdatedAt: created},
	}
}

// campaignAt is the campaign running at time t.
func (c Config) campaignAt(t time.Time) int64 {
	days := int(model.Day(t).Sub(c.DayDate(campaignEpoch)) / day)
	return int64(days/campaignDays + 1)
}

func (c Config) email(id, customer int64, sent time.Time, r *rng) model.Email {
	opened := r.pct(50)
	clicked := opened && r.pct(50)
	return model.Email{ID: id, CustomerID: customer, CampaignID: c.campaignAt(sent), SentDate: sent, Opened: opened, Clicked: clicked,
		Trio: model.Trio{CreatedAt: sent, UpdatedAt: sent}}
}

func session(id, customer int64, start time.Time, r *rng) model.WebSession {
	// 2 to 30 minutes; 3 to 20 pages, about 10 on average.
	end := start.Add(2*time.Minute + time.Duration(r.int63n(int64(28*time.Minute/time.Microsecond)+1))*time.Microsecond)
	pages := 3 + r.intn(8) + r.intn(8)
	if r.intn(10) == 0 {
		pages += r.intn(4)
	}
	return model.WebSession{ID: id, CustomerID: customer, SessionStart: start, SessionEnd: end, PageViews: int64(pages),
		Trio: model.Trio{CreatedAt: end, UpdatedAt: end}}
}

// itemBlock is how many orders share one item budget: batches of orders and
// their items can be computed independently of each other.
const itemBlock = 100

// makeItems creates the items of one block of orders: to-from lines, the
// first at position firstItem of the table (its key model.KeyAt(firstItem)), spread 1 to 5 per order, with distinct products
// (from active, at their price) per order. It also returns the order totals.
// Everything comes from the block's own random stream.
// Without emit, only the totals are made (the same draws, no lines).
func makeItems(seed uint64, dayN int, orders []order, from, to int, firstItem int, active []int64, price func(int64) model.Cents, emit bool) ([]model.OrderItem, []model.Cents) {
	r := stream(seed, tagItems, uint64(dayN), uint64(orders[0].ID))
	counts := distribute(r, len(orders), to-from, min(5, len(active)))
	var items []model.OrderItem
	if emit {
		items = make([]model.OrderItem, 0, to-from)
	}
	totals := make([]model.Cents, len(orders))
	for j, cnt := range counts {
		o := &orders[j]
		created := o.createdAt()
		for _, p := range pickDistinct(r, len(active), cnt) {
			id, unit := active[p], price(active[p])
			q := quantity(r)
			if emit {
				items = append(items, model.OrderItem{ID: model.KeyAt(firstItem + len(items)), OrderID: o.ID, ProductID: id,
					Quantity: q, UnitPrice: unit, Trio: model.Trio{CreatedAt: created, UpdatedAt: created}})
			}
			totals[j] += model.Cents(q) * unit
		}
	}
	return items, totals
}

// quantity is an order line's quantity: 1 six times in ten, 2 three, 3 one.
func quantity(r *rng) int64 {
	switch x := r.intn(10); {
	case x >= 9:
		return 3
	case x >= 6:
		return 2
	}
	return 1
}

// distribute splits total units over n slots, each slot 1 to most.
func distribute(r *rng, n, total, most int) []int {
	if total < n || total > n*most {
		panic(fmt.Sprintf("gen: cannot place %d items on %d orders", total, n))
	}
	c := make([]int, n)
	for i := range c {
		c[i] = 1
	}
	for extra := total - n; extra > 0; {
		if i := r.intn(n); c[i] < most {
			c[i]++
			extra--
		}
	}
	return c
}
