package mysql

// Cancellation, truthful progress, locks as wide as the data and the
// emulated DROP TABLE, against the server in ORIGINSIM_TEST_MYSQL_URL.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/internal/simtest"
	"github.com/originsim/originsim/model"
)

// cancelBound is how long a cancelled operation may take to return on a
// busy machine: generous, so the tests assert on what happened, not on
// how fast.
const cancelBound = 15 * time.Second

func serverURL(t *testing.T) string {
	t.Helper()
	return simtest.ServerURL(t, "ORIGINSIM_TEST_MYSQL_URL")
}

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

// observer is a plain connection that reads what other sessions have
// written but not committed (READ UNCOMMITTED): where the rows of an
// operation in progress really are. It takes no originsim lock.
func observer(t *testing.T, raw string) *sql.DB {
	t.Helper()
	u, err := driver.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _, err := config(u)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.ExecContext(t.Context(), "SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED"); err != nil {
		t.Fatal(err)
	}
	return db
}

// dirtyCount counts the rows of schema.table, committed or not; -1 when
// the table does not exist (yet).
func dirtyCount(ctx context.Context, db *sql.DB, schema, table string) int64 {
	var n int64
	q := "SELECT COUNT(*) FROM " + Dialect.Quote(schema) + "." + Dialect.Quote(table)
	if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return -1
	}
	return n
}

// cancelOnceWriting runs op with a context it cancels once the operation
// has reached its insert phase: a Rows event has been seen, and the server
// holds more than floor rows of shop.customers (uncommitted rows count),
// so the rows are really going in. It returns op's error, failing the test
// if op does not return within cancelBound of the cancellation.
func cancelOnceWriting(t *testing.T, raw string, sc model.Schemas, floor int64, op func(context.Context, *originsim.Simulator) error) error {
	t.Helper()
	obs := observer(t, raw)
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
			t.Fatalf("the operation ended (%v) before it was seen writing", err)
		default:
		}
		if rows.Load() && dirtyCount(t.Context(), obs, sc.Shop, "customers") > floor {
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

func openSim(t *testing.T, raw string, sc model.Schemas, opts ...originsim.Option) *originsim.Simulator {
	t.Helper()
	sim, err := originsim.Open(t.Context(), raw, append([]originsim.Option{originsim.WithSchemas(sc)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// A statement running on the server when the context is cancelled is
// stopped there (it would run a minute), the call returns
// context.Canceled, and the connection goes on working.
func TestCancelStopsTheStatement(t *testing.T) {
	raw := serverURL(t)
	tg, err := driver.Open(t.Context(), raw, driver.WithLockScope(simtest.UniqueSchemas(t).Shop))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	tx, err := tg.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	marker := fmt.Sprintf("originsim test %d", time.Now().UnixNano())
	done := make(chan error, 1)
	go func() { done <- tx.Exec(ctx, "DO SLEEP(60) /* "+marker+" */") }()
	obs := observer(t, raw)
	for running := 0; running == 0; time.Sleep(10 * time.Millisecond) { // poll the state
		select {
		case err := <-done:
			t.Fatalf("the statement ended before it was seen running: %v", err)
		default:
		}
		err := obs.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE ? AND info NOT LIKE '%processlist%'",
			"%"+marker+"%").Scan(&running)
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
	mustOK(t, tx.Rollback())
	// The connection works.
	tx, err = tg.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := int64(0)
	mustOK(t, tx.Query(t.Context(), "SELECT 1", []model.Kind{model.Int}, func(v []any) error { n = v[0].(int64); return nil }))
	mustOK(t, tx.Commit())
	if n != 1 {
		t.Fatalf("SELECT 1 = %d", n)
	}
}

// Commit of an operation whose context has ended commits nothing and
// returns the context's error; the rollback drops what it created.
func TestCommitAfterCancelCommitsNothing(t *testing.T) {
	raw := serverURL(t)
	sc := simtest.NewSchemas(t, raw)
	tg, err := driver.Open(t.Context(), raw, driver.WithLockScope(sc.Shop))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	ctx, cancel := context.WithCancel(t.Context())
	tx, err := tg.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	cust := model.Get(model.Customers)
	mustOK(t, tx.Exec(ctx, Dialect.CreateSchema(sc.Shop)))
	mustOK(t, tx.Exec(ctx, Dialect.CreateTable(sc.Shop, cust)))
	mustOK(t, tx.Exec(ctx, Dialect.DropTable(sc.Shop, cust))) // a DELETE left for the commit
	cancel()
	if err := tx.Commit(); !errors.Is(err, context.Canceled) {
		t.Fatalf("commit after the cancellation: %v, want context.Canceled", err)
	}
	mustOK(t, tx.Rollback())
	if n := dirtyCount(t.Context(), observer(t, raw), sc.Shop, cust.Name); n != -1 {
		t.Fatalf("%s.%s is there after the cancelled commit (%d rows)", sc.Shop, cust.Name, n)
	}
}

// A load-baseline cancelled while its rows go in returns context.Canceled
// and leaves nothing: no ledger, and the next load works.
func TestCancelledLoadLeavesNothing(t *testing.T) {
	raw := serverURL(t)
	sc := simtest.NewSchemas(t, raw)
	err := cancelOnceWriting(t, raw, sc, 0, func(ctx context.Context, sim *originsim.Simulator) error {
		_, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{Scale: 200})
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled load-baseline: %v, want context.Canceled", err)
	}
	sim := openSim(t, raw, sc)
	if _, err := sim.Status(t.Context()); !errors.Is(err, originsim.ErrNotLoaded) {
		t.Fatalf("status after the cancelled load: %v, want ErrNotLoaded", err)
	}
	if n := dirtyCount(t.Context(), observer(t, raw), sc.Shop, "customers"); n != -1 {
		t.Errorf("customers is still there after the cancelled load (%d rows)", n)
	}
	if _, err := sim.LoadBaseline(t.Context(), originsim.BaselineOptions{}); err != nil {
		t.Fatalf("load-baseline after the cancelled one: %v", err)
	}
}

// A reset from day 1 cancelled while the new baseline goes in returns
// context.Canceled; the database is still at day 1 and verifies.
func TestCancelledResetKeepsDayOne(t *testing.T) {
	raw := serverURL(t)
	sc := simtest.NewSchemas(t, raw)
	sim := openSim(t, raw, sc)
	if _, err := sim.LoadBaseline(t.Context(), originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	st, err := sim.ApplyDelta(t.Context(), 1)
	if err != nil {
		t.Fatal(err)
	}
	before := st.Tables[model.Customers].Rows
	err = cancelOnceWriting(t, raw, sc, before, func(ctx context.Context, sim *originsim.Simulator) error {
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

// The line that says a table is loaded comes once its rows are on the
// server (in the operation's transaction), not before.
func TestLoadedMeansWritten(t *testing.T) {
	raw := serverURL(t)
	sc := simtest.NewSchemas(t, raw)
	obs := observer(t, raw)
	var checked int
	sim := openSim(t, raw, sc, originsim.WithProgress(func(e originsim.Event) {
		var table string
		var n int64
		if e.Kind != originsim.Step {
			return
		}
		if _, err := fmt.Sscanf(e.Text, "Loaded %s (%d rows)", &table, &n); err != nil {
			return
		}
		checked++
		schema := sc.Shop
		if tb, ok := model.ByName(table); ok && tb.System == model.CRM {
			schema = sc.CRM
		}
		if got := dirtyCount(t.Context(), obs, schema, table); got != n {
			t.Errorf("%q: the server holds %d rows of %s.%s", e.Text, got, schema, table)
		}
	}))
	if _, err := sim.LoadBaseline(t.Context(), originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	if checked != model.NumTables {
		t.Fatalf("%d tables said loaded, want %d", checked, model.NumTables)
	}
}

// hold opens a target with the given lock scope and begins an operation
// it does not end until the test does.
// holdWhole takes the whole-server lock, retrying while the tests of
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
			t.Fatalf("hold the whole server: %v", err)
		}
	}
}

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

// An operation holds only its own pair of databases: one on another pair
// goes ahead, one on the same pair is busy. An operation without a scope
// (the whole server) still keeps every other out, and waits for them.
func TestLockCoversItsPairOnly(t *testing.T) {
	raw := serverURL(t)
	fast := withParam(t, raw, "lock_wait", "1")
	a, b := simtest.NewSchemas(t, raw), simtest.NewSchemas(t, raw)
	if _, err := openSim(t, raw, b).LoadBaseline(t.Context(), originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}

	holdA := hold(t, raw, a.Shop)
	simB := openSim(t, raw, b)
	if _, err := simB.Status(t.Context()); err != nil {
		t.Fatalf("status on another pair while one runs: %v", err)
	}
	if _, err := simB.ApplyDelta(t.Context(), 1); err != nil {
		t.Fatalf("apply-delta on another pair while one runs: %v", err)
	}
	_, err := openSim(t, fast, a).Status(t.Context())
	if !errors.Is(err, driver.ErrBusy) {
		t.Fatalf("status on the pair an operation holds: %v, want ErrBusy", err)
	}
	// A whole-server operation waits for the scoped one.
	whole, err := driver.Open(t.Context(), fast)
	if err != nil {
		t.Fatal(err)
	}
	defer whole.Close()
	if tx, err := whole.Begin(t.Context()); !errors.Is(err, driver.ErrBusy) {
		if err == nil {
			tx.Rollback()
		}
		t.Fatalf("a whole-server operation while a scoped one runs: %v, want ErrBusy", err)
	}
	mustOK(t, holdA.Rollback())

	// And keeps the scoped ones out while it runs.
	holdAll := holdWhole(t, fast)
	if _, err := openSim(t, fast, b).Status(t.Context()); !errors.Is(err, driver.ErrBusy) {
		t.Fatalf("status while a whole-server operation runs: %v, want ErrBusy", err)
	}
	mustOK(t, holdAll.Rollback())
	if _, err := simB.Status(t.Context()); err != nil {
		t.Fatalf("status once the whole-server operation ended: %v", err)
	}
}

func TestLockNames(t *testing.T) {
	if got := scopeLock("jaffle_shop"); got != "originsim:jaffle_shop" {
		t.Errorf("scope lock %q", got)
	}
	long := strings.Repeat("ß", 40) // 80 bytes
	a, b := scopeLock(long), scopeLock(long[:len(long)-2]+"x")
	if len(a) > 64 || len(b) > 64 || a == b || !strings.HasPrefix(a, "originsim:ß") {
		t.Errorf("long scopes: %q (%d bytes) and %q", a, len(a), b)
	}
	if !utf8Valid(a) {
		t.Errorf("%q is cut inside a character", a)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }

// The DELETE that stands in for DROP TABLE must not empty another table
// through its foreign key (ON DELETE CASCADE or SET NULL): DROP TABLE of a
// referenced table is refused by MySQL, so its stand-in is refused too,
// naming the key, and nothing changes.
func TestDropReferencedTableRefused(t *testing.T) {
	raw := serverURL(t)
	sc := simtest.NewSchemas(t, raw)
	if _, err := openSim(t, raw, sc).LoadBaseline(t.Context(), originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	obs := observer(t, raw)
	q := func(s string) string { return Dialect.Quote(s) }
	for _, stmt := range []string{
		"CREATE TABLE " + q(sc.Shop) + ".user_notes (id INT PRIMARY KEY, customer_id INT, CONSTRAINT notes_customer FOREIGN KEY (customer_id) REFERENCES " +
			q(sc.Shop) + ".customers (customer_id) ON DELETE CASCADE) ENGINE=InnoDB",
		"INSERT INTO " + q(sc.Shop) + ".user_notes VALUES (1, 1)",
	} {
		if _, err := obs.ExecContext(t.Context(), stmt); err != nil {
			t.Fatal(err)
		}
	}
	tg, err := driver.Open(t.Context(), raw, driver.WithLockScope(sc.Shop))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	d, ctx := tg.Dialect(), t.Context()
	tx, err := tg.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	tables := model.Tables()
	for i := len(tables) - 1; i >= 0 && err == nil; i-- { // children first, as reset does
		if tables[i].System == model.Shop {
			err = tx.Exec(ctx, d.DropTable(sc.Shop, tables[i]))
		}
	}
	if err == nil {
		err = tx.Commit()
	}
	if err == nil || !strings.Contains(err.Error(), "notes_customer") || !strings.Contains(err.Error(), "user_notes") {
		t.Fatalf("dropping the shop tables under a foreign key of user_notes: %v", err)
	}
	mustOK(t, tx.Rollback())
	if n := dirtyCount(ctx, obs, sc.Shop, "user_notes"); n != 1 {
		t.Errorf("user_notes holds %d rows, want 1", n)
	}
	if n := dirtyCount(ctx, obs, sc.Shop, "customers"); n != simtest.Counts[0][model.Customers] {
		t.Errorf("customers holds %d rows", n)
	}
}

func mustOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
