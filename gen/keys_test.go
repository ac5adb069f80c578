package gen

import (
	"fmt"
	"testing"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/check"
	"github.com/originsim/originsim/model"
)

// Keys 5000 to 9999 belong to the user: at every scale and on every day the
// generator makes, changes and deletes only keys outside them, each table's
// keys run in order with no gap but the band (position i has key
// model.KeyAt(i)), every rule holds, and the tables that grow past 4999 go
// on at 10000.
func TestKeysSkipTheUsersBand(t *testing.T) {
	cases := []struct {
		scale, last int
		hard        bool
	}{
		{1, 45, false}, // order lines reach 5000 on day 38
		{5, 20, false}, // order lines past the band at Day 0, the others during the days
		{5, 20, true},  // hard deletes find the lines of orders past the band
		{50, 2, false}, // Day 0 has exactly 5000 customers: the last is 10000
		{100, 1, false},
	}
	if testing.Short() {
		cases = cases[1:2]
	}
	for _, c := range cases {
		cfg := Default()
		cfg.Scale, cfg.HardDeletes = c.scale, c.hard
		name := fmt.Sprintf("scale %d hard %v", c.scale, c.hard)
		var past [model.NumTables]bool
		days(t, cfg, c.last, func(n int, s *State, cs *changeset.Changeset) {
			for _, st := range cs.Steps {
				for _, r := range st.Rows {
					if k := r[0].(int64); model.IsCustom(k) {
						t.Fatalf("%s day %d: %s %s (%s) of the user's key %d", name, n, model.Get(st.Table).Name, st.Kind, st.What, k)
					}
				}
			}
			d := s.Dataset()
			for _, tb := range model.Tables() {
				for i := range d.Len(tb.ID) {
					if k := d.Row(tb.ID, i)[0].(int64); k != model.KeyAt(i) {
						t.Fatalf("%s day %d: %s row %d has key %d, want %d", name, n, tb.Name, i, k, model.KeyAt(i))
					}
				}
				if n := d.Len(tb.ID); n > 0 && d.Row(tb.ID, n-1)[0].(int64) > model.CustomTo {
					past[tb.ID] = true
				}
			}
			if c.hard {
				return // the rules on what hard deletes leave: TestHardDeletes
			}
			for _, r := range check.Failed(check.Rules(d, cfg.DayDate(n+1))) {
				t.Errorf("%s day %d: %s", name, n, r.Summary())
			}
		})
		for _, tb := range []model.TableID{model.OrderItems} {
			if !past[tb] {
				t.Errorf("%s: %s never passes the band: the case tests nothing", name, model.Get(tb).Name)
			}
		}
		if c.scale == 50 && !past[model.Customers] {
			t.Errorf("%s: the 5000 customers of Day 0 end below the band", name)
		}
	}
}

// Products are the catalog, and campaigns one a month: neither can reach the
// band, so their keys stay position plus one.
func TestCatalogAndCampaignsNeverReachTheBand(t *testing.T) {
	if int64(len(catalog)) >= model.CustomFrom {
		t.Fatalf("%d catalog entries reach the user's band", len(catalog))
	}
	cfg := Default()
	if k := cfg.campaignAt(cfg.DayDate(MaxDay + 7)); k >= model.CustomFrom {
		t.Fatalf("the campaign announced on the last day is %d, in the user's band", k)
	}
}

// The baseline generated span by span (as the parallel load does) equals
// the baseline where its keys cross the band.
func TestBaselineSpansAcrossTheBand(t *testing.T) {
	cfg := Default()
	cfg.Scale = 50
	_, cs, err := Baseline(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{999, 4999, 5000, 10000} {
		for _, st := range cs.Steps {
			h, want := model.NewHasher(model.Get(st.Table)), model.NewHasher(model.Get(st.Table))
			for _, sp := range BaselineSpans(cfg, st.Table, size) {
				for _, r := range BaselineRows(cfg, sp) {
					h.Add(r)
				}
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

// The lean state and Expect agree with the full state past the band.
func TestResumeAndExpectAcrossTheBand(t *testing.T) {
	cfg := Default()
	cfg.Scale = 5
	const n = 12
	full, err := At(cfg, n)
	if err != nil {
		t.Fatal(err)
	}
	lean, err := Resume(cfg, n)
	if err != nil {
		t.Fatal(err)
	}
	var hs [model.NumTables]*model.Hasher
	for _, tb := range model.Tables() {
		hs[tb.ID] = model.NewHasher(tb)
		if lean.Len(tb.ID) != full.Len(tb.ID) {
			t.Errorf("%s: lean %d rows, full %d", tb.Name, lean.Len(tb.ID), full.Len(tb.ID))
		}
	}
	if err := Expect(cfg, n, func(id model.TableID, row []any) error { hs[id].Add(row); return nil }); err != nil {
		t.Fatal(err)
	}
	for _, tb := range model.Tables() {
		if hs[tb.ID].Sum() != full.Dataset().Fingerprint(tb.ID) {
			t.Errorf("Expect's %s differs from the full state", tb.Name)
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
		t.Error("the next day differs between the lean and the full state")
	}
}
