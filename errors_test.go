package originsim_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// ApplyThrough that fails on a later day keeps the days before it and says
// which day failed, with the status after the last one applied.
func TestApplyThroughStopsPartWay(t *testing.T) {
	ctx := t.Context()
	url := "duckdb:" + filepath.Join(t.TempDir(), "p.duckdb")
	sim, err := originsim.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ApplyDelta(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// A custom row that takes the id of Day 3's first order.
	day2, err := gen.At(gen.Default(), 2)
	if err != nil {
		t.Fatal(err)
	}
	clash := day2.Len(model.Orders) + 1
	tg, err := driver.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	err = driver.InTx(ctx, tg, func(tx driver.Tx) error {
		return tx.Exec(ctx, fmt.Sprintf("INSERT INTO jaffle_shop.orders VALUES (%d, 1, DATE '2025-01-03', 'pending', TIMESTAMP '2025-01-03 01:00:00', TIMESTAMP '2025-01-03 01:00:00', NULL)", clash))
	})
	tg.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err := sim.ApplyThrough(ctx, 5)
	var pe *originsim.PartialError
	if st != nil || !errors.As(err, &pe) {
		t.Fatalf("ApplyThrough over a clash on day 3: %v, %v; want a *PartialError", st, err)
	}
	if pe.Failed != 3 || pe.Applied == nil || pe.Applied.Day() != 2 || !strings.Contains(err.Error(), fmt.Sprint(clash)) {
		t.Fatalf("partial error: failed day %d, applied %+v, %q; want day 3 failed after day 2", pe.Failed, pe.Applied, err)
	}
	if now, err := sim.Status(ctx); err != nil || now.Day() != 2 {
		t.Fatalf("status after the failure: %+v %v, want day 2", now, err)
	}
}

// The library's messages name what a Go caller sets, never a flag of the
// command line; Render names them as a front end does.
func TestLibraryErrorsNameNoFlags(t *testing.T) {
	ctx := t.Context()
	sim, err := originsim.Open(ctx, "duckdb:"+filepath.Join(t.TempDir(), "e.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	_, notLoaded := sim.ApplyDelta(ctx, 1)
	_, badDeletes := sim.LoadBaseline(ctx, originsim.BaselineOptions{Deletes: "sometimes"})
	_, hard := sim.LoadBaseline(ctx, originsim.BaselineOptions{Deletes: "hard"})
	_, cdc := sim.LoadBaseline(ctx, originsim.BaselineOptions{EnableCDC: true})
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	_, skip := sim.ApplyDelta(ctx, 3)
	flags := func(term originsim.Term) string { return "<" + string(term) + ">" }
	for _, c := range []struct {
		err  error
		term originsim.Term
	}{{notLoaded, originsim.TermLoadBaseline}, {badDeletes, originsim.TermDeletes}, {hard, originsim.TermDeletes},
		{cdc, originsim.TermEnableCDC}, {skip, originsim.TermApplyDay}} {
		var e *originsim.Error
		if !errors.As(c.err, &e) {
			t.Errorf("%v: not an *originsim.Error", c.err)
			continue
		}
		if strings.Contains(c.err.Error(), "--") || !strings.Contains(c.err.Error(), string(c.term)) {
			t.Errorf("%q: want %s named, and no flag", c.err, c.term)
		}
		if r := e.Render(flags); !strings.Contains(r, flags(c.term)) {
			t.Errorf("Render(%q) = %q: the term is not rendered", c.err, r)
		}
	}
}
