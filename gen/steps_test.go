package gen

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// AdvanceSteps hands over exactly Advance's changeset: the same steps in
// the same order, a large step in parts of at most spillRows rows that
// join up to it. Scale 40 makes Day 1's payments (272 a unit) spill.
func TestAdvanceStepsIsAdvanceInParts(t *testing.T) {
	for _, hard := range []bool{false, true} {
		cfg := Default()
		cfg.Scale, cfg.HardDeletes = 40, hard
		whole, err := Resume(cfg, 0)
		if err != nil {
			t.Fatal(err)
		}
		parts, _ := Resume(cfg, 0)
		spilled := false
		for n := 1; n <= 3; n++ {
			cs, err := whole.Advance()
			if err != nil {
				t.Fatal(err)
			}
			var got []changeset.Step
			err = parts.AdvanceSteps(func(st changeset.Step) error {
				if len(st.Rows) > spillRows {
					t.Errorf("day %d: a part of %d rows, more than %d", n, len(st.Rows), spillRows)
				}
				if k := len(got) - 1; k >= 0 && got[k].Table == st.Table && got[k].Kind == st.Kind && got[k].What == st.What {
					spilled = true
					got[k].Rows = append(got[k].Rows, st.Rows...)
					return nil
				}
				got = append(got, st)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, cs.Steps) {
				t.Errorf("hard %v, day %d: the steps handed over differ from Advance's changeset", hard, n)
			}
		}
		if !spilled {
			t.Errorf("hard %v: no step came in parts: the test does not test spilling", hard)
		}
		for _, tb := range model.Tables() {
			if a, b := whole.Dataset().Fingerprint(tb.ID), parts.Dataset().Fingerprint(tb.ID); a != b || whole.Len(tb.ID) != parts.Len(tb.ID) {
				t.Errorf("hard %v: %s differs between the two states after day 3", hard, tb.Name)
			}
		}
	}
}

// The first error of fn is returned, fn is not called again, and the day
// is played all the same.
func TestAdvanceStepsStopsHandingOverAtAnError(t *testing.T) {
	s, err := Resume(Default(), 0)
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	calls := 0
	err = s.AdvanceSteps(func(changeset.Step) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("got %v after %d calls, want the error after one", err, calls)
	}
	if s.Day() != 1 {
		t.Errorf("day %d after the call, want 1", s.Day())
	}
}

// The state's compact orders give back exactly the rows they were made
// from, every status and NULL deleted_at included.
func TestCompactOrdersRoundTrip(t *testing.T) {
	s, err := At(Default(), 5)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := range s.orders {
		m := s.orders[i].model()
		seen[m.Status] = true
		if back := compact(m); back != s.orders[i] {
			t.Fatalf("order %d: %+v came back as %+v", m.ID, s.orders[i], back)
		}
		if fmt.Sprint(m.Values()) != fmt.Sprint(s.row(model.Orders, i)) {
			t.Fatalf("order %d: row %v, want %v", m.ID, s.row(model.Orders, i), m.Values())
		}
	}
	for _, st := range statusNames {
		if !seen[st] {
			t.Errorf("no order is %s by day 5: the round trip of that status is not tested", st)
		}
	}
}
