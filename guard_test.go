package originsim_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/simtest"
	"github.com/originsim/originsim/model"
)

// target is a database the guard tests run on, with fresh schemas for one
// test, dropped when it ends.
type target struct {
	name string
	url  string
	sc   model.Schemas
	// user is one more schema for the user's own tables, dropped too.
	user string
}

// guardTargets are DuckDB and every server CI runs, by name.
func guardTargets(t *testing.T) map[string]func(t *testing.T) target {
	duck := func(t *testing.T) target {
		url := "duckdb:" + filepath.Join(t.TempDir(), "g.duckdb")
		return target{name: "duckdb", url: url, sc: simtest.UniqueSchemas(t), user: simtest.UniqueSchemas(t).Shop}
	}
	server := func(env string) func(t *testing.T) target {
		return func(t *testing.T) target {
			url := simtest.ServerURL(t, env)
			sc := simtest.NewSchemas(t, url)
			user := simtest.NewSchemas(t, url).Shop
			return target{name: env, url: url, sc: sc, user: user}
		}
	}
	return map[string]func(t *testing.T) target{"duckdb": duck, "postgres": server("ORIGINSIM_TEST_POSTGRES_URL"), "mysql": server("ORIGINSIM_TEST_MYSQL_URL")}
}

// raw runs statements on the target outside originsim, in one transaction.
func (tg target) raw(t *testing.T, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	db, err := driver.Open(ctx, tg.url, driver.WithLockScope(tg.sc.Shop))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = driver.InTx(ctx, db, func(tx driver.Tx) error {
		for _, q := range stmts {
			if err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// count counts the rows of a table outside originsim.
func (tg target) count(t *testing.T, table string) int64 {
	t.Helper()
	return tg.number(t, "SELECT COUNT(*) FROM "+table)
}

// number runs a query of one integer outside originsim.
func (tg target) number(t *testing.T, q string) int64 {
	t.Helper()
	ctx := context.Background()
	db, err := driver.Open(ctx, tg.url, driver.WithLockScope(tg.sc.Shop))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64 = -1
	err = driver.InTx(ctx, db, func(tx driver.Tx) error {
		return tx.Query(ctx, q, []model.Kind{model.Int}, func(v []any) error { n = v[0].(int64); return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (tg target) open(t *testing.T) (*originsim.Simulator, driver.Dialect) {
	t.Helper()
	sim, err := originsim.Open(t.Context(), tg.url, originsim.WithSchemas(tg.sc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	db, err := driver.Open(t.Context(), tg.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return sim, db.Dialect()
}

// A table of the user's that references originsim's customers: reset and
// an adoption refuse, naming the foreign key, and the user's rows and
// values stay (MariaDB used to empty them through ON DELETE CASCADE).
func TestUserForeignKeysAreRefused(t *testing.T) {
	for name, mk := range guardTargets(t) {
		t.Run(name, func(t *testing.T) {
			tg := mk(t)
			ctx := t.Context()
			sim, d := tg.open(t)
			if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
				t.Fatal(err)
			}
			// DuckDB's foreign keys stay within a schema, and it has no
			// ON DELETE actions.
			where, action := tg.user, " ON DELETE CASCADE"
			if d.HardDeletesRefused() != "" {
				where, action = tg.sc.Shop, ""
			}
			mine := d.Table(where, "my_loyalty")
			if where == tg.user {
				tg.raw(t, d.CreateSchema(tg.user))
			}
			tg.raw(t, fmt.Sprintf("CREATE TABLE %s (id INTEGER PRIMARY KEY, customer_id INTEGER, CONSTRAINT my_loyalty_customer FOREIGN KEY (customer_id) REFERENCES %s (customer_id)%s)",
				mine, d.Table(tg.sc.Shop, "customers"), action),
				fmt.Sprintf("INSERT INTO %s VALUES (1, 1), (2, 50)", mine))
			_, err := sim.Reset(ctx, originsim.BaselineOptions{})
			if !errors.Is(err, originsim.ErrState) || !strings.Contains(err.Error(), "my_loyalty_customer") || !strings.Contains(err.Error(), "my_loyalty") {
				t.Fatalf("reset with a user's foreign key: %v; want a state conflict naming it", err)
			}
			if n := tg.count(t, mine); n != 2 {
				t.Fatalf("the user's table holds %d rows after the refused reset, want 2", n)
			}
			st, err := sim.Status(ctx)
			if err != nil || st.Day() != 0 || st.Count(model.Customers) != 100 {
				t.Fatalf("after the refused reset: %v %+v", err, st)
			}
			tg.raw(t, "DROP TABLE "+mine)
			if _, err := sim.Reset(ctx, originsim.BaselineOptions{}); err != nil {
				t.Fatalf("reset once the foreign key is gone: %v", err)
			}
		})
	}
}

// --adopt takes over only tables whose columns hold originsim's values:
// the right names with other types are refused, and nothing changes.
func TestAdoptChecksTypes(t *testing.T) {
	for name, mk := range guardTargets(t) {
		t.Run(name, func(t *testing.T) {
			tg := mk(t)
			ctx := t.Context()
			sim, d := tg.open(t)
			var stmts []string
			for _, sys := range []model.System{model.Shop, model.CRM} {
				stmts = append(stmts, d.CreateSchema(tg.sc.Of(sys)))
			}
			for _, tb := range model.Tables() {
				c := *tb
				c.ForeignKeys = nil
				c.Columns = append([]model.Column(nil), tb.Columns...)
				if tb.ID == model.Customers {
					c.Columns[0] = model.Column{Name: c.Columns[0].Name, Kind: model.Text, Size: 20}
				}
				stmts = append(stmts, d.CreateTable(tg.sc.Of(tb.System), &c))
			}
			ts := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			stmts = append(stmts, fmt.Sprintf("INSERT INTO %s (customer_id, first_name, last_name, email, created_at, updated_at) VALUES ('mine', 'A', 'B', 'a.b@example.com', %s, %s)",
				d.Table(tg.sc.Shop, "customers"), d.Literal(model.Timestamp, ts), d.Literal(model.Timestamp, ts)))
			tg.raw(t, stmts...)
			_, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{Adopt: true})
			if !errors.Is(err, originsim.ErrState) || !strings.Contains(err.Error(), "customer_id") {
				t.Fatalf("--adopt over a text customer_id: %v; want a state conflict naming the column", err)
			}
			if n := tg.count(t, d.Table(tg.sc.Shop, "customers")); n != 1 {
				t.Fatalf("the user's customers hold %d rows after the refused adoption, want 1", n)
			}
		})
	}
}

// A ledger that names a schema originsim did not make: reset refuses to
// touch the tables of the same names there, which are not its.
func TestResetRefusesTablesItDidNotMake(t *testing.T) {
	for name, mk := range guardTargets(t) {
		t.Run(name, func(t *testing.T) {
			tg := mk(t)
			ctx := t.Context()
			sim, d := tg.open(t)
			if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
				t.Fatal(err)
			}
			mine := d.Table(tg.user, "campaigns")
			tg.raw(t, d.CreateSchema(tg.user),
				fmt.Sprintf("CREATE TABLE %s (note VARCHAR(20))", mine),
				fmt.Sprintf("INSERT INTO %s VALUES ('keep me')", mine),
				fmt.Sprintf("UPDATE %s SET %s = %s", d.Table(tg.sc.Shop, model.LedgerTable), d.Quote("crm_schema"), d.Literal(model.Text, tg.user)))
			other, err := originsim.Open(ctx, tg.url, originsim.WithSchemas(model.Schemas{Shop: tg.sc.Shop, CRM: tg.user}))
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			_, err = other.Reset(ctx, originsim.BaselineOptions{})
			if !errors.Is(err, originsim.ErrState) || !strings.Contains(err.Error(), tg.user+".campaigns") {
				t.Fatalf("reset into a schema of the user's: %v; want a state conflict naming %s.campaigns", err, tg.user)
			}
			if n := tg.count(t, mine); n != 1 {
				t.Fatalf("the user's campaigns hold %d rows after the refused reset, want 1", n)
			}
		})
	}
}

// On PostgreSQL reset empties the tables in place: an index, a comment and
// a grant the user added to them are still there afterwards, and the data
// verifies.
func TestResetKeepsWhatTheUserAddedOnPostgres(t *testing.T) {
	tg := guardTargets(t)["postgres"](t)
	ctx := t.Context()
	sim, d := tg.open(t)
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ApplyDelta(ctx, 1); err != nil {
		t.Fatal(err)
	}
	customers := d.Table(tg.sc.Shop, "customers")
	role := tg.user + "_reader"
	tg.raw(t, "CREATE ROLE "+d.Quote(role)+" NOLOGIN")
	t.Cleanup(func() { tg.raw(t, "DROP OWNED BY "+d.Quote(role), "DROP ROLE "+d.Quote(role)) })
	tg.raw(t, "CREATE INDEX my_email_idx ON "+customers+" (email)",
		"COMMENT ON TABLE "+customers+" IS 'the shop''s customers'",
		"GRANT USAGE ON SCHEMA "+d.Quote(tg.sc.Shop)+" TO "+d.Quote(role),
		"GRANT SELECT ON "+customers+" TO "+d.Quote(role))
	if _, err := sim.Reset(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	lit := d.Literal(model.Text, tg.sc.Shop+".customers")
	checks := map[string]string{
		"the index":   "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = " + d.Literal(model.Text, tg.sc.Shop) + " AND indexname = 'my_email_idx'",
		"the comment": "SELECT COUNT(*) FROM (SELECT obj_description(" + d.Literal(model.Text, d.Table(tg.sc.Shop, "customers")) + "::regclass, 'pg_class') AS c) AS x WHERE c = 'the shop''s customers'",
		"the grant":   "SELECT COUNT(*) FROM (SELECT 1) AS x WHERE has_table_privilege(" + d.Literal(model.Text, role) + ", " + lit + ", 'SELECT')",
	}
	for what, q := range checks {
		if n := tg.number(t, q); n != 1 {
			t.Errorf("%s did not survive reset", what)
		}
	}
	rep, err := sim.Verify(ctx)
	if err != nil || !rep.OK || rep.Day != 0 {
		t.Fatalf("verify after the reset in place: %v %+v", err, rep)
	}
}

// A load that never committed (its tables made, its ledger empty, as a
// killed load leaves MySQL) is named as such, not as another tool's
// tables, and load-baseline finishes it.
func TestUnfinishedLoadIsNamed(t *testing.T) {
	tg := guardTargets(t)["duckdb"](t)
	ctx := t.Context()
	sim, d := tg.open(t)
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	tg.raw(t, "DELETE FROM "+d.Table(tg.sc.Shop, model.LedgerTable))
	_, err := sim.Verify(ctx)
	if !errors.Is(err, originsim.ErrNotLoaded) || !strings.Contains(err.Error(), "did not finish") || strings.Contains(err.Error(), "another tool") {
		t.Fatalf("verify after an unfinished load: %v", err)
	}
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatalf("load-baseline over the unfinished load: %v", err)
	}
	if rep, err := sim.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("verify after finishing the load: %v", err)
	}
}

// A day with hard deletes on a server: a table of the user's with a
// foreign key to originsim's customers (ON DELETE CASCADE) stops the day
// before anything changes, and the user's rows stay.
func TestHardDeletesRefuseUserForeignKeys(t *testing.T) {
	for _, name := range []string{"postgres", "mysql"} {
		t.Run(name, func(t *testing.T) {
			tg := guardTargets(t)[name](t)
			ctx := t.Context()
			sim, d := tg.open(t)
			if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{Deletes: "hard"}); err != nil {
				t.Fatal(err)
			}
			mine := d.Table(tg.user, "my_loyalty")
			tg.raw(t, d.CreateSchema(tg.user),
				fmt.Sprintf("CREATE TABLE %s (id INTEGER PRIMARY KEY, customer_id INTEGER, CONSTRAINT my_loyalty_customer FOREIGN KEY (customer_id) REFERENCES %s (customer_id) ON DELETE CASCADE)",
					mine, d.Table(tg.sc.Shop, "customers")))
			var rows []string
			for id := 1; id <= 100; id++ {
				rows = append(rows, fmt.Sprintf("(%d, %d)", id, id))
			}
			tg.raw(t, fmt.Sprintf("INSERT INTO %s VALUES %s", mine, strings.Join(rows, ", ")))
			_, err := sim.ApplyDelta(ctx, 1)
			if !errors.Is(err, originsim.ErrState) || !strings.Contains(err.Error(), "my_loyalty_customer") {
				t.Fatalf("a hard-delete day over a user's foreign key: %v; want a state conflict naming it", err)
			}
			if n := tg.count(t, mine); n != 100 {
				t.Fatalf("the user's table holds %d rows after the refused day, want 100", n)
			}
			if st, err := sim.Status(ctx); err != nil || st.Day() != 0 {
				t.Fatalf("after the refused day: %v %+v", err, st)
			}
		})
	}
}

// A row a day changes, removed by hand: the day stops, nothing changed,
// instead of reporting changes it did not make.
func TestHandRemovedRowStopsTheDay(t *testing.T) {
	state, err := gen.Resume(gen.Default(), 1)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := state.Advance()
	if err != nil {
		t.Fatal(err)
	}
	var order int64
	for _, g := range cs.Groups() {
		for _, st := range g.Steps {
			if g.Table == model.Orders && st.Kind == changeset.Update && order == 0 {
				order = st.Rows[0][0].(int64)
			}
		}
	}
	if order == 0 {
		t.Fatal("day 2 changes no order")
	}
	for name, mk := range guardTargets(t) {
		t.Run(name, func(t *testing.T) {
			tg := mk(t)
			ctx := t.Context()
			sim, d := tg.open(t)
			if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := sim.ApplyDelta(ctx, 1); err != nil {
				t.Fatal(err)
			}
			// Children first, each in its own transaction (DuckDB).
			for _, tb := range []string{"payments", "order_items", "orders"} {
				tg.raw(t, fmt.Sprintf("DELETE FROM %s WHERE order_id = %d", d.Table(tg.sc.Shop, tb), order))
			}
			_, err := sim.ApplyDelta(ctx, 2)
			if !errors.Is(err, originsim.ErrState) || !strings.Contains(err.Error(), "changed by hand") {
				t.Fatalf("day 2 over an order removed by hand: %v; want a state conflict", err)
			}
			if st, err := sim.Status(ctx); err != nil || st.Day() != 1 {
				t.Fatalf("after the refused day: %v %+v", err, st)
			}
		})
	}
}
