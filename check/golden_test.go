package check_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/originsim/originsim/check"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestRulesGolden pins what RulesWith reports, rule by rule and in order, on
// valid days and on days broken in many ways at once: the names, tables,
// counts and example keys are what callers and the JSON report show.
// The generator's data feeds it, so a deliberate change to the data (a new
// gen version) calls for -update, and the diff shows what the rules saw.
func TestRulesGolden(t *testing.T) {
	var out bytes.Buffer
	for _, c := range goldenCases(t) {
		fmt.Fprintf(&out, "## %s\n", c.name)
		for _, r := range check.RulesWith(c.d, c.until, c.o) {
			line, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			out.Write(append(line, '\n'))
		}
	}
	path := filepath.Join("testdata", "rules.golden")
	if *update {
		if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("RulesWith's results differ from %s (run with -update if the change is meant):\n%s", path, firstDiff(got, string(want)))
	}
}

type goldenCase struct {
	name  string
	d     *model.Dataset
	until time.Time
	o     check.Options
}

func goldenCases(t *testing.T) []goldenCase {
	cfg := gen.Default()
	hard := cfg
	hard.HardDeletes = true
	var cs []goldenCase
	for _, n := range []int{0, 3, 30} {
		cs = append(cs, goldenCase{fmt.Sprintf("soft deletes, day %d", n), day(t, cfg, n), cfg.DayDate(n + 1), check.Options{}})
	}
	for _, n := range []int{3, 30} {
		left := remaining(t, hard, n)
		cs = append(cs,
			goldenCase{fmt.Sprintf("hard deletes, day %d", n), left, hard.DayDate(n + 1), check.Options{HardDeletes: true}},
			goldenCase{fmt.Sprintf("hard deletes, day %d, checked as soft", n), left, hard.DayDate(n + 1), check.Options{}})
	}
	broken := day(t, cfg, 3)
	breakMany(broken, cfg.DayDate(4))
	cs = append(cs,
		goldenCase{"day 3 broken in many ways", broken, cfg.DayDate(4), check.Options{}},
		goldenCase{"day 3 broken in many ways, hard deletes", broken, cfg.DayDate(4), check.Options{HardDeletes: true}})
	shuffled := day(t, cfg, 30)
	breakKeys(shuffled)
	cs = append(cs,
		goldenCase{"day 30 with keys out of order and repeated", shuffled, cfg.DayDate(31), check.Options{}},
		goldenCase{"day 30 recorded a day early", day(t, cfg, 30), cfg.DayDate(30), check.Options{}},
		goldenCase{"day 3 with the user's rows, two of them dangling", withUsersRows(t, true), cfg.DayDate(4), check.Options{}},
		goldenCase{"empty", &model.Dataset{}, cfg.DayDate(1), check.Options{}},
		goldenCase{"empty, hard deletes", &model.Dataset{}, cfg.DayDate(1), check.Options{HardDeletes: true}})
	return cs
}

// day is a private copy of the expected state after day n.
func day(t *testing.T, cfg gen.Config, n int) *model.Dataset {
	s, err := gen.At(cfg, n)
	if err != nil {
		t.Fatal(err)
	}
	d := s.Dataset()
	return &model.Dataset{
		Customers:     append([]model.Customer(nil), d.Customers...),
		Products:      append([]model.Product(nil), d.Products...),
		Orders:        append([]model.Order(nil), d.Orders...),
		OrderItems:    append([]model.OrderItem(nil), d.OrderItems...),
		Payments:      append([]model.Payment(nil), d.Payments...),
		Campaigns:     append([]model.Campaign(nil), d.Campaigns...),
		EmailActivity: append([]model.Email(nil), d.EmailActivity...),
		WebSessions:   append([]model.WebSession(nil), d.WebSessions...),
	}
}

// remaining is what a database holds after day n with hard deletes: the
// rows the days deleted are gone.
func remaining(t *testing.T, cfg gen.Config, n int) *model.Dataset {
	s, err := gen.At(cfg, n)
	if err != nil {
		t.Fatal(err)
	}
	left := &model.Dataset{}
	for _, tb := range model.Tables() {
		for i := range s.Dataset().Len(tb.ID) {
			row := s.Dataset().Row(tb.ID, i)
			if s.Gone(tb.ID, row[0].(int64)) {
				continue
			}
			if err := left.Append(tb.ID, row); err != nil {
				t.Fatal(err)
			}
		}
	}
	return left
}

// breakMany breaks nearly every rule, most of them in more rows than a
// result keeps as examples.
func breakMany(d *model.Dataset, until time.Time) {
	hour := time.Hour
	for i := 0; i < 7; i++ {
		c := &d.Customers[10+i]
		c.Email = "someone@example.com"
		c.UpdatedAt = c.CreatedAt.Add(-hour)
	}
	d.Customers[20].DeletedAt = d.Customers[20].CreatedAt.Add(-hour)
	d.Customers[21].CreatedAt = until
	d.Customers[22].DeletedAt = until.Add(hour)
	for i := range d.Products {
		if i%3 == 0 {
			d.Products[i].Price = 0
		}
		if i%4 == 0 {
			d.Products[i].Category = "Toys"
		}
	}
	d.Products[1].Price += 7 // items bought after its last change now disagree
	for i := 0; i < 8; i++ {
		o := &d.Orders[30+i]
		o.CustomerID = 100000 + int64(i)
		o.OrderDate = o.OrderDate.AddDate(0, 0, 1)
	}
	d.Orders[40].Status = "lost"
	d.Orders[41].Status = model.StatusCancelled
	d.Orders[42].DeletedAt = d.Orders[42].UpdatedAt
	for i := range d.Orders {
		if o := &d.Orders[i]; o.Status == model.StatusCompleted && i%9 == 0 {
			o.Status = model.StatusPending
		}
	}
	// Soft-delete customers whose orders stay active.
	for i := 50; i < 60; i++ {
		c := &d.Customers[d.Orders[i].CustomerID-1]
		if c.Active() {
			c.DeletedAt = c.UpdatedAt
		}
	}
	for i := 0; i < 6; i++ {
		it := &d.OrderItems[100+i]
		it.OrderID = 900000
		it.ProductID = 900000
	}
	for i := 0; i < 6; i++ {
		d.OrderItems[200+i].Quantity = 0
		d.OrderItems[210+i].UnitPrice = -1
	}
	// Move every item of order 70 onto order 71: one has none, one too many.
	for i := range d.OrderItems {
		if it := &d.OrderItems[i]; it.OrderID == 70 {
			it.OrderID = 71
		}
	}
	for i := range d.OrderItems {
		if it := &d.OrderItems[i]; it.OrderID == 72 && i%2 == 0 {
			it.OrderID = 73
		}
	}
	for i := 0; i < 6; i++ {
		p := &d.Payments[i]
		p.Amount++
		if i%2 == 0 {
			p.Method = "barter"
		}
	}
	d.Payments[10].Amount = -d.Payments[10].Amount
	d.Payments[11].Amount = 0
	d.Payments[12].OrderID = 700000
	d.Payments[13].OrderID = 0
	d.Payments[14].UpdatedAt = until
	d.Campaigns[0].EndDate = d.Campaigns[0].StartDate.AddDate(0, 0, -1)
	d.Campaigns[1].Budget = 0
	d.Campaigns[2].DeletedAt = d.Campaigns[2].CreatedAt.Add(-hour)
	for i := 0; i < 7; i++ {
		e := &d.EmailActivity[i]
		e.Opened, e.Clicked = false, true
		e.SentDate = e.SentDate.AddDate(0, 2, 0)
	}
	d.EmailActivity[20].CampaignID = 99
	d.EmailActivity[21].CustomerID = 0
	d.EmailActivity[22].CustomerID = d.Customers[len(d.Customers)-1].ID + 1
	d.EmailActivity[23].CustomerID = d.Customers[5].ID // still there
	d.EmailActivity[24].CustomerID = 5                 // removed below: stands only with hard deletes
	for i := 0; i < 7; i++ {
		w := &d.WebSessions[i]
		w.SessionEnd = w.SessionStart.Add(-time.Second)
		w.PageViews = 21 + int64(i)
		w.CustomerID = 4 + int64(i) // 4 to 9 are removed below
	}
	d.WebSessions[10].PageViews = 2
	d.WebSessions[11].CustomerID = -1
	d.WebSessions[12].CreatedAt = until.Add(time.Second)
	// On the edges: ordered at the very moment of a price change; created,
	// changed and deleted at once; sent on the day after and on the first
	// day of a campaign; a session of no time at all; 3 and 20 page views.
	it := &d.OrderItems[300]
	p := &d.Products[it.ProductID-1]
	d.Orders[it.OrderID-1].CreatedAt = p.UpdatedAt
	it.UnitPrice = p.Price + 1
	d.Orders[301].UpdatedAt = d.Orders[301].CreatedAt
	d.Orders[301].DeletedAt = d.Orders[301].CreatedAt
	d.Orders[301].Status = model.StatusCancelled
	for i, e := range d.EmailActivity[30:34] {
		cp := d.Campaigns[e.CampaignID-1]
		d.EmailActivity[30+i].SentDate = []time.Time{cp.EndDate.AddDate(0, 0, 1), cp.StartDate, cp.EndDate, cp.StartDate.Add(-time.Microsecond)}[i]
	}
	d.WebSessions[30].SessionEnd = d.WebSessions[30].SessionStart
	d.WebSessions[31].PageViews = 3
	d.WebSessions[32].PageViews = 20
	// A sixth item for an order of five; a pending order paid less than
	// nothing.
	count := map[int64]int{}
	for _, it := range d.OrderItems {
		count[it.OrderID]++
	}
	for i := range d.OrderItems {
		if it := &d.OrderItems[i]; it.OrderID > 400 && count[it.OrderID] >= 3 {
			for id := int64(400); id > 0; id-- {
				if count[id] == 5 {
					it.OrderID = id
					break
				}
			}
			break
		}
	}
	owed := d.Payments[16].OrderID
	for i := range d.Payments {
		if d.Payments[i].OrderID == owed {
			d.Payments[i].Amount = -d.Payments[i].Amount
		}
	}
	d.Orders[owed-1].Status = model.StatusPending
	// Holes in the customers: the CRM's references to them dangle.
	d.Customers = append(d.Customers[:3], d.Customers[9:]...)
}

// breakKeys repeats, reverses and leaves out keys, and repeats a customer
// with other values: where keys repeat, the rules see the last row.
func breakKeys(d *model.Dataset) {
	d.Customers[4].ID = d.Customers[3].ID
	d.Customers[4].DeletedAt = d.Customers[4].UpdatedAt
	d.Customers[8], d.Customers[9] = d.Customers[9], d.Customers[8]
	d.Products[2].ID = d.Products[1].ID
	d.Products[2].Price = d.Products[1].Price + 1
	d.Orders[7].ID = 0
	d.Orders[20], d.Orders[21] = d.Orders[21], d.Orders[20]
	d.Orders[30].ID = d.Orders[29].ID
	for i := 40; i < 50; i++ {
		d.OrderItems[i].ID = d.OrderItems[39].ID
	}
	d.Payments[3].ID = -5
	d.Campaigns[4].ID = d.Campaigns[0].ID
	d.Campaigns[4].EndDate = d.Campaigns[0].StartDate
	d.EmailActivity[2], d.EmailActivity[3] = d.EmailActivity[3], d.EmailActivity[2]
	d.WebSessions = append(d.WebSessions, d.WebSessions[0])
	d.Customers = append(d.Customers, d.Customers[len(d.Customers)-1])
	d.Customers[len(d.Customers)-1].ID = 3
}

// firstDiff shows the first line where got and want part.
func firstDiff(got, want string) string {
	g, w := bytes.Split([]byte(got), []byte("\n")), bytes.Split([]byte(want), []byte("\n"))
	for i := 0; i < len(g) || i < len(w); i++ {
		var gl, wl []byte
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if !bytes.Equal(gl, wl) {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, gl, wl)
		}
	}
	return ""
}
