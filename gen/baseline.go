package gen

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// Baseline sizes at scale 1: the documented Day 0.
const (
	baseCustomers = 100
	baseOrders    = 500
	baseItems     = 1200
	baseCampaigns = 5
	baseEmails    = 100
	baseSessions  = 150
)

// Windows of the baseline history, relative to Day 0 (all before it).
const (
	customersFrom = -400 * day
	customersTo   = -140 * day
	ordersFrom    = -30 * day
	historyTo     = -1 * day // orders, emails and sessions end here; leavers leave after
	emailsFrom    = -134 * day
	sessionsFrom  = -60 * day
)

// Day 0 is computed row by row: each function below depends only on the
// configuration and the row's position, so the baseline can be produced in
// independent spans, in parallel, without holding any table in memory.

// BaselineCount is the number of Day 0 rows of table t (for order_items,
// see BaselineSpans).
func BaselineCount(cfg Config, t model.TableID) int {
	switch t {
	case model.Customers:
		return baseCustomers * cfg.Scale
	case model.Products:
		return len(catalog)
	case model.Orders:
		return baseOrders * cfg.Scale
	case model.OrderItems:
		return baseItems * cfg.Scale
	case model.Campaigns:
		return baseCampaigns
	case model.EmailActivity:
		return baseEmails * cfg.Scale
	case model.WebSessions:
		return baseSessions * cfg.Scale
	}
	return 0 // payments start on Day 1
}

// Span is a run of Day 0 rows of one table that can be generated on its
// own: positions From (inclusive) to To (exclusive). For order_items the
// positions count orders, and the span holds those orders' items.
type Span struct {
	Table    model.TableID
	From, To int
}

// BaselineSpans cuts table t's Day 0 into spans of about size rows, in key
// order.
func BaselineSpans(cfg Config, t model.TableID, size int) []Span {
	n := BaselineCount(cfg, t)
	if t == model.OrderItems {
		n = baseOrders * cfg.Scale
		// Whole item blocks, about size items each.
		size = max(itemBlock, size*baseOrders/baseItems/itemBlock*itemBlock)
	}
	size = max(size, 1)
	var out []Span
	for from := 0; from < n; from += size {
		out = append(out, Span{Table: t, From: from, To: min(from+size, n)})
	}
	return out
}

// BaselineRows generates the rows of a span as values in column order.
func BaselineRows(cfg Config, sp Span) [][]any {
	n := sp.To - sp.From
	if sp.Table == model.OrderItems {
		n = n * baseItems / baseOrders // the span counts orders
	}
	rows := make([][]any, 0, n) // about the span's rows: no regrowing
	add := func(v []any) { rows = append(rows, v) }
	switch sp.Table {
	case model.Customers:
		for i := sp.From; i < sp.To; i++ {
			c := cfg.baseCustomer(i)
			add(c.Values())
		}
	case model.Products:
		for i := sp.From; i < sp.To; i++ {
			p := baseProduct(cfg, i)
			add(p.Values())
		}
	case model.Orders:
		for i := sp.From; i < sp.To; i++ {
			o := cfg.baseOrder(i)
			add(o.Values())
		}
	case model.OrderItems:
		for b := sp.From / itemBlock; b*itemBlock < sp.To; b++ {
			items, _ := cfg.baseItemBlock(b)
			for i := range items {
				add(items[i].Values())
			}
		}
	case model.Campaigns:
		for i := sp.From; i < sp.To; i++ {
			c := cfg.baseCampaign(int64(i + 1))
			add(c.Values())
		}
	case model.EmailActivity:
		for i := sp.From; i < sp.To; i++ {
			e := cfg.baseEmail(i)
			add(e.Values())
		}
	case model.WebSessions:
		for i := sp.From; i < sp.To; i++ {
			w := cfg.baseSession(i)
			add(w.Values())
		}
	}
	return rows
}

// leftAt is when a Day 0 customer left, if they did: a few leave on the day
// before Day 0.
func (c Config) leftAt(id int64) (time.Time, bool) {
	if lr := stream(c.Seed, tagLeaver, 0, uint64(id)); lr.pct(3) {
		return spread(c.Start.Add(historyTo), c.Start, 0, 1, lr), true
	}
	return time.Time{}, false
}

// baseCustomer is the customer at position i, created over the year
// before Day 0.
func (c Config) baseCustomer(i int) model.Customer {
	id := model.KeyAt(i)
	r := stream(c.Seed, tagCustomer, 0, uint64(id))
	cu := newCustomer(id, r, spread(c.Start.Add(customersFrom), c.Start.Add(customersTo), i, baseCustomers*c.Scale, r))
	if t, left := c.leftAt(id); left {
		cu.DeletedAt, cu.UpdatedAt = t, t
	}
	return cu
}

// baseProduct is catalog entry i, introduced over the months before Day 0.
// Products are the catalog's twenty: their keys never reach the user's band
// (see TestKeysSkipTheUsersBand), so they are the catalog index plus one.
func baseProduct(c Config, i int) model.Product {
	e := catalog[i]
	t := c.Start.Add(-500*day + time.Duration(i)*3*day + 9*time.Hour)
	return model.Product{ID: int64(i + 1), Name: e.name, Category: e.category, Price: e.price, Trio: model.Trio{CreatedAt: t, UpdatedAt: t}}
}

// baseCampaign is campaign k as it stands at Day 0: archived when it ended
// more than a month before.
func (c Config) baseCampaign(k int64) model.Campaign {
	cp := c.campaign(k)
	if end := cp.EndDate.AddDate(0, 0, campaignDays); end.Before(c.Start) {
		cp.DeletedAt = end.Add(10 * time.Hour)
		cp.UpdatedAt = cp.DeletedAt
	}
	return cp
}

// baseOrder is the order at position i, placed in the month before Day 0 and awaiting
// payment (the payments table starts empty; Day 1 settles the backlog).
// Orders of customers who left are cancelled; a few others were cancelled
// by the customer.
func (c Config) baseOrder(i int) model.Order {
	id := model.KeyAt(i)
	r := stream(c.Seed, tagOrder, 0, uint64(id))
	created := spread(c.Start.Add(ordersFrom), c.Start.Add(historyTo), i, baseOrders*c.Scale, r)
	o := model.Order{ID: id, CustomerID: model.KeyAt(r.intn(baseCustomers * c.Scale)), OrderDate: model.Day(created), Status: model.StatusPending,
		Trio: model.Trio{CreatedAt: created, UpdatedAt: created}}
	if t, left := c.leftAt(o.CustomerID); left {
		o.Status, o.UpdatedAt, o.DeletedAt = model.StatusCancelled, t, t
	} else if r.pct(2) {
		t := created.Add(time.Hour + time.Duration(r.int63n(int64(19*time.Hour/time.Microsecond)))*time.Microsecond)
		o.Status, o.UpdatedAt, o.DeletedAt = model.StatusCancelled, t, t
	}
	return o
}

// baseItemBlock is the items of Day 0 order block b (the orders from
// position b*itemBlock on), from the catalog at its original prices, with the orders' totals.
func (c Config) baseItemBlock(b int) ([]model.OrderItem, []model.Cents) {
	lo, hi := b*itemBlock, min((b+1)*itemBlock, baseOrders*c.Scale)
	orders := make([]order, hi-lo)
	for i := range orders {
		orders[i] = compact(c.baseOrder(lo + i))
	}
	return c.baseItems(b, orders, true)
}

// baseItems is the items of Day 0 order block b, given its orders (only
// the totals without emit).
func (c Config) baseItems(b int, orders []order, emit bool) ([]model.OrderItem, []model.Cents) {
	no, ni := baseOrders*c.Scale, baseItems*c.Scale
	lo, hi := b*itemBlock, min((b+1)*itemBlock, no)
	active := make([]int64, len(catalog))
	for i := range active {
		active[i] = int64(i + 1)
	}
	from := lo * ni / no
	return makeItems(c.Seed, 0, orders, from, hi*ni/no, from, active, func(id int64) model.Cents { return catalog[id-1].price }, emit)
}

// baseEmail is the campaign email at position i, inside its campaign's
// month.
func (c Config) baseEmail(i int) model.Email {
	id := model.KeyAt(i)
	r := stream(c.Seed, tagEmail, 0, uint64(id))
	sent := spread(c.Start.Add(emailsFrom), c.Start.Add(historyTo), i, baseEmails*c.Scale, r)
	return c.email(id, model.KeyAt(r.intn(baseCustomers*c.Scale)), sent, r)
}

// baseSession is the web session at position i, over the two months before Day 0; about
// 30 % are anonymous.
func (c Config) baseSession(i int) model.WebSession {
	id := model.KeyAt(i)
	r := stream(c.Seed, tagSession, 0, uint64(id))
	start := spread(c.Start.Add(sessionsFrom), c.Start.Add(historyTo), i, baseSessions*c.Scale, r)
	var cust int64
	if !r.pct(30) {
		cust = model.KeyAt(r.intn(baseCustomers * c.Scale))
	}
	return session(id, cust, start, r)
}

// Baseline generates Day 0 as a state (what the deltas start from) and its
// changeset (every row as an insert).
func Baseline(cfg Config) (*State, *changeset.Changeset, error) {
	s, err := baselineState(cfg, false, 1)
	if err != nil {
		return nil, nil, err
	}
	cs := &changeset.Changeset{Day: 0}
	for _, t := range model.Tables() {
		st := changeset.Step{Table: t.ID, Kind: changeset.Insert, What: "seed data", Columns: t.ColumnNames()}
		for i, n := 0, s.stored(t.ID); i < n; i++ {
			st.Rows = append(st.Rows, s.row(t.ID, i))
		}
		cs.Steps = append(cs.Steps, st) // every table, even when empty (payments)
	}
	return s, cs, nil
}

// baselineState is the state of Day 0, with room for the rows of the days
// through day through; a lean one (see Resume) skips the rows of the
// append-only tables.
func baselineState(cfg Config, lean bool, through int) (*State, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := emptyState(cfg, lean, through)
	s.baseShop()
	s.baseOrderLines()
	s.baseCRM()
	return s, nil
}

// emptyState is a state with room for exactly the rows of the baseline and
// the days through day through: growing slices of large records by copying
// is most of the cost otherwise, and room beyond the rows is memory held
// for nothing (at scale 1000 the orders alone are 64 MB).
func emptyState(cfg Config, lean bool, through int) *State {
	s := &State{cfg: cfg, lean: lean, due: map[int][]int64{}}
	d := &s.d
	var added Plan
	for n := 1; n <= through; n++ {
		p := PlanFor(cfg, n)
		added.Customers += p.Customers
		added.Orders += p.Orders
		added.Items += p.Items
		added.Emails += p.Emails
		added.Sessions += p.Sessions
	}
	more := map[model.TableID]int{model.Customers: added.Customers, model.Orders: added.Orders,
		model.OrderItems: added.Items, model.EmailActivity: added.Emails, model.WebSessions: added.Sessions}
	room := func(t model.TableID) int {
		if lean && appendOnly(t) && !(t == model.OrderItems && cfg.HardDeletes) {
			return 0 // see keepsLines
		}
		return BaselineCount(cfg, t) + more[t]
	}
	d.Customers = make([]model.Customer, 0, room(model.Customers))
	s.orders = make([]order, 0, room(model.Orders))
	d.OrderItems = make([]model.OrderItem, 0, room(model.OrderItems))
	d.EmailActivity = make([]model.Email, 0, room(model.EmailActivity))
	d.WebSessions = make([]model.WebSession, 0, room(model.WebSessions))
	s.total = make([]model.Cents, 0, room(model.Orders))
	return s
}

// baseShop fills Day 0's customers, products, campaigns and orders, and
// the bookkeeping on them: no orders settled yet, every order pending but
// the cancelled ones.
func (s *State) baseShop() {
	cfg, d := s.cfg, &s.d
	d.Customers = d.Customers[:BaselineCount(cfg, model.Customers)]
	parallel(len(d.Customers), func(i int) { d.Customers[i] = cfg.baseCustomer(i) })
	s.settled = make([]int32, len(d.Customers))
	for i := range catalog {
		d.Products = append(d.Products, baseProduct(cfg, i))
	}
	for k := range BaselineCount(cfg, model.Campaigns) {
		d.Campaigns = append(d.Campaigns, cfg.baseCampaign(int64(k+1)))
	}
	no := BaselineCount(cfg, model.Orders)
	s.orders = s.orders[:no]
	parallel(no, func(i int) { s.orders[i] = compact(cfg.baseOrder(i)) })
	for i := range s.orders {
		if s.orders[i].status == pending {
			s.pending = append(s.pending, s.orders[i].ID)
		}
	}
}

// baseOrderLines makes Day 0's order lines (kept when keepsLines) and the
// order totals.
func (s *State) baseOrderLines() {
	cfg := s.cfg
	no := len(s.orders)
	// The order totals need every item; the blocks are independent.
	blocks := (no + itemBlock - 1) / itemBlock
	items := make([][]model.OrderItem, blocks)
	totals := make([][]model.Cents, blocks)
	parallel(blocks, func(b int) {
		items[b], totals[b] = cfg.baseItems(b, s.orders[b*itemBlock:min((b+1)*itemBlock, no)], s.keepsLines())
	})
	for b := range blocks {
		s.keepItems(items[b])
		s.total = append(s.total, totals[b]...)
		items[b] = nil
	}
	s.appended[model.OrderItems] = BaselineCount(cfg, model.OrderItems) // also when lean, with no lines made
}

// baseCRM counts Day 0's emails and sessions, and makes them unless the
// state is lean.
func (s *State) baseCRM() {
	cfg, d := s.cfg, &s.d
	s.appended[model.EmailActivity] = BaselineCount(cfg, model.EmailActivity)
	s.appended[model.WebSessions] = BaselineCount(cfg, model.WebSessions)
	if s.lean {
		return
	}
	for i := range BaselineCount(cfg, model.EmailActivity) {
		d.EmailActivity = append(d.EmailActivity, cfg.baseEmail(i))
	}
	for i := range BaselineCount(cfg, model.WebSessions) {
		d.WebSessions = append(d.WebSessions, cfg.baseSession(i))
	}
}

// parallel calls fn(i) for i in [0, n) on every core, in chunks.
func parallel(n int, fn func(i int)) {
	workers := runtime.GOMAXPROCS(0)
	const chunk = 256
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				from := int(next.Add(chunk)) - chunk
				if from >= n {
					return
				}
				for i := from; i < min(from+chunk, n); i++ {
					fn(i)
				}
			}
		})
	}
	wg.Wait()
}
