package gen

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/check"
	"github.com/originsim/originsim/model"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// contractCounts is the documented row count of each table (in model order)
// after Day 0..3; ids always run from 1 to the count.
var contractCounts = [4][model.NumTables]int{
	{100, 20, 500, 1200, 0, 5, 100, 150},
	{125, 20, 560, 1303, 272, 5, 150, 200},
	{147, 20, 615, 1387, 316, 5, 200, 250},
	{175, 20, 680, 1502, 374, 5, 250, 300},
}

// days plays the default configuration (or cfg) from Day 0 through day last
// and calls fn after each day with the state and that day's changeset.
func days(t testing.TB, cfg Config, last int, fn func(n int, s *State, cs *changeset.Changeset)) {
	t.Helper()
	s, cs, err := Baseline(cfg)
	if err != nil {
		t.Fatal(err)
	}
	fn(0, s, cs)
	for n := 1; n <= last; n++ {
		if cs, err = s.Advance(); err != nil {
			t.Fatalf("day %d: %v", n, err)
		}
		fn(n, s, cs)
	}
}

func TestContractCountsAndIDRanges(t *testing.T) {
	for _, seed := range []uint64{DefaultSeed, 1, 7, 2024, 987654321} {
		cfg := Default()
		cfg.Seed = seed
		days(t, cfg, 3, func(n int, s *State, _ *changeset.Changeset) {
			d := s.Dataset()
			for _, tb := range model.Tables() {
				want := contractCounts[n][tb.ID]
				if got := d.Len(tb.ID); got != want {
					t.Errorf("seed %d day %d: %s has %d rows, want %d", seed, n, tb.Name, got, want)
					continue
				}
				for i := 0; i < want; i++ {
					if id := d.Row(tb.ID, i)[0].(int64); id != int64(i+1) {
						t.Fatalf("seed %d day %d: %s row %d has id %d, want %d", seed, n, tb.Name, i, id, i+1)
					}
				}
			}
		})
	}
}

func TestScaleMultipliesTheContract(t *testing.T) {
	cfg := Default()
	cfg.Scale = 3
	days(t, cfg, 3, func(n int, s *State, _ *changeset.Changeset) {
		for _, tb := range model.Tables() {
			want := contractCounts[n][tb.ID]
			if tb.ID != model.Products && tb.ID != model.Campaigns {
				want *= 3
			}
			if got := s.Dataset().Len(tb.ID); got != want {
				t.Errorf("scale 3 day %d: %s has %d rows, want %d", n, tb.Name, got, want)
			}
		}
		for _, r := range check.Failed(check.Rules(s.Dataset(), cfg.DayDate(n+1))) {
			t.Errorf("scale 3 day %d: %s", n, r.Summary())
		}
	})
}

func TestEveryRuleHoldsEveryDay(t *testing.T) {
	last := 60
	if testing.Short() {
		last = 10
	}
	for _, seed := range []uint64{DefaultSeed, 1, 99} {
		cfg := Default()
		cfg.Seed = seed
		days(t, cfg, last, func(n int, s *State, _ *changeset.Changeset) {
			rs := check.Rules(s.Dataset(), cfg.DayDate(n+1))
			if len(rs) < 40 {
				t.Fatalf("only %d rules checked", len(rs))
			}
			for _, r := range check.Failed(rs) {
				t.Errorf("seed %d day %d: %s", seed, n, r.Summary())
			}
		})
	}
}

// Every delta must change existing rows, not only append: that is what CDC,
// SCD2 and incremental-load users come for.
func TestEveryDeltaUpdatesAndSoftDeletes(t *testing.T) {
	days(t, Default(), 10, func(n int, s *State, cs *changeset.Changeset) {
		if n == 0 {
			return
		}
		need := map[string]int{
			"orders status updates":   cs.Count(model.Orders, changeset.Update),
			"orders cancelled":        cs.Count(model.Orders, changeset.SoftDelete),
			"customer email changes":  cs.Count(model.Customers, changeset.Update),
			"customers leaving":       cs.Count(model.Customers, changeset.SoftDelete),
			"new email activity rows": cs.Count(model.EmailActivity, changeset.Insert),
			"new web sessions":        cs.Count(model.WebSessions, changeset.Insert),
		}
		if n == 2 {
			need["product price changes"] = cs.Count(model.Products, changeset.Update)
			need["products discontinued"] = cs.Count(model.Products, changeset.SoftDelete)
		}
		for what, c := range need {
			if c == 0 {
				t.Errorf("day %d has no %s", n, what)
			}
		}
		if n != 2 && n <= 3 && cs.Count(model.Products, changeset.Update) > 0 {
			t.Errorf("day %d changes prices; the contract has price changes on Day 2 only", n)
		}
	})
}

// Time moves forward: what day N writes lies inside day N's date, and
// updated_at > the previous day's watermark finds exactly the rows day N
// inserted or changed.
func TestWatermarkFindsExactlyTheDaysChanges(t *testing.T) {
	cfg := Default()
	days(t, cfg, 8, func(n int, s *State, cs *changeset.Changeset) {
		from, to := cfg.DayDate(n), cfg.DayDate(n+1)
		if n == 0 {
			from = time.Time{}
			to = cfg.DayDate(0)
		}
		touched := map[model.TableID]map[int64]bool{}
		for _, st := range cs.Steps {
			if touched[st.Table] == nil {
				touched[st.Table] = map[int64]bool{}
			}
			for _, r := range st.Rows {
				touched[st.Table][r[0].(int64)] = true
			}
		}
		d := s.Dataset()
		for _, tb := range model.Tables() {
			for i := 0; i < d.Len(tb.ID); i++ {
				row := d.Row(tb.ID, i)
				id := row[0].(int64)
				upd := row[len(row)-2].(time.Time)
				inDay := !upd.Before(from) && upd.Before(to)
				if inDay != touched[tb.ID][id] {
					t.Fatalf("day %d: %s %d updated_at %s, touched by the day: %v", n, tb.Name, id, upd, touched[tb.ID][id])
				}
				if !inDay && !upd.Before(from) {
					t.Fatalf("day %d: %s %d has updated_at %s after the day", n, tb.Name, id, upd)
				}
				if del, ok := row[len(row)-1].(time.Time); ok && !del.Before(to) {
					t.Fatalf("day %d: %s %d deleted_at %s past the day", n, tb.Name, id, del)
				}
			}
		}
	})
}

// An item's unit price is the product's price in effect when it was ordered.
func TestItemsUseThePriceInEffect(t *testing.T) {
	days(t, Default(), 20, func(n int, s *State, cs *changeset.Changeset) {
		d := s.Dataset()
		for _, st := range cs.Steps {
			if st.Table != model.OrderItems || st.Kind != changeset.Insert {
				continue
			}
			for _, r := range st.Rows {
				p := d.Products[r[2].(int64)-1]
				if r[4].(model.Cents) != p.Price {
					t.Fatalf("day %d: item %d unit_price %s, product %d price %s", n, r[0], r[4], p.ID, p.Price)
				}
				if !p.Active() && !p.DeletedAt.After(r[5].(time.Time)) {
					t.Fatalf("day %d: item %d orders discontinued product %d", n, r[0], p.ID)
				}
			}
		}
	})
}

func TestShapes(t *testing.T) {
	s, err := At(Default(), 3)
	if err != nil {
		t.Fatal(err)
	}
	d := s.Dataset()
	avgItems := float64(len(d.OrderItems)) / float64(len(d.Orders))
	opened, clicked := 0, 0
	for _, e := range d.EmailActivity {
		if e.Opened {
			opened++
		}
		if e.Clicked {
			clicked++
		}
	}
	pages := int64(0)
	for _, w := range d.WebSessions {
		pages += w.PageViews
		if l := w.SessionEnd.Sub(w.SessionStart); l < 2*time.Minute || l > 30*time.Minute {
			t.Errorf("session %d lasts %s", w.ID, l)
		}
	}
	checks := []struct {
		what     string
		got      float64
		from, to float64
	}{
		{"items per order", avgItems, 2.0, 2.4},
		{"open rate", float64(opened) / float64(len(d.EmailActivity)), 0.4, 0.6},
		{"click rate", float64(clicked) / float64(len(d.EmailActivity)), 0.15, 0.35},
		{"page views per session", float64(pages) / float64(len(d.WebSessions)), 9, 11.5},
	}
	for _, c := range checks {
		if c.got < c.from || c.got > c.to {
			t.Errorf("%s = %.2f, want %.2f..%.2f", c.what, c.got, c.from, c.to)
		}
	}
	for _, c := range d.Campaigns {
		if days := c.EndDate.Sub(c.StartDate) / (24 * time.Hour); days < 25 || days > 35 || c.Budget < 100000 {
			t.Errorf("campaign %d: %d days, budget %s", c.ID, days, c.Budget)
		}
	}
}

func TestDeterministicAndSeeded(t *testing.T) {
	fp := func(cfg Config) string {
		s, err := At(cfg, 3)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, tb := range model.Tables() {
			b.WriteString(s.Dataset().Fingerprint(tb.ID))
		}
		return b.String()
	}
	a, b := fp(Default()), fp(Default())
	if a != b {
		t.Fatal("two runs of the same configuration differ")
	}
	other := Default()
	other.Seed = 43
	if fp(other) == a {
		t.Fatal("another seed gives the same data")
	}
	moved := Default()
	moved.Start = time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)
	if fp(moved) == a {
		t.Fatal("another start date gives the same data")
	}
}

// TestFingerprintGolden pins the generated data: a change that alters it
// must bump Version and regenerate the golden file with -update.
func TestFingerprintGolden(t *testing.T) {
	var b strings.Builder
	fmt.Fprintf(&b, "# gen.Version %d, seed %d, start %s, scale 1\n", Version, DefaultSeed, DefaultStart.Format("2006-01-02"))
	days(t, Default(), 3, func(n int, s *State, _ *changeset.Changeset) {
		for _, tb := range model.Tables() {
			fmt.Fprintf(&b, "day %d %-15s %s\n", n, tb.Name, s.Dataset().Fingerprint(tb.ID))
		}
	})
	path := filepath.Join("testdata", "fingerprints.golden")
	if *update {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./gen -update to create it)", err)
	}
	if string(want) != b.String() {
		t.Errorf("generated data changed; if on purpose, bump gen.Version and run go test ./gen -update\ngot:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestPlanBeyondDay3KeepsTheStoryGoing(t *testing.T) {
	cfg := Default()
	days(t, cfg, 45, func(n int, s *State, cs *changeset.Changeset) {
		if n == 16 && s.Dataset().Len(model.Campaigns) != 6 {
			t.Errorf("day 16: %d campaigns, want a sixth to have started", s.Dataset().Len(model.Campaigns))
		}
		if n > 3 && cs.Count(model.Orders, changeset.Insert) == 0 {
			t.Errorf("day %d adds no orders", n)
		}
	})
}

func TestConfigValidation(t *testing.T) {
	bad := []Config{
		{Seed: 1, Start: DefaultStart, Scale: 0},
		{Seed: 1, Start: DefaultStart, Scale: -1},
		{Seed: 1, Start: DefaultStart, Scale: MaxScale + 1},
		{Seed: 1, Start: DefaultStart.Add(time.Hour), Scale: 1},
		{Seed: 1, Scale: 1},
	}
	for _, c := range bad {
		if c.Validate() == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if _, err := ParseStart("2025-13-01"); err == nil {
		t.Error("month 13 accepted")
	}
	if _, err := At(Default(), MaxDay+1); err == nil {
		t.Error("day past MaxDay accepted")
	}
}

// Spans generated on their own, in any order, give exactly the baseline.
func TestBaselineSpansMatchTheBaseline(t *testing.T) {
	cfg := Default()
	cfg.Scale = 3
	_, cs, err := Baseline(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 7, 100, 1000, 100000} {
		for _, st := range cs.Steps {
			h, want := model.NewHasher(model.Get(st.Table)), model.NewHasher(model.Get(st.Table))
			spans := BaselineSpans(cfg, st.Table, size)
			var rows [][]any
			for i := len(spans) - 1; i >= 0; i-- { // generated back to front, put in key order
				rows = append(BaselineRows(cfg, spans[i]), rows...)
			}
			for _, r := range rows {
				h.Add(r)
			}
			for _, r := range st.Rows {
				want.Add(r)
			}
			if h.Sum() != want.Sum() || h.Rows() != want.Rows() {
				t.Errorf("size %d: %s spans give %d rows, the baseline %d, or other content", size, model.Get(st.Table).Name, h.Rows(), want.Rows())
			}
		}
	}
}

// A lean state plays the same days as a full one, and Expect streams
// exactly the full state's rows.
func TestResumeAndExpectMatchTheFullState(t *testing.T) {
	cfg := Default()
	cfg.Scale = 2
	for _, n := range []int{0, 1, 3, 9, 17} {
		full, err := At(cfg, n)
		if err != nil {
			t.Fatal(err)
		}
		lean, err := Resume(cfg, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, tb := range model.Tables() {
			if got, want := lean.Len(tb.ID), full.Dataset().Len(tb.ID); got != want {
				t.Errorf("day %d: lean %s has %d rows, full %d", n, tb.Name, got, want)
			}
			if !appendOnly(tb.ID) && lean.Dataset().Fingerprint(tb.ID) != full.Dataset().Fingerprint(tb.ID) {
				t.Errorf("day %d: lean %s differs from the full state", n, tb.Name)
			}
			if appendOnly(tb.ID) && lean.Dataset().Len(tb.ID) != 0 {
				t.Errorf("day %d: lean state keeps %d %s rows", n, lean.Dataset().Len(tb.ID), tb.Name)
			}
		}
		a, err := full.Advance()
		if err != nil {
			t.Fatal(err)
		}
		b, err := lean.Advance()
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("day %d: the next day differs between the lean and the full state", n+1)
		}
		var hs [model.NumTables]*model.Hasher
		for _, tb := range model.Tables() {
			hs[tb.ID] = model.NewHasher(tb)
		}
		last := map[model.TableID]int64{}
		err = Expect(cfg, n, func(id model.TableID, row []any) error {
			if k := row[0].(int64); k <= last[id] {
				t.Fatalf("day %d: Expect gave %s key %d after %d", n, model.Get(id).Name, k, last[id])
			}
			last[id] = row[0].(int64)
			hs[id].Add(row)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := At(cfg, n)
		for _, tb := range model.Tables() {
			if hs[tb.ID].Sum() != want.Dataset().Fingerprint(tb.ID) {
				t.Errorf("day %d: Expect's %s differs from the full state", n, tb.Name)
			}
		}
	}
	if err := Expect(cfg, MaxDay+1, func(model.TableID, []any) error { return nil }); err == nil {
		t.Error("Expect past the last day: no error")
	}
}

// With hard deletes the days delete, children first, exactly the rows soft
// deletes would retire (and the orders a leaving customer still had); every
// other row is the same in both modes, and every rule holds on what is left.
func TestHardDeletes(t *testing.T) {
	cfg := Default()
	cfg.Scale = 2
	hard := cfg
	hard.HardDeletes = true
	const last = 30
	soft, err := At(cfg, last)
	if err != nil {
		t.Fatal(err)
	}
	var deleted [model.NumTables]int
	days(t, hard, last, func(n int, s *State, cs *changeset.Changeset) {
		seen := map[model.TableID]bool{}
		for _, g := range cs.Groups() {
			for _, st := range g.Steps {
				if st.Kind == changeset.SoftDelete && (st.Table == model.Customers || st.Table == model.Orders) {
					t.Fatalf("day %d: a soft delete of %s with hard deletes", n, model.Get(st.Table).Name)
				}
				if st.Kind != changeset.Delete {
					if len(seen) > 0 {
						t.Fatalf("day %d: %s %s after a delete", n, model.Get(st.Table).Name, st.Kind)
					}
					continue
				}
				// Children first: items, then orders, then customers.
				for d := range seen {
					if d < st.Table {
						t.Fatalf("day %d: %s deleted after %s", n, model.Get(st.Table).Name, model.Get(d).Name)
					}
				}
				seen[st.Table] = true
				deleted[st.Table] += len(st.Rows)
			}
		}
	})
	for _, tb := range []model.TableID{model.Customers, model.Orders, model.OrderItems} {
		if deleted[tb] == 0 {
			t.Errorf("no %s deleted in %d days", model.Get(tb).Name, last)
		}
	}
	s, err := At(hard, last)
	if err != nil {
		t.Fatal(err)
	}
	left := &model.Dataset{}
	for _, tb := range model.Tables() {
		gone := 0
		for i := range s.Dataset().Len(tb.ID) {
			row := s.Dataset().Row(tb.ID, i)
			if s.Gone(tb.ID, row[0].(int64)) {
				gone++
				continue
			}
			if got, want := fmt.Sprint(row), fmt.Sprint(soft.Dataset().Row(tb.ID, i)); got != want {
				t.Fatalf("%s row %d differs from soft deletes:\n%s\n%s", tb.Name, i, got, want)
			}
			if err := left.Append(tb.ID, row); err != nil {
				t.Fatal(err)
			}
		}
		if gone != deleted[tb.ID] || s.Len(tb.ID) != left.Len(tb.ID) {
			t.Errorf("%s: %d gone, %d deleted by the days; Len %d, %d rows left", tb.Name, gone, deleted[tb.ID], s.Len(tb.ID), left.Len(tb.ID))
		}
	}
	for _, r := range check.Failed(check.RulesWith(left, hard.DayDate(last+1), check.Options{HardDeletes: true})) {
		t.Errorf("with hard deletes, day %d: %s", last, r.Summary())
	}
	// What Expect streams is what is left.
	var hs [model.NumTables]*model.Hasher
	for _, tb := range model.Tables() {
		hs[tb.ID] = model.NewHasher(tb)
	}
	if err := Expect(hard, last, func(id model.TableID, row []any) error { hs[id].Add(row); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, tb := range model.Tables() {
		if hs[tb.ID].Sum() != left.Fingerprint(tb.ID) {
			t.Errorf("Expect's %s is not what is left", tb.Name)
		}
	}
}
