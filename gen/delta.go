package gen

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// Plan is how many rows a day adds and changes.
type Plan struct {
	Customers int `json:"customers"`
	Orders    int `json:"orders"`
	Items     int `json:"order_items"`
	Payments  int `json:"payments"`
	Emails    int `json:"email_activity"`
	Sessions  int `json:"web_sessions"`
	// Updates and soft deletes aimed for; fewer when too few rows qualify.
	EmailChanges  int `json:"email_changes"`
	Leavers       int `json:"customers_leaving"`
	Cancellations int `json:"order_cancellations"`
	PriceChanges  int `json:"price_changes"`
	Discontinued  int `json:"products_discontinued"`
}

// contract is the documented Days 1-3 at scale 1: new customers, orders,
// order items, payments, emails, sessions.
var contract = [4][6]int{
	{},
	{25, 60, 103, 272, 50, 50},
	{22, 55, 84, 44, 50, 50},
	{28, 65, 115, 58, 50, 50},
}

// PlanFor returns what day n (>= 1) adds. Days 1-3 are the documented
// contract times the scale; later days vary around the same rhythm.
func PlanFor(cfg Config, n int) Plan {
	S := cfg.Scale
	var p Plan
	if n <= 3 {
		c := contract[n]
		p = Plan{Customers: c[0], Orders: c[1], Items: c[2], Payments: c[3], Emails: c[4], Sessions: c[5]}
	} else {
		r := stream(cfg.Seed, tagPlan, uint64(n))
		p.Customers = 20 + r.intn(11)
		p.Orders = 50 + r.intn(21)
		p.Items = p.Orders * (14 + r.intn(7)) / 10
		paid := p.Orders * (80 + r.intn(16)) / 100
		p.Payments = paid + paid/6
		p.Emails, p.Sessions = 50, 50
	}
	for _, v := range []*int{&p.Customers, &p.Orders, &p.Items, &p.Payments, &p.Emails, &p.Sessions} {
		*v *= S
	}
	p.EmailChanges, p.Leavers, p.Cancellations = 3*S, 2*S, 3*S
	if n == 2 {
		p.PriceChanges, p.Discontinued = 4, 1
	} else if n > 3 && n%7 == 2 {
		p.PriceChanges = 3
	}
	return p
}

// Times of day (from midnight of the day's date) for each kind of event.
const (
	hCustomers = 6 * time.Hour
	hProducts  = 7 * time.Hour
	hOrders    = 7*time.Hour + 30*time.Minute
	hPayments  = 15 * time.Hour
	hStatus    = 17 * time.Hour
	hEmails    = 18 * time.Hour
	hLeavers   = 19 * time.Hour
	hCancels   = 19*time.Hour + 30*time.Minute
	hEnd       = 20 * time.Hour
	hSendFrom  = 9 * time.Hour
	hSendTo    = 17 * time.Hour
	hWebFrom   = 8 * time.Hour
	hWebTo     = 20 * time.Hour
	hCampaigns = 10 * time.Hour
)

// Advance plays the next day: it computes the day's changeset from the
// current state, applies it to the state and returns it.
func (s *State) Advance() (*changeset.Changeset, error) {
	n := s.day + 1
	if n > MaxDay {
		return nil, fmt.Errorf("%w: day %d is past the last day %d", ErrConfig, n, MaxDay)
	}
	p := PlanFor(s.cfg, n)
	seed := s.cfg.Seed
	date := s.cfg.DayDate(n)
	at := func(h time.Duration) time.Time { return date.Add(h) }
	cs := &changeset.Changeset{Day: n}

	// Customers active at the start of the day: today's email and web
	// activity goes to them.
	prevCustomers := int64(len(s.d.Customers))
	var activeAtStart []int64
	for _, c := range s.d.Customers {
		if c.Active() {
			activeAtStart = append(activeAtStart, c.ID)
		}
	}

	// 1. New customers.
	newCust := changeset.Step{Table: model.Customers, Kind: changeset.Insert, What: "new", Columns: model.Get(model.Customers).ColumnNames()}
	for i := range p.Customers {
		id := prevCustomers + int64(i) + 1
		r := stream(seed, tagCustomer, uint64(n), uint64(id))
		c := newCustomer(id, r, spread(at(hCustomers), at(hProducts), i, p.Customers, r))
		s.d.Customers = append(s.d.Customers, c)
		s.settled = append(s.settled, 0)
		newCust.Rows = append(newCust.Rows, c.Values())
	}
	cs.Add(newCust)

	// 2. Product price changes and discontinuations.
	if p.PriceChanges+p.Discontinued > 0 {
		r := stream(seed, tagPrice, uint64(n))
		active := s.activeProducts()
		picks := pickDistinct(r, len(active), min(len(active)-1, p.PriceChanges+p.Discontinued))
		total := len(picks)
		prices := changeset.Step{Table: model.Products, Kind: changeset.Update, What: "price changes", Columns: []string{"product_id", "price", "updated_at"}}
		gone := changeset.Step{Table: model.Products, Kind: changeset.SoftDelete, What: "discontinued", Columns: []string{"product_id", "updated_at", "deleted_at"}}
		for i, k := range picks {
			prod := &s.d.Products[active[k]-1]
			t := spread(at(hProducts), at(hOrders), i, total, r)
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
		cs.Add(prices)
		cs.Add(gone)
	}

	// 3. New orders from active customers, and their items.
	var buyers []int64
	for _, c := range s.d.Customers {
		if c.Active() {
			buyers = append(buyers, c.ID)
		}
	}
	firstOrder := int64(len(s.d.Orders)) + 1
	newOrders := changeset.Step{Table: model.Orders, Kind: changeset.Insert, What: "new", Columns: model.Get(model.Orders).ColumnNames()}
	for i := range p.Orders {
		id := firstOrder + int64(i)
		r := stream(seed, tagOrder, uint64(n), uint64(id))
		t := spread(at(hOrders), at(hPayments), i, p.Orders, r)
		o := model.Order{ID: id, CustomerID: buyers[r.intn(len(buyers))], OrderDate: date, Status: model.StatusPending,
			Trio: model.Trio{CreatedAt: t, UpdatedAt: t}}
		s.d.Orders = append(s.d.Orders, o)
		s.pending = append(s.pending, id)
		newOrders.Rows = append(newOrders.Rows, o.Values())
	}
	cs.Add(newOrders)
	cs.Add(changeset.Step{Table: model.OrderItems, Kind: changeset.Insert, What: "new", Columns: model.Get(model.OrderItems).ColumnNames(),
		Rows: s.addItems(n, firstOrder, p.Orders, p.Items)})

	// 4. Payments: some pending orders are paid, some in a split across methods.
	paid, payStep, err := s.pay(n, p.Payments, at(hPayments), at(hStatus))
	if err != nil {
		return nil, err
	}
	cs.Add(payStep)

	// 5. Status: paid orders ship or complete at once; shipped orders complete
	// on their delivery day, one to three days later.
	status := changeset.Step{Table: model.Orders, Kind: changeset.Update, What: "status updates", Columns: []string{"order_id", "status", "updated_at"}}
	moves := append(append([]int64(nil), paid...), s.due[n]...)
	slices.Sort(moves)
	delete(s.due, n)
	for i, id := range moves {
		o := &s.d.Orders[id-1]
		r := stream(seed, tagShip, uint64(n), uint64(id))
		o.UpdatedAt = spread(at(hStatus), at(hEmails), i, len(moves), r)
		switch {
		case o.Status != model.StatusPending:
			o.Status = model.StatusCompleted
		case r.pct(70):
			o.Status = model.StatusShipped
			deliver := n + 1 + r.intn(3)
			s.due[deliver] = append(s.due[deliver], id)
			s.settled[o.CustomerID-1]++
		default:
			o.Status = model.StatusCompleted
			s.settled[o.CustomerID-1]++
		}
		status.Rows = append(status.Rows, []any{id, o.Status, o.UpdatedAt})
	}
	cs.Add(status)
	s.prunePending()

	// 6. Email changes: a customer takes a new last name and, with it, a new
	// address of the same form.
	r := stream(seed, tagEmailChange, uint64(n))
	changed := map[int64]bool{}
	emails := changeset.Step{Table: model.Customers, Kind: changeset.Update, What: "email changes", Columns: []string{"customer_id", "last_name", "email", "updated_at"}}
	for tries := 0; len(changed) < p.EmailChanges && tries < 50*p.EmailChanges && prevCustomers > 0; tries++ {
		c := &s.d.Customers[r.int63n(prevCustomers)]
		if !c.Active() || changed[c.ID] {
			continue
		}
		changed[c.ID] = true
	}
	for i, id := range sortedKeys(changed) {
		c := &s.d.Customers[id-1]
		cr := stream(seed, tagEmailChange, uint64(n), uint64(id))
		last := c.LastName
		for last == c.LastName {
			last = lastNames[cr.intn(len(lastNames))]
		}
		c.LastName, c.Email = last, emailOf(c.FirstName, last, id)
		c.UpdatedAt = spread(at(hEmails), at(hLeavers), i, len(changed), cr)
		emails.Rows = append(emails.Rows, []any{id, c.LastName, c.Email, c.UpdatedAt})
	}
	cs.Add(emails)

	// 7. Soft deletes. Customers leave (only those with nothing shipped or
	// completed, and not the ones who just changed address); their pending
	// orders are cancelled with them. Then a few other pending orders are
	// cancelled by their customers.
	r = stream(seed, tagLeave, uint64(n))
	leaving := map[int64]bool{}
	for tries := 0; len(leaving) < p.Leavers && tries < 50*p.Leavers && prevCustomers > 0; tries++ {
		c := &s.d.Customers[r.int63n(prevCustomers)]
		if !c.Active() || changed[c.ID] || leaving[c.ID] || s.settled[c.ID-1] > 0 {
			continue
		}
		leaving[c.ID] = true
	}
	leavers := sortedKeys(leaving)
	left := changeset.Step{Table: model.Customers, Kind: changeset.SoftDelete, What: "left", Columns: []string{"customer_id", "updated_at", "deleted_at"}}
	leftAt := map[int64]time.Time{}
	for i, id := range leavers {
		c := &s.d.Customers[id-1]
		t := spread(at(hLeavers), at(hCancels), i, len(leavers), stream(seed, tagLeave, uint64(n), uint64(id)))
		c.UpdatedAt, c.DeletedAt = t, t
		leftAt[id] = t
		left.Rows = append(left.Rows, []any{id, t, t})
	}

	cancel := map[int64]time.Time{}
	for _, id := range s.pending {
		if t, ok := leftAt[s.d.Orders[id-1].CustomerID]; ok {
			cancel[id] = t
		}
	}
	var others []int64
	r = stream(seed, tagCancel, uint64(n))
	for tries := 0; len(others) < p.Cancellations && tries < 50*p.Cancellations && len(s.pending) > 0; tries++ {
		id := s.pending[r.intn(len(s.pending))]
		if _, dup := cancel[id]; !dup {
			cancel[id] = time.Time{}
			others = append(others, id)
		}
	}
	slices.Sort(others)
	for i, id := range others {
		cancel[id] = spread(at(hCancels), at(hEnd), i, len(others), stream(seed, tagCancel, uint64(n), uint64(id)))
	}
	cancelled := changeset.Step{Table: model.Orders, Kind: changeset.SoftDelete, What: "cancellations", Columns: []string{"order_id", "status", "updated_at", "deleted_at"}}
	for _, id := range sortedKeys(cancel) {
		o := &s.d.Orders[id-1]
		o.Status, o.UpdatedAt, o.DeletedAt = model.StatusCancelled, cancel[id], cancel[id]
		cancelled.Rows = append(cancelled.Rows, []any{id, o.Status, o.UpdatedAt, o.DeletedAt})
	}
	if s.cfg.HardDeletes {
		s.hardDeletes(cs, left.Rows, cancel)
	} else {
		cs.Add(left)
		cs.Add(cancelled)
	}
	s.prunePending()

	// 8. The CRM: campaigns start and are archived on their dates; emails go
	// to customers who were active this morning; web sessions, some anonymous.
	s.campaignDay(n, cs)
	s.crmDay(n, p, activeAtStart, cs)

	s.day = n
	return cs, nil
}

// pay settles p payments' worth of pending orders on day n and returns the
// orders paid, in id order, with the payments step.
func (s *State) pay(n, payments int, from, to time.Time) ([]int64, changeset.Step, error) {
	step := changeset.Step{Table: model.Payments, Kind: changeset.Insert, What: "new", Columns: model.Get(model.Payments).ColumnNames()}
	if payments == 0 {
		return nil, step, nil
	}
	// About one order in six is paid in a split of two or three payments.
	orders := (payments*5 + 5) / 6
	if orders > len(s.pending) || payments > 3*orders {
		return nil, step, fmt.Errorf("gen: day %d: %d payments need %d pending orders, %d are pending", n, payments, orders, len(s.pending))
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
	step.Rows = make([][]any, 0, payments)
	next := int64(s.appended[model.Payments]) + 1
	i := 0
	for _, id := range paid {
		r := stream(s.cfg.Seed, tagPayRow, uint64(n), uint64(id))
		for _, part := range split(r, s.total[id-1], parts[id]) {
			t := spread(from, to, i, payments, r)
			pm := model.Payment{ID: next, OrderID: id, Method: part.method, Amount: part.amount, Trio: model.Trio{CreatedAt: t, UpdatedAt: t}}
			s.appended[model.Payments]++
			if !s.lean {
				s.d.Payments = append(s.d.Payments, pm)
			}
			step.Rows = append(step.Rows, pm.Values())
			next++
			i++
		}
	}
	return paid, step, nil
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

// campaignDay inserts the campaigns announced today (a week before they
// start) and archives those that ended a month ago.
func (s *State) campaignDay(n int, cs *changeset.Changeset) {
	date := s.cfg.DayDate(n)
	ins := changeset.Step{Table: model.Campaigns, Kind: changeset.Insert, What: "new", Columns: model.Get(model.Campaigns).ColumnNames()}
	for k := int64(len(s.d.Campaigns)) + 1; ; k++ {
		c := s.cfg.campaign(k)
		if !model.Day(c.CreatedAt).Equal(date) {
			break
		}
		s.d.Campaigns = append(s.d.Campaigns, c)
		ins.Rows = append(ins.Rows, c.Values())
	}
	cs.Add(ins)
	arch := changeset.Step{Table: model.Campaigns, Kind: changeset.SoftDelete, What: "archived", Columns: []string{"campaign_id", "updated_at", "deleted_at"}}
	for i := range s.d.Campaigns {
		c := &s.d.Campaigns[i]
		if c.Active() && c.EndDate.AddDate(0, 0, campaignDays).Equal(date) {
			t := date.Add(hCampaigns + time.Minute)
			c.UpdatedAt, c.DeletedAt = t, t
			arch.Rows = append(arch.Rows, []any{c.ID, t, t})
		}
	}
	cs.Add(arch)
}

func (s *State) crmDay(n int, p Plan, audience []int64, cs *changeset.Changeset) {
	date := s.cfg.DayDate(n)
	seed := s.cfg.Seed
	emails := changeset.Step{Table: model.EmailActivity, Kind: changeset.Insert, What: "new", Columns: model.Get(model.EmailActivity).ColumnNames()}
	first := int64(s.appended[model.EmailActivity]) + 1
	for i := range p.Emails {
		id := first + int64(i)
		r := stream(seed, tagEmail, uint64(n), uint64(id))
		sent := spread(date.Add(hSendFrom), date.Add(hSendTo), i, p.Emails, r)
		e := s.cfg.email(id, audience[r.intn(len(audience))], sent, r)
		s.appended[model.EmailActivity]++
		if !s.lean {
			s.d.EmailActivity = append(s.d.EmailActivity, e)
		}
		emails.Rows = append(emails.Rows, e.Values())
	}
	cs.Add(emails)
	sessions := changeset.Step{Table: model.WebSessions, Kind: changeset.Insert, What: "new", Columns: model.Get(model.WebSessions).ColumnNames()}
	first = int64(s.appended[model.WebSessions]) + 1
	for i := range p.Sessions {
		id := first + int64(i)
		r := stream(seed, tagSession, uint64(n), uint64(id))
		start := spread(date.Add(hWebFrom), date.Add(hWebTo), i, p.Sessions, r)
		var cust int64
		if !r.pct(30) {
			cust = audience[r.intn(len(audience))]
		}
		w := session(id, cust, start, r)
		s.appended[model.WebSessions]++
		if !s.lean {
			s.d.WebSessions = append(s.d.WebSessions, w)
		}
		sessions.Rows = append(sessions.Rows, w.Values())
	}
	cs.Add(sessions)
}

// prunePending drops orders that left the pending state.
func (s *State) prunePending() {
	s.pending = slices.DeleteFunc(s.pending, func(id int64) bool { return s.d.Orders[id-1].Status != model.StatusPending })
}

func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sortRows orders update rows by their key, the first value.
func sortRows(rows [][]any) {
	slices.SortFunc(rows, func(a, b []any) int { return int(a[0].(int64) - b[0].(int64)) })
}

// hardDeletes turns the day's departures and cancellations into deletes
// (the state has already changed the rows as soft deletes would, so the
// days after play the same): the customers who left, with every order
// they still have (the pending ones cancelled today and any cancelled
// before Day 1, which a soft delete kept), and each deleted order's items.
// Rows are keyed, with the moment of the delete.
func (s *State) hardDeletes(cs *changeset.Changeset, left [][]any, cancel map[int64]time.Time) {
	leftAt := map[int64]time.Time{}
	for _, r := range left {
		leftAt[r[0].(int64)] = r[1].(time.Time)
	}
	orders := map[int64]time.Time{}
	for id, t := range cancel {
		orders[id] = t
	}
	if len(leftAt) > 0 {
		for i := range s.d.Orders {
			o := &s.d.Orders[i]
			if t, ok := leftAt[o.CustomerID]; ok && !s.Gone(model.Orders, o.ID) {
				if _, dup := orders[o.ID]; !dup {
					orders[o.ID] = t
				}
			}
		}
	}
	items := changeset.Step{Table: model.OrderItems, Kind: changeset.Delete, What: "of deleted orders", Columns: []string{"order_item_id", "deleted_at"}}
	gone := changeset.Step{Table: model.Orders, Kind: changeset.Delete, What: "cancelled", Columns: []string{"order_id", "deleted_at"}}
	for _, id := range sortedKeys(orders) {
		t := orders[id]
		gone.Rows = append(gone.Rows, []any{id, t})
		s.forget(model.Orders, id)
		lines := s.d.OrderItems
		for i := sort.Search(len(lines), func(i int) bool { return lines[i].OrderID >= id }); i < len(lines) && lines[i].OrderID == id; i++ {
			items.Rows = append(items.Rows, []any{lines[i].ID, t})
			s.forget(model.OrderItems, lines[i].ID)
		}
	}
	sortRows(items.Rows)
	customers := changeset.Step{Table: model.Customers, Kind: changeset.Delete, What: "left", Columns: []string{"customer_id", "deleted_at"}}
	for _, r := range left {
		customers.Rows = append(customers.Rows, []any{r[0], r[1]})
		s.forget(model.Customers, r[0].(int64))
	}
	cs.Add(items)
	cs.Add(gone)
	cs.Add(customers)
}
