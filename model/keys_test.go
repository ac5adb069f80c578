package model

import (
	"slices"
	"testing"
)

func TestKeysSkipTheBand(t *testing.T) {
	cases := map[int]int64{0: 1, 1: 2, 4998: 4999, 4999: 10000, 5000: 10001, 100000: 105001}
	for i, want := range cases {
		if got := KeyAt(i); got != want {
			t.Errorf("KeyAt(%d) = %d, want %d", i, got, want)
		}
		if got := KeyIndex(want); got != i {
			t.Errorf("KeyIndex(%d) = %d, want %d", want, got, i)
		}
	}
	prev := int64(0)
	for i := range 20000 {
		k := KeyAt(i)
		if k <= prev || IsCustom(k) || KeyIndex(k) != i {
			t.Fatalf("position %d: key %d after %d (custom %v, back to %d)", i, k, prev, IsCustom(k), KeyIndex(k))
		}
		prev = k
	}
	for k, want := range map[int64]bool{4999: false, 5000: true, 7500: true, 9999: true, 10000: false} {
		if IsCustom(k) != want {
			t.Errorf("IsCustom(%d) = %v", k, !want)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("KeyIndex of a key in the band: no panic")
		}
	}()
	KeyIndex(5000)
}

func TestKeyRange(t *testing.T) {
	for _, c := range []struct {
		first, last int64
		want        string
	}{{1, 100, "1-100"}, {1, 4999, "1-4999"}, {1, 10000, "1-4999,10000-10000"}, {10000, 10250, "10000-10250"}} {
		if got := KeyRange(c.first, c.last); got != c.want {
			t.Errorf("KeyRange(%d, %d) = %q, want %q", c.first, c.last, got, c.want)
		}
	}
}

func TestSplitPartsTheUsersRows(t *testing.T) {
	d := &Dataset{
		Customers: []Customer{{ID: 1}, {ID: 4999}, {ID: 5000}, {ID: 9999}, {ID: 10000}},
		Orders:    []Order{{ID: 1}, {ID: 2}},
		Payments:  []Payment{{ID: 6000}},
	}
	g, c := d.Split()
	ids := func(x []Customer) []int64 {
		var out []int64
		for _, r := range x {
			out = append(out, r.ID)
		}
		return out
	}
	if got := ids(g.Customers); !slices.Equal(got, []int64{1, 4999, 10000}) {
		t.Errorf("generated customers %v", got)
	}
	if got := ids(c.Customers); !slices.Equal(got, []int64{5000, 9999}) {
		t.Errorf("custom customers %v", got)
	}
	if len(g.Orders) != 2 || &g.Orders[0] != &d.Orders[0] || len(c.Orders) != 0 {
		t.Errorf("orders without custom rows: %d generated (shared: %v), %d custom", len(g.Orders), &g.Orders[0] == &d.Orders[0], len(c.Orders))
	}
	if len(g.Payments) != 0 || len(c.Payments) != 1 {
		t.Errorf("payments: %d generated, %d custom", len(g.Payments), len(c.Payments))
	}
	if len(d.Customers) != 5 || d.Customers[2].ID != 5000 {
		t.Error("Split changed its input")
	}
}
