package gen

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

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
	campaignDays  = 30
	// campaignEpoch is the start of campaign 1 relative to Day 0: campaign 5
	// starts two weeks before Day 0 and runs through Day 15.
	campaignEpoch = -134
)

// State is the simulated content of the eight tables after a given day, plus
// the bookkeeping the next day needs. It is what the database must hold.
type State struct {
	cfg Config
	day int
	d   model.Dataset
	// lean states keep no rows of the append-only tables (order_items,
	// payments, email_activity, web_sessions): the next day never reads
	// them, and they are most of the rows. appended counts them either way.
	lean     bool
	appended [model.NumTables]int
	// gone holds the keys deleted by hard deletes (see
	// Config.HardDeletes); their rows stay in d, as soft deletes would
	// have left them, so the days after play the same.
	gone [model.NumTables]map[int64]bool

	total   []model.Cents   // per order (index id-1): sum of its items
	settled []int32         // per customer (index id-1): orders shipped or completed
	pending []int64         // active pending orders, ascending
	due     map[int][]int64 // day -> shipped orders that complete that day
}

// Config returns the configuration the state was generated with.
func (s *State) Config() Config { return s.cfg }

// Day is the last day applied (0: baseline).
func (s *State) Day() int { return s.day }

// Dataset is the expected content of the tables. Callers must not modify it.
// A lean state (see Resume) has no rows of the append-only tables.
func (s *State) Dataset() *model.Dataset { return &s.d }

// Len is the number of rows table t holds after the state's day, also for
// the tables a lean state does not keep.
func (s *State) Len(t model.TableID) int {
	if appendOnly(t) {
		return s.appended[t] - len(s.gone[t])
	}
	return s.d.Len(t) - len(s.gone[t])
}

// Gone tells whether the row of table t with the given key was deleted
// (hard deletes only). Its row is still in Dataset.
func (s *State) Gone(t model.TableID, key int64) bool { return s.gone[t][key] }

func (s *State) forget(t model.TableID, key int64) {
	if s.gone[t] == nil {
		s.gone[t] = map[int64]bool{}
	}
	s.gone[t][key] = true
}

func checkDay(n int) error {
	if n < 0 || n > MaxDay {
		return fmt.Errorf("%w: day %d: must be between 0 and %d", ErrConfig, n, MaxDay)
	}
	return nil
}

// appendOnly tells the tables whose rows, once written, never change.
func appendOnly(t model.TableID) bool {
	switch t {
	case model.OrderItems, model.Payments, model.EmailActivity, model.WebSessions:
		return true
	}
	return false
}

// At generates the state after the given day, with every row.
func At(cfg Config, n int) (*State, error) { return replay(cfg, n, false) }

// Resume generates the state after the given day without the rows of the
// append-only tables: all the next Advance needs, in a fraction of the
// memory and time. Its Dataset holds customers, products, orders and
// campaigns only; Len counts every table.
func Resume(cfg Config, n int) (*State, error) { return replay(cfg, n, true) }

func replay(cfg Config, n int, lean bool) (*State, error) {
	if err := checkDay(n); err != nil {
		return nil, err
	}
	s, err := baselineState(cfg, lean)
	if err != nil {
		return nil, err
	}
	for s.day < n {
		if _, err := s.Advance(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

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

// addItems creates nItems order lines for the nOrders orders starting at
// firstOrder (already in the dataset), 1 to 5 lines each, with distinct
// products per order at the price in effect, records the order totals and
// returns the lines as rows.
func (s *State) addItems(dayN int, firstOrder int64, nOrders, nItems int) [][]any {
	active := s.activeProducts()
	price := func(id int64) model.Cents { return s.d.Products[id-1].Price }
	rows := make([][]any, 0, nItems)
	for b := 0; b*itemBlock < nOrders; b++ {
		lo, hi := b*itemBlock, min((b+1)*itemBlock, nOrders)
		orders := s.d.Orders[firstOrder-1+int64(lo) : firstOrder-1+int64(hi)]
		items, totals := makeItems(s.cfg.Seed, dayN, orders, lo*nItems/nOrders, hi*nItems/nOrders, int64(s.appended[model.OrderItems])+1, active, price, true)
		s.keepItems(items)
		s.total = append(s.total, totals...)
		for i := range items {
			rows = append(rows, items[i].Values())
		}
	}
	return rows
}

// keepsLines tells whether the state keeps the order lines: unless it is
// lean, and always with hard deletes, which find a deleted order's lines.
func (s *State) keepsLines() bool { return !s.lean || s.cfg.HardDeletes }

// keepItems counts order lines, and keeps them when keepsLines.
func (s *State) keepItems(items []model.OrderItem) {
	s.appended[model.OrderItems] += len(items)
	if s.keepsLines() {
		s.d.OrderItems = append(s.d.OrderItems, items...)
	}
}

// makeItems creates the items of one block of orders: to-from lines, the
// first with id firstItem, spread 1 to 5 per order, with distinct products
// (from active, at their price) per order. It also returns the order totals.
// Everything comes from the block's own random stream.
// Without emit, only the totals are made (the same draws, no lines).
func makeItems(seed uint64, dayN int, orders []model.Order, from, to int, firstItem int64, active []int64, price func(int64) model.Cents, emit bool) ([]model.OrderItem, []model.Cents) {
	r := stream(seed, tagItems, uint64(dayN), uint64(orders[0].ID))
	counts := distribute(r, len(orders), to-from, min(5, len(active)))
	var items []model.OrderItem
	if emit {
		items = make([]model.OrderItem, 0, to-from)
	}
	totals := make([]model.Cents, len(orders))
	for j, cnt := range counts {
		o := &orders[j]
		for _, p := range pickDistinct(r, len(active), cnt) {
			id, unit := active[p], price(active[p])
			q := int64(1)
			switch x := r.intn(10); {
			case x >= 9:
				q = 3
			case x >= 6:
				q = 2
			}
			if emit {
				items = append(items, model.OrderItem{ID: firstItem + int64(len(items)), OrderID: o.ID, ProductID: id,
					Quantity: q, UnitPrice: unit, Trio: model.Trio{CreatedAt: o.CreatedAt, UpdatedAt: o.CreatedAt}})
			}
			totals[j] += model.Cents(q) * unit
		}
	}
	return items, totals
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

// pickDistinct draws k distinct indices from [0, n), in draw order.
func pickDistinct(r *rng, n, k int) []int {
	out := make([]int, 0, k)
	for len(out) < k {
		x := r.intn(n)
		dup := false
		for _, y := range out {
			dup = dup || y == x
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

func (s *State) activeProducts() []int64 {
	var ids []int64
	for _, p := range s.d.Products {
		if p.Active() {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

// rank orders ids by a per-day hash: a fair, reproducible shuffle whose
// result for one id does not depend on the others.
func rank(seed uint64, tag uint64, dayN int, ids []int64) []int64 {
	type keyed struct {
		key uint64
		id  int64
	}
	ks := make([]keyed, len(ids))
	for i, id := range ids {
		ks[i] = keyed{hash(seed, tag, uint64(dayN), uint64(id)), id}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id)) })
	out := make([]int64, len(ks))
	for i, k := range ks {
		out[i] = k.id
	}
	return out
}
