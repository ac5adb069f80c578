package postgres_test

// Cancellation and locks as wide as the data, against the server in
// ORIGINSIM_TEST_POSTGRES_URL.

import (
	"context"
	"errors"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/internal/simtest"
	"github.com/originsim/originsim/model"
)

// cancelBound is how long a cancelled operation may take to return on a
// busy machine: generous, so the tests assert on what happened, not on
// how fast.
const cancelBound = 15 * time.Second

// withParam returns raw with the query parameter k=v added.
func withParam(t *testing.T, raw, k, v string) string {
	t.Helper()
	p, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := p.Query()
	q.Set(k, v)
	p.RawQuery = q.Encode()
	return p.String()
}

// cancelWhenCopying runs op with a context it cancels once the operation
// is in its insert phase: a Rows event has been seen and the server shows
// a COPY into the shop schema running. It returns op's error, failing the
// test if op does not return within cancelBound of the cancellation.
func cancelWhenCopying(t *testing.T, raw string, sc model.Schemas, op func(context.Context, *originsim.Simulator) error) error {
	t.Helper()
	watch := connect(t, raw)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var rows atomic.Bool
	sim, err := originsim.Open(ctx, raw, originsim.WithSchemas(sc), originsim.WithProgress(func(e originsim.Event) {
		if e.Kind == originsim.Rows {
			rows.Store(true)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	done := make(chan error, 1)
	go func() { done <- op(ctx, sim) }()
	for {
		select {
		case err := <-done:
			t.Fatalf("the operation ended (%v) before it was seen copying", err)
		default:
		}
		var n int
		err := watch.QueryRow(t.Context(), "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'COPY \"' || $1 || '\".%'", sc.Shop).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if rows.Load() && n > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond) // poll the state
	}
	cancel()
	select {
	case err := <-done:
		return err
	case <-time.After(cancelBound):
		t.Fatalf("still running %s after the cancellation", cancelBound)
		return nil
	}
}

// A load-baseline cancelled while its rows go in returns context.Canceled
// and leaves nothing.
func TestCancelledLoadLeavesNothing(t *testing.T) {
	raw := simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL")
	sc := simtest.NewSchemas(t, raw)
	err := cancelWhenCopying(t, raw, sc, func(ctx context.Context, sim *originsim.Simulator) error {
		_, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{Scale: 200})
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled load-baseline: %v, want context.Canceled", err)
	}
	sim := open(t, raw, sc)
	if _, err := sim.Status(t.Context()); !errors.Is(err, originsim.ErrNotLoaded) {
		t.Fatalf("status after the cancelled load: %v, want ErrNotLoaded", err)
	}
	if _, err := sim.LoadBaseline(t.Context(), originsim.BaselineOptions{}); err != nil {
		t.Fatalf("load-baseline after the cancelled one: %v", err)
	}
}

// A reset from day 1 cancelled while the new baseline goes in returns
// context.Canceled; the database is still at day 1 and verifies.
func TestCancelledResetKeepsDayOne(t *testing.T) {
	raw := simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL")
	sc := simtest.NewSchemas(t, raw)
	sim := open(t, raw, sc)
	if _, err := sim.LoadBaseline(t.Context(), originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ApplyDelta(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	err := cancelWhenCopying(t, raw, sc, func(ctx context.Context, sim *originsim.Simulator) error {
		_, err := sim.Reset(ctx, originsim.BaselineOptions{Scale: 200})
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled reset: %v, want context.Canceled", err)
	}
	rep, err := sim.Verify(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Day != 1 || !rep.OK {
		t.Fatalf("after the cancelled reset: day %d, ok %v", rep.Day, rep.OK)
	}
}

// Commit of an operation whose context has ended commits nothing and
// returns the context's error.
func TestCommitAfterCancelCommitsNothing(t *testing.T) {
	raw := simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL")
	sc := simtest.NewSchemas(t, raw)
	tg := openTarget(t, raw)
	ctx, cancel := context.WithCancel(t.Context())
	tx, err := tg.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := tx.Exec(ctx, tg.Dialect().CreateSchema(sc.Shop)); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := tx.Commit(); !errors.Is(err, context.Canceled) {
		t.Fatalf("commit after the cancellation: %v, want context.Canceled", err)
	}
	tx.Rollback()
	var n int
	if err := connect(t, raw).QueryRow(t.Context(), "SELECT count(*) FROM pg_namespace WHERE nspname = $1", sc.Shop).Scan(&n); err != nil || n != 0 {
		t.Fatalf("schema %s: %d (%v), want none", sc.Shop, n, err)
	}
}

// A statement running on the server when the context is cancelled is
// cancelled there (it would run a minute), the call returns
// context.Canceled, and the connection goes on working.
func TestCancelStopsTheStatement(t *testing.T) {
	raw := simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL")
	tg := openTarget(t, raw)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	tx, err := tg.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	marker := simtest.UniqueSchemas(t).Shop
	done := make(chan error, 1)
	go func() { done <- tx.Exec(ctx, "SELECT pg_sleep(60) /* "+marker+" */") }()
	watch := connect(t, raw)
	for running := 0; running == 0; time.Sleep(10 * time.Millisecond) { // poll the state
		select {
		case err := <-done:
			t.Fatalf("the statement ended before it was seen running: %v", err)
		default:
		}
		err := watch.QueryRow(t.Context(), "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(60) /* ' || $1 || '%'", marker).Scan(&running)
		if err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled statement: %v, want context.Canceled", err)
		}
	case <-time.After(cancelBound):
		t.Fatalf("the statement still runs %s after the cancellation", cancelBound)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	// The connection works.
	tx, err = tg.Begin(t.Context())
	if err != nil {
		t.Fatalf("begin after the cancelled statement: %v", err)
	}
	n := int64(0)
	err = tx.Query(t.Context(), "SELECT 1", []model.Kind{model.Int}, func(v []any) error { n = v[0].(int64); return nil })
	if err != nil || n != 1 {
		t.Fatalf("SELECT 1 = %d, %v", n, err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// hold opens a target with the given lock scope and begins an operation
// it does not end until the test does.
func hold(t *testing.T, raw, scope string) driver.Tx {
	t.Helper()
	var opts []driver.OpenOption
	if scope != "" {
		opts = append(opts, driver.WithLockScope(scope))
	}
	tg, err := driver.Open(t.Context(), raw, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	tx, err := tg.Begin(t.Context())
	if err != nil {
		t.Fatalf("hold %q: %v", scope, err)
	}
	t.Cleanup(func() { tx.Rollback() })
	return tx
}

// holdWhole takes the whole-database lock, retrying while the tests of
// other packages hold pairs: each try waits lock_wait (a second), so it
// never holds them up longer.
func holdWhole(t *testing.T, fast string) driver.Tx {
	t.Helper()
	for try := 0; ; try++ {
		tg, err := driver.Open(t.Context(), fast)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := tg.Begin(t.Context())
		if err == nil {
			t.Cleanup(func() { tx.Rollback(); tg.Close() })
			return tx
		}
		tg.Close()
		if !errors.Is(err, driver.ErrBusy) || try == 60 {
			t.Fatalf("hold the whole database: %v", err)
		}
	}
}

// An operation holds only its own pair of schemas: one on another pair
// goes ahead, one on the same pair is busy. An operation without a scope
// (the whole database) still keeps every other out, and waits for them.
func TestLockCoversItsPairOnly(t *testing.T) {
	raw := simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL")
	fast := withParam(t, raw, "lock_wait", "1")
	a, b := simtest.NewSchemas(t, raw), simtest.NewSchemas(t, raw)
	simB := open(t, raw, b)
	if _, err := simB.LoadBaseline(t.Context(), originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}

	holdA := hold(t, raw, a.Shop)
	if _, err := simB.Status(t.Context()); err != nil {
		t.Fatalf("status on another pair while one runs: %v", err)
	}
	if _, err := simB.ApplyDelta(t.Context(), 1); err != nil {
		t.Fatalf("apply-delta on another pair while one runs: %v", err)
	}
	if _, err := open(t, fast, a).Status(t.Context()); !errors.Is(err, driver.ErrBusy) {
		t.Fatalf("status on the pair an operation holds: %v, want ErrBusy", err)
	}
	whole, err := driver.Open(t.Context(), fast)
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Close()
	if tx, err := whole.Begin(t.Context()); !errors.Is(err, driver.ErrBusy) {
		if err == nil {
			tx.Rollback()
		}
		t.Fatalf("a whole-database operation while a scoped one runs: %v, want ErrBusy", err)
	}
	if err := holdA.Rollback(); err != nil {
		t.Fatal(err)
	}

	holdAll := holdWhole(t, fast)
	if _, err := open(t, fast, b).Status(t.Context()); !errors.Is(err, driver.ErrBusy) {
		t.Fatalf("status while a whole-database operation runs: %v, want ErrBusy", err)
	}
	if err := holdAll.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := simB.Status(t.Context()); err != nil {
		t.Fatalf("status once the whole-database operation ended: %v", err)
	}
}
