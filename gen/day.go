package gen

import (
	"fmt"
	"time"

	"github.com/originsim/originsim/changeset"
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
//
// The steps run in the order of the business day, and that order is part
// of the data: each step draws from its own random streams and sees what
// the steps before it changed, and the changeset keeps its steps in this
// order.
func (s *State) Advance() (*changeset.Changeset, error) {
	w := s.begin(s.day + 1)
	if err := s.play(w); err != nil {
		return nil, err
	}
	return w.cs, nil
}

// AdvanceSteps plays the next day as Advance does, but hands each step to
// fn as soon as it is made, in changeset order, and keeps none: the day's
// rows are never all in memory at once (at scale 1000 a day is about
// 800,000 rows). After fn's first error it is not called again; the day is
// still played, and the error returned.
func (s *State) AdvanceSteps(fn func(changeset.Step) error) error {
	w := s.begin(s.day + 1)
	w.sink = func(st changeset.Step) {
		if w.failed == nil {
			w.failed = fn(st)
		}
	}
	if err := s.play(w); err != nil {
		return err
	}
	return w.failed
}

// play runs the steps of day w.n on the state.
func (s *State) play(w *workday) error {
	n := w.n
	if n > MaxDay {
		return fmt.Errorf("%w: day %d is past the last day %d", ErrConfig, n, MaxDay)
	}
	s.newCustomers(w)
	s.priceChanges(w)
	s.newOrders(w)
	s.orderItems(w)
	if err := s.payments(w); err != nil {
		return err
	}
	s.statusTransitions(w)
	s.emailChanges(w)
	s.departures(w)
	s.campaigns(w)
	s.emailActivity(w)
	s.webSessions(w)
	s.day = n
	return nil
}

// workday is what the steps of one day share: the plan, the date, the
// changeset being built and what earlier steps decided for later ones.
type workday struct {
	n    int
	seed uint64
	plan Plan
	date time.Time
	cs   *changeset.Changeset
	// sink, when set, takes each step instead of cs (see AdvanceSteps);
	// failed is the first error it met.
	sink   func(changeset.Step)
	failed error

	// known is the number of customers at the start of the day; audience
	// the active ones among them: today's email and web activity goes to
	// them.
	known    int64
	audience []int64

	firstOrder int            // the position of today's first order
	paid       []int64        // orders paid today, ascending
	changed    map[int64]bool // customers whose email changed today
}

// add puts a step of rows in the day's changeset, or hands it to the sink.
func (w *workday) add(st changeset.Step) {
	if w.sink == nil {
		w.cs.Add(st)
	} else if len(st.Rows) > 0 {
		w.sink(st)
	}
}

// spillRows is how many rows of a step a sink is handed at a time.
const spillRows = 10000

// spill hands a sink the rows of a step being built once there are
// spillRows of them: the day's largest steps (Day 1 settles the backlog
// with 272 payments a scale unit) need not be whole in memory. Without a
// sink the step stays whole, as the changeset has it.
func (w *workday) spill(st *changeset.Step) {
	if w.sink != nil && len(st.Rows) >= spillRows {
		w.sink(*st)
		st.Rows = make([][]any, 0, spillRows)
	}
}

// room is the capacity to give a step of n rows.
func (w *workday) room(n int) int {
	if w.sink != nil {
		return min(n, spillRows)
	}
	return n
}

// begin opens day n on the state as it stands.
func (s *State) begin(n int) *workday {
	w := &workday{n: n, seed: s.cfg.Seed, plan: PlanFor(s.cfg, n), date: s.cfg.DayDate(n),
		cs: &changeset.Changeset{Day: n}, known: int64(len(s.d.Customers))}
	w.audience = s.activeCustomers()
	return w
}

// at is the moment h after the day's midnight.
func (w *workday) at(h time.Duration) time.Time { return w.date.Add(h) }

// stream is the day's random stream for a purpose; rowStream is that of
// one row (or one key) of the day.
func (w *workday) stream(tag uint64) *rng { return stream(w.seed, tag, uint64(w.n)) }

func (w *workday) rowStream(tag uint64, id int64) *rng {
	return stream(w.seed, tag, uint64(w.n), uint64(id))
}
