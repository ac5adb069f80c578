// Package targettest is the conformance suite every target passes: the same
// operations, the same bad input and the same content as a DuckDB run,
// through the public originsim API. A target's test calls Run with a URL:
//
//	func TestConformance(t *testing.T) {
//		simtest.Run(t, simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL"))
//	}
//
// Every test uses its own schema names (ostest_ and a random suffix) and
// drops them at the end: the servers are shared, and nothing else is
// touched.
package simtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/check"
	"github.com/originsim/originsim/driver"
	_ "github.com/originsim/originsim/driver/duckdb" // the reference every driver is compared with
	"github.com/originsim/originsim/feed"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// ServerURL returns the URL in the environment variable env. When it is
// unset the test is skipped, or fails when ORIGINSIM_TEST_REQUIRE_SERVERS=1
// (as in CI).
func ServerURL(t *testing.T, env string) string {
	t.Helper()
	u := os.Getenv(env)
	if u == "" {
		msg := fmt.Sprintf("%s is not set: set it to a server URL to run these tests", env)
		if os.Getenv("ORIGINSIM_TEST_REQUIRE_SERVERS") == "1" {
			t.Fatal(msg + " (ORIGINSIM_TEST_REQUIRE_SERVERS=1 requires it)")
		}
		t.Skip(msg)
	}
	return u
}

// OptionalServerURL is ServerURL for a server CI does not run: unset, the
// test is skipped even when ORIGINSIM_TEST_REQUIRE_SERVERS=1. Set, the
// suite runs, and a server it cannot reach fails it.
func OptionalServerURL(t *testing.T, env string) string {
	t.Helper()
	u := os.Getenv(env)
	if u == "" {
		t.Skipf("%s is not set: set it to a server URL to run these tests (not required by ORIGINSIM_TEST_REQUIRE_SERVERS: CI runs no such server)", env)
	}
	return u
}

// Counts are the documented row counts of the eight tables, in foreign-key
// order, at Day 0 and after Day 3 (seed 42, scale 1).
var Counts = map[int][model.NumTables]int64{
	0: {100, 20, 500, 1200, 0, 5, 100, 150},
	3: {175, 20, 680, 1502, 374, 5, 250, 300},
}

// rawScope is the lock scope of the suite's own statements (raw).
const rawScope = "originsim_test_raw"

// lastDay is the last day the suite plays.
const lastDay = 3

// Option adjusts the suite to a target.
type Option func(*suite)

// NoProcessLock is for a target that does not serialise two Simulators of
// one process (DuckDB relies on its file lock, which only keeps other
// processes out): when two operations race, the loser may fail with the
// database's own conflict error rather than ErrState or ErrBusy. Exactly
// one must still succeed, and the data must still verify.
func NoProcessLock() Option { return func(s *suite) { s.noLock = true } }

// Run runs every conformance test against the database at url.
func Run(t *testing.T, url string, opts ...Option) {
	ref := Reference(t)
	s := &suite{url: url, ref: ref}
	for _, o := range opts {
		o(s)
	}
	t.Run("Cycle", s.cycle)
	t.Run("BadInput", s.badInput)
	t.Run("ForeignTables", s.foreign)
	t.Run("Atomic", s.atomic)
	t.Run("Concurrent", s.concurrent)
	t.Run("Busy", s.busy)
	t.Run("Values", s.values)
	t.Run("Connect", s.connect)
	t.Run("HardDeletes", s.hardDeletes)
	t.Run("CustomRows", s.customRows)
}

// hardDeletes plays days 1-3 with --deletes hard: each day verifies (the
// expected content is the generator's, without the deleted rows), the rows
// the change feed says were deleted are gone, and there are fewer rows
// than with soft deletes. A database whose dialect refuses hard deletes
// (DuckDB) refuses the option, with nothing changed.
func (s *suite) hardDeletes(t *testing.T) {
	ctx := t.Context()
	sc := s.newSchemas(t)
	sim := s.open(t, sc)
	opts := originsim.BaselineOptions{Deletes: "hard"}
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{Deletes: "sometimes"}); !errors.Is(err, originsim.ErrUsage) {
		t.Fatalf("load-baseline --deletes sometimes: %v, want a usage error", err)
	}
	var refused string
	err := s.raw(ctx, func(_ context.Context, d driver.Dialect, _ driver.Tx) error {
		refused = d.HardDeletesRefused()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if refused != "" {
		_, err := sim.LoadBaseline(ctx, opts)
		wantErr(t, "load-baseline --deletes hard where the dialect refuses it", err, originsim.ErrUsage)
		_, err = sim.Status(ctx)
		wantErr(t, "status after the refusal", err, originsim.ErrNotLoaded)
		return
	}
	if _, err := sim.LoadBaseline(ctx, opts); err != nil {
		t.Fatalf("load-baseline --deletes hard: %v", err)
	}
	cfg := gen.Default()
	cfg.HardDeletes = true
	for day := 1; day <= lastDay; day++ {
		st, err := sim.ApplyDelta(ctx, day)
		if err != nil {
			t.Fatalf("apply-delta %d: %v", day, err)
		}
		if st.Ledger.Deletes != "hard" {
			t.Fatalf("day %d: the ledger says deletes %q", day, st.Ledger.Deletes)
		}
		rep, err := sim.Verify(ctx)
		if err != nil || !rep.OK {
			t.Fatalf("day %d with hard deletes does not verify: %v %s", day, err, failures(rep))
		}
		deleted := map[string]int{}
		err = feed.Day(cfg, sc, day, func(e *feed.Event) error {
			if e.Op == feed.Delete {
				deleted[e.Table.Name]++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if deleted["customers"] == 0 || deleted["orders"] == 0 || deleted["order_items"] == 0 {
			t.Errorf("day %d: deletes %v, want customers, orders and their items", day, deleted)
		}
		soft, err := gen.Resume(gen.Default(), day)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range st.Tables {
			tb, _ := model.ByName(tc.Table)
			if want := int64(soft.Len(tb.ID)) - int64(deleted[tc.Table]); deleted[tc.Table] > 0 && tc.Rows > want {
				t.Errorf("day %d: %s has %d rows, with soft deletes %d and %d deleted today", day, tc.Table, tc.Rows, soft.Len(tb.ID), deleted[tc.Table])
			}
		}
	}
}

// failures lists the tables and rules of a report that failed.
func failures(rep *originsim.Report) string {
	if rep == nil {
		return ""
	}
	var out []string
	for _, tr := range rep.Tables {
		if !tr.OK {
			out = append(out, fmt.Sprintf("%s %v", tr.Table, tr.Differences))
		}
	}
	for _, r := range check.Failed(rep.Rules) {
		out = append(out, r.Summary())
	}
	return strings.Join(out, "; ")
}

type suite struct {
	url    string
	noLock bool
	ref    [lastDay + 1][]string // DuckDB's fingerprints per day, in table order
}

var (
	refOnce sync.Once
	refFP   [lastDay + 1][]string
	refErr  error
)

// Reference plays days 0 to 3 through the direct path on a DuckDB file and
// returns each day's table fingerprints, in table order: what every other
// way of making those days must leave. It runs once per test binary.
func Reference(t *testing.T) [lastDay + 1][]string {
	t.Helper()
	refOnce.Do(func() {
		dir, err := os.MkdirTemp("", "originsim-reference")
		if err != nil {
			refErr = err
			return
		}
		defer os.RemoveAll(dir)
		ctx := context.Background()
		sim, err := originsim.Open(ctx, "duckdb:"+filepath.Join(dir, "reference.duckdb"))
		if err != nil {
			refErr = err
			return
		}
		defer sim.Close()
		for day := 0; day <= lastDay; day++ {
			if day == 0 {
				_, err = sim.LoadBaseline(ctx, originsim.BaselineOptions{})
			} else {
				_, err = sim.ApplyDelta(ctx, day)
			}
			if err != nil {
				refErr = fmt.Errorf("reference day %d: %w", day, err)
				return
			}
			rep, err := sim.Verify(ctx)
			if err != nil || !rep.OK {
				refErr = fmt.Errorf("reference day %d does not verify: %v", day, err)
				return
			}
			refFP[day] = Fingerprints(rep)
		}
	})
	if refErr != nil {
		t.Fatalf("DuckDB reference run: %v", refErr)
	}
	return refFP
}

// Fingerprints are a report's table fingerprints, in table order.
func Fingerprints(rep *originsim.Report) []string {
	fp := make([]string, len(rep.Tables))
	for i, tr := range rep.Tables {
		fp[i] = tr.Fingerprint
	}
	return fp
}

// newSchemas returns fresh schema names for one test and drops them when
// it ends.
func (s *suite) newSchemas(t *testing.T) model.Schemas {
	t.Helper()
	sc := UniqueSchemas(t)
	t.Cleanup(func() {
		if err := s.drop(sc); err != nil {
			t.Errorf("drop the test schemas %s and %s: %v", sc.Shop, sc.CRM, err)
		}
	})
	return sc
}

// NewSchemas returns fresh schema names on the server at url for one test
// outside the suite, and drops them when it ends.
func NewSchemas(t *testing.T, url string) model.Schemas {
	t.Helper()
	return (&suite{url: url}).newSchemas(t)
}

// UniqueSchemas are schema names no other test uses: the servers are
// shared. The caller drops them.
func UniqueSchemas(t *testing.T) model.Schemas {
	t.Helper()
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	base := "ostest_" + hex.EncodeToString(b)
	return model.Schemas{Shop: base + "_shop", CRM: base + "_crm"}
}

// drop removes the two schemas of a test, and only them.
func (s *suite) drop(sc model.Schemas) error {
	return s.raw(context.Background(), func(ctx context.Context, d driver.Dialect, tx driver.Tx) error {
		for _, name := range []string{sc.Shop, sc.CRM} {
			q := d.DropSchema(name)
			if err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}

// raw runs fn in a transaction on a connection of its own, for what the
// public API does not do: tampering, foreign tables, cleaning up. Its lock
// covers a scope of its own, not the whole database: tests of other
// packages run beside it on the shared servers.
func (s *suite) raw(ctx context.Context, fn func(ctx context.Context, d driver.Dialect, tx driver.Tx) error) error {
	return s.rawScoped(ctx, rawScope, fn)
}

// rawScoped runs fn in one transaction on a connection of its own, under
// the lock of scope.
func (s *suite) rawScoped(ctx context.Context, scope string, fn func(ctx context.Context, d driver.Dialect, tx driver.Tx) error) error {
	tg, err := driver.Open(ctx, s.url, driver.WithLockScope(scope))
	if err != nil {
		return err
	}
	defer tg.Close()
	return driver.InTx(ctx, tg, func(tx driver.Tx) error { return fn(ctx, tg.Dialect(), tx) })
}

func (s *suite) open(t *testing.T, sc model.Schemas, opts ...originsim.Option) *originsim.Simulator {
	t.Helper()
	sim, err := originsim.Open(t.Context(), s.url, append([]originsim.Option{originsim.WithSchemas(sc)}, opts...)...)
	if err != nil {
		t.Fatalf("open %s: %v", driver.Redact(s.url), err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// checkDay verifies the database is at day and holds what DuckDB holds at
// that day, table by table.
func (s *suite) checkDay(t *testing.T, sim *originsim.Simulator, day int) {
	t.Helper()
	rep, err := sim.Verify(t.Context())
	if err != nil {
		t.Fatalf("verify at day %d: %v", day, err)
	}
	if rep.Day != day {
		t.Fatalf("verify: at day %d, want %d", rep.Day, day)
	}
	if !rep.OK {
		for _, tr := range rep.Tables {
			if !tr.OK {
				t.Errorf("%s: %d rows (want %d), differences %v", tr.Table, tr.Rows, tr.ExpectedRows, tr.Differences)
			}
		}
		for _, r := range rep.Rules {
			if !r.OK() {
				t.Errorf("rule fails: %+v", r)
			}
		}
		t.Fatalf("verify at day %d: not OK", day)
	}
	got := Fingerprints(rep)
	for i, tb := range model.Tables() {
		if got[i] != s.ref[day][i] {
			t.Errorf("day %d: %s fingerprint %s, DuckDB's %s", day, tb.Name, got[i], s.ref[day][i])
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

func checkCounts(t *testing.T, st *originsim.Status, day int) {
	t.Helper()
	if st.Day() != day {
		t.Fatalf("status: day %d, want %d", st.Day(), day)
	}
	want, ok := Counts[day]
	if !ok {
		return
	}
	for i, tc := range st.Tables {
		if tc.Rows != want[i] {
			t.Errorf("day %d: %s has %d rows, the contract says %d", day, tc.Name(), tc.Rows, want[i])
		}
	}
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: got error %v, want %v", what, err, want)
	}
}

// cycle plays the whole story: load, three days, refusals, reset.
func (s *suite) cycle(t *testing.T) {
	ctx := t.Context()
	sc := s.newSchemas(t)
	sim := s.open(t, sc)

	st, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{})
	if err != nil {
		t.Fatalf("load-baseline: %v", err)
	}
	checkCounts(t, st, 0)
	// The load's status is counted as it wrote: the same as counting.
	if counted, err := sim.Status(ctx); err != nil || !reflect.DeepEqual(counted.Tables, st.Tables) || !reflect.DeepEqual(counted.Next, st.Next) {
		t.Fatalf("status after load-baseline: %+v, %v; load-baseline's: %+v", counted, err, st)
	}
	s.checkDay(t, sim, 0)
	first := s.ref[0]

	// At Day 0 load-baseline again does nothing.
	if st, err = sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatalf("second load-baseline: %v", err)
	}
	checkCounts(t, st, 0)

	for day := 1; day <= lastDay; day++ {
		if st, err = sim.ApplyDelta(ctx, day); err != nil {
			t.Fatalf("apply-delta %d: %v", day, err)
		}
		if st.Day() != day {
			t.Fatalf("apply-delta %d: status says day %d", day, st.Day())
		}
		s.checkDay(t, sim, day)
		if day == 1 {
			// Wrong days and a second load are refused with nothing changed.
			_, err = sim.ApplyDelta(ctx, 3)
			wantErr(t, "apply-delta 3 at day 1", err, originsim.ErrState)
			_, err = sim.ApplyDelta(ctx, 1)
			wantErr(t, "apply-delta 1 again", err, originsim.ErrState)
			_, err = sim.LoadBaseline(ctx, originsim.BaselineOptions{})
			wantErr(t, "load-baseline at day 1", err, originsim.ErrState)
			s.checkDay(t, sim, 1)
		}
	}
	if st, err = sim.Status(ctx); err != nil {
		t.Fatalf("status: %v", err)
	}
	checkCounts(t, st, lastDay)

	if st, err = sim.Reset(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatalf("reset: %v", err)
	}
	checkCounts(t, st, 0)
	s.checkDay(t, sim, 0)
	rep, err := sim.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, fp := range Fingerprints(rep) {
		if fp != first[i] {
			t.Errorf("after reset %s differs from the first Day 0", rep.Tables[i].Table)
		}
	}

	// Changed data is found by verify, and reset mends it.
	cust := model.Get(model.Customers)
	err = s.raw(ctx, func(ctx context.Context, d driver.Dialect, tx driver.Tx) error {
		return tx.Exec(ctx, d.Update(sc.Shop, cust, []string{"customer_id", "email"}, [][]any{{int64(7), "changed@example.com"}}))
	})
	if err != nil {
		t.Fatalf("change a row by hand: %v", err)
	}
	if rep, err = sim.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	if rep.OK || rep.Tables[model.Customers].OK || len(rep.Tables[model.Customers].Differences) != 1 || rep.Tables[model.Customers].Differences[0] != "~7" {
		t.Fatalf("verify after changing customer 7: OK=%v, customers %+v", rep.OK, rep.Tables[model.Customers])
	}
	if _, err = sim.Reset(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatalf("reset: %v", err)
	}
	s.checkDay(t, sim, 0)
}

// badInput is every refusal that needs a database.
func (s *suite) badInput(t *testing.T) {
	ctx := t.Context()
	sc := s.newSchemas(t)
	sim := s.open(t, sc)

	_, err := sim.Status(ctx)
	wantErr(t, "status before load", err, originsim.ErrNotLoaded)
	_, err = sim.Verify(ctx)
	wantErr(t, "verify before load", err, originsim.ErrNotLoaded)
	_, err = sim.ApplyDelta(ctx, 1)
	wantErr(t, "apply-delta before load", err, originsim.ErrNotLoaded)

	if _, err = sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatalf("load-baseline: %v", err)
	}
	for _, day := range []int{0, -1, gen.MaxDay + 1} {
		_, err = sim.ApplyDelta(ctx, day)
		wantErr(t, fmt.Sprintf("apply-delta %d", day), err, originsim.ErrUsage)
	}
	_, err = sim.LoadBaseline(ctx, originsim.BaselineOptions{Seed: 7})
	wantErr(t, "load-baseline with another seed at Day 0", err, originsim.ErrState)
	_, err = sim.LoadBaseline(ctx, originsim.BaselineOptions{Scale: -1})
	wantErr(t, "load-baseline with a bad scale", err, originsim.ErrUsage)
	s.checkDay(t, sim, 0)

	// The ledger names its CRM schema: another one is refused.
	other := s.open(t, model.Schemas{Shop: sc.Shop, CRM: sc.CRM + "_x"})
	_, err = other.ApplyDelta(ctx, 1)
	wantErr(t, "apply-delta with another CRM schema", err, originsim.ErrState)
	_, err = other.Verify(ctx)
	wantErr(t, "verify with another CRM schema", err, originsim.ErrState)
	s.checkDay(t, sim, 0)
}

// foreign checks that tables originsim did not make are never written.
func (s *suite) foreign(t *testing.T) {
	ctx := t.Context()
	sc := s.newSchemas(t)
	cust := model.Get(model.Customers)
	err := s.raw(ctx, func(ctx context.Context, d driver.Dialect, tx driver.Tx) error {
		if err := tx.Exec(ctx, d.CreateSchema(sc.Shop)); err != nil {
			return err
		}
		return tx.Exec(ctx, d.CreateTable(sc.Shop, cust))
	})
	if err != nil {
		t.Fatalf("create a foreign table: %v", err)
	}
	sim := s.open(t, sc)
	_, err = sim.LoadBaseline(ctx, originsim.BaselineOptions{})
	wantErr(t, "load-baseline over a foreign table", err, originsim.ErrState)
	_, err = sim.Reset(ctx, originsim.BaselineOptions{})
	wantErr(t, "reset over a foreign table", err, originsim.ErrState)
	_, err = sim.ApplyDelta(ctx, 1)
	wantErr(t, "apply-delta over a foreign table", err, originsim.ErrNotLoaded)
	_, err = sim.Verify(ctx)
	wantErr(t, "verify over a foreign table", err, originsim.ErrNotLoaded)
	sim.Close()

	// The foreign table is still there, empty, and nothing else was made.
	err = s.raw(ctx, func(ctx context.Context, d driver.Dialect, tx driver.Tx) error {
		var n int64 = -1
		err := tx.Query(ctx, "SELECT COUNT(*) FROM "+d.Table(sc.Shop, cust.Name), []model.Kind{model.Int},
			func(v []any) error { n = v[0].(int64); return nil })
		if err != nil || n != 0 {
			return fmt.Errorf("the foreign table: %d rows, %v", n, err)
		}
		var names []string
		err = tx.Query(ctx, d.ListTables(sc.Shop), []model.Kind{model.Text}, func(v []any) error {
			names = append(names, v[0].(string))
			return nil
		})
		if err != nil || len(names) != 1 {
			return fmt.Errorf("tables in %s: %v, %v", sc.Shop, names, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// atomic interrupts operations half-way: the database keeps its last good
// state, and the next operation works.
func (s *suite) atomic(t *testing.T) {
	sc := s.newSchemas(t)
	// interrupted runs op on a new Simulator whose context is cancelled at
	// the progress line that starts with at.
	interrupted := func(what, at string, op func(ctx context.Context, sim *originsim.Simulator) error) {
		t.Helper()
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		seen := false
		sim, err := originsim.Open(ctx, s.url, originsim.WithSchemas(sc), originsim.WithProgress(func(e originsim.Event) {
			if !seen && len(e.Text) >= len(at) && e.Text[:len(at)] == at {
				seen = true
				cancel()
			}
		}))
		if err != nil {
			t.Fatal(err)
		}
		defer sim.Close()
		err = op(ctx, sim)
		if !seen {
			t.Fatalf("%s: no progress line starts with %q", what, at)
		}
		if err == nil {
			t.Fatalf("%s: cancelled half-way, but no error", what)
		}
	}
	interrupted("load-baseline", "Loaded customers", func(ctx context.Context, sim *originsim.Simulator) error {
		_, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{})
		return err
	})
	sim := s.open(t, sc)
	_, err := sim.Status(t.Context())
	wantErr(t, "status after an interrupted load-baseline", err, originsim.ErrNotLoaded)
	if _, err := sim.LoadBaseline(t.Context(), originsim.BaselineOptions{}); err != nil {
		t.Fatalf("load-baseline after an interrupted one: %v", err)
	}
	if _, err := sim.ApplyDelta(t.Context(), 1); err != nil {
		t.Fatalf("apply-delta 1: %v", err)
	}
	sim.Close()

	interrupted("apply-delta 2", "Applied", func(ctx context.Context, sim *originsim.Simulator) error {
		_, err := sim.ApplyDelta(ctx, 2)
		return err
	})
	sim = s.open(t, sc)
	s.checkDay(t, sim, 1)
	sim.Close()

	interrupted("reset", "Loaded orders", func(ctx context.Context, sim *originsim.Simulator) error {
		_, err := sim.Reset(ctx, originsim.BaselineOptions{})
		return err
	})
	sim = s.open(t, sc)
	s.checkDay(t, sim, 1)
	if _, err := sim.ApplyDelta(t.Context(), 2); err != nil {
		t.Fatalf("apply-delta 2 after the interruptions: %v", err)
	}
	s.checkDay(t, sim, 2)
}

// concurrent starts the same operation from two Simulators at once.
func (s *suite) concurrent(t *testing.T) {
	sc := s.newSchemas(t)
	race := func(op func(sim *originsim.Simulator) error) []error {
		t.Helper()
		var sims []*originsim.Simulator
		var errs []error
		for range 2 {
			sim, err := originsim.Open(t.Context(), s.url, originsim.WithSchemas(sc))
			if err != nil {
				// A database one process at a time can open (DuckDB) refuses
				// the second: that is the other caller failing.
				wantErr(t, "open a second Simulator", err, originsim.ErrBusy)
				errs = append(errs, err)
				continue
			}
			defer sim.Close()
			sims = append(sims, sim)
		}
		start := make(chan struct{})
		out := make([]error, len(sims))
		var wg sync.WaitGroup
		for i, sim := range sims {
			wg.Go(func() {
				<-start
				out[i] = op(sim)
			})
		}
		close(start)
		wg.Wait()
		return append(errs, out...)
	}

	// Two loads: one loads, the other finds Day 0 (or gives up waiting).
	errs := race(func(sim *originsim.Simulator) error {
		_, err := sim.LoadBaseline(t.Context(), originsim.BaselineOptions{})
		return err
	})
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, originsim.ErrBusy) && !s.noLock:
			t.Fatalf("concurrent load-baseline: %v", err)
		default:
			t.Logf("concurrent load-baseline: the other caller: %v", err)
		}
	}
	if ok == 0 {
		t.Fatalf("concurrent load-baseline: none succeeded: %v", errs)
	}

	// Two day 1s: exactly one applies it.
	errs = race(func(sim *originsim.Simulator) error {
		_, err := sim.ApplyDelta(t.Context(), 1)
		return err
	})
	ok = 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, originsim.ErrState) && !errors.Is(err, originsim.ErrBusy) && !s.noLock:
			t.Errorf("concurrent apply-delta 1: unexpected error %v", err)
		default:
			t.Logf("concurrent apply-delta 1: the other caller: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("concurrent apply-delta 1: %d succeeded, want exactly 1 (errors %v)", ok, errs)
	}
	sim := s.open(t, sc)
	s.checkDay(t, sim, 1)
	st, err := sim.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Ledger == nil || st.Ledger.Operation != "apply-delta" {
		t.Fatalf("ledger after the race: %+v", st.Ledger)
	}
}

// busy holds an operation open on another connection: the next one waits a
// bounded time, then fails with ErrBusy and a clear message.
func (s *suite) busy(t *testing.T) {
	if s.noLock {
		t.Skip("the target does not serialise operations within one process")
	}
	sc := s.newSchemas(t)
	sim := s.open(t, sc)
	if _, err := sim.LoadBaseline(t.Context(), originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	// The pair's lock, as another operation on it takes: a whole-database
	// hold would also stop the tests of other packages on the server.
	holder, err := driver.Open(t.Context(), s.url, driver.WithLockScope(sc.Shop))
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	tx, err := holder.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = sim.ApplyDelta(t.Context(), 1)
	took := time.Since(start)
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "apply-delta while another operation runs", err, originsim.ErrBusy)
	if !strings.Contains(err.Error(), "another originsim operation is running") {
		t.Errorf("message: %v", err)
	}
	if took > time.Minute {
		t.Errorf("gave up after %s", took)
	}
	t.Logf("after %s: %v", took.Round(time.Millisecond), err)
	// Once the other operation ends, the same Simulator goes on.
	if _, err := sim.ApplyDelta(t.Context(), 1); err != nil {
		t.Fatalf("apply-delta 1 after the other operation ended: %v", err)
	}
	s.checkDay(t, sim, 1)
}
