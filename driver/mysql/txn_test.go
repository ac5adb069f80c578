package mysql_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/internal/simtest"
	"github.com/originsim/originsim/model"
)

// open connects for a test and returns a fresh database name, dropped at
// the end.
func open(t *testing.T) (driver.Target, string) {
	t.Helper()
	url := simtest.ServerURL(t, "ORIGINSIM_TEST_MYSQL_URL")
	b := make([]byte, 5)
	rand.Read(b)
	schema := "ostest_" + hex.EncodeToString(b) + "_tx"
	// Locked under the test's own scope: a whole-server lock would hold up
	// the tests of other packages on the shared server.
	tg, err := driver.Open(t.Context(), url, driver.WithLockScope(schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	t.Cleanup(func() {
		tx, err := tg.Begin(context.Background())
		if err == nil {
			err = tx.Exec(context.Background(), "DROP DATABASE IF EXISTS "+tg.Dialect().Quote(schema))
			err = errors.Join(err, tx.Commit())
		}
		if err != nil {
			t.Errorf("drop %s: %v", schema, err)
		}
	})
	return tg, schema
}

// exists tells whether the database schema exists, in a transaction of its
// own.
func exists(t *testing.T, tg driver.Target, schema string) bool {
	t.Helper()
	tx, err := tg.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	n := int64(-1)
	err = tx.Query(t.Context(), "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = '"+schema+"'",
		[]model.Kind{model.Int}, func(v []any) error { n = v[0].(int64); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func customers(n int) [][]any {
	rows := make([][]any, n)
	at := time.Date(2025, 1, 1, 9, 30, 0, 123456000, time.UTC)
	for i := range rows {
		rows[i] = []any{int64(i + 1), "Ann", "Lee", "ann@example.com", at, at, nil}
	}
	return rows
}

// A failed write rolls back, and the database and table the operation
// created are dropped again: MySQL cannot roll back DDL.
func TestRollbackDropsWhatItCreated(t *testing.T) {
	tg, schema := open(t)
	d, ctx := tg.Dialect(), t.Context()
	cust := model.Get(model.Customers)
	tx, err := tg.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	must(t, tx.Exec(ctx, d.CreateSchema(schema)))
	must(t, tx.Exec(ctx, d.CreateTable(schema, cust)))
	rows := customers(3)
	rows[2][0] = int64(1) // duplicate key: the write fails
	if err := tx.Insert(ctx, schema, cust, rows); err == nil || !strings.Contains(err.Error(), "Duplicate") {
		t.Fatalf("insert with a duplicate key: %v", err)
	}
	must(t, tx.Rollback())
	if exists(t, tg, schema) {
		t.Fatalf("%s is still there after the rollback", schema)
	}
}

// After the operation has written, DDL runs beside its transaction, which
// it does not commit: a new table that refers to none the operation has
// used is made, and dropped again by the rollback. A table whose foreign
// key refers to a table the operation has written, or any other DDL, is
// refused: it would wait for the operation's own locks, or commit its
// writes early.
func TestDDLAfterWrites(t *testing.T) {
	tg, schema := open(t)
	d, ctx := tg.Dialect(), t.Context()
	cust := model.Get(model.Customers)
	tx, err := tg.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	must(t, tx.Exec(ctx, d.CreateSchema(schema)))
	must(t, tx.Exec(ctx, d.CreateTable(schema, cust)))
	must(t, tx.Insert(ctx, schema, cust, customers(2)))
	must(t, tx.Exec(ctx, d.CreateTable(schema, model.Get(model.Products))))
	err = tx.Exec(ctx, d.CreateTable(schema, model.Get(model.Orders)))
	if err == nil || !strings.Contains(err.Error(), "which the operation has used") {
		t.Fatalf("a table referring to one the operation wrote: %v", err)
	}
	err = tx.Exec(ctx, "ALTER TABLE "+d.Table(schema, cust.Name)+" ADD COLUMN x INT")
	if err == nil || !strings.Contains(err.Error(), "early") {
		t.Fatalf("ALTER after writes: %v", err)
	}
	n := int64(-1)
	must(t, tx.Query(ctx, "SELECT COUNT(*) FROM "+d.Table(schema, cust.Name), []model.Kind{model.Int}, func(v []any) error { n = v[0].(int64); return nil }))
	if n != 2 {
		t.Fatalf("the transaction sees %d customers, want 2", n)
	}
	must(t, tx.Rollback())
	if exists(t, tg, schema) {
		t.Fatalf("%s is still there after the rollback", schema)
	}
}

// countdown is a context whose Err reports cancellation after n checks:
// the point where a caller's Ctrl-C lands between two INSERT batches.
type countdown struct {
	context.Context
	n atomic.Int64
}

func (c *countdown) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// Cancelled half-way through the writes, the operation stops between two
// INSERT batches and rolls back cleanly on a connection that still works.
func TestCancelBetweenBatches(t *testing.T) {
	tg, schema := open(t)
	d := tg.Dialect()
	cust := model.Get(model.Customers)
	ctx := &countdown{Context: t.Context()}
	ctx.n.Store(1 << 30)
	tx, err := tg.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	must(t, tx.Exec(ctx, d.CreateSchema(schema)))
	must(t, tx.Exec(ctx, d.CreateTable(schema, cust)))
	ctx.n.Store(3) // a few batches go in, then the context is cancelled
	if err := tx.Insert(ctx, schema, cust, customers(5000)); !errors.Is(err, context.Canceled) {
		t.Fatalf("insert cancelled half-way: %v", err)
	}
	must(t, tx.Rollback())
	if exists(t, tg, schema) {
		t.Fatalf("%s is still there after the rollback", schema)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
