package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/internal/simtest"
	"github.com/originsim/originsim/model"
)

// TestLoadKeys loads as a superuser, which adds each table's foreign keys
// before its rows and copies them with session_replication_role = replica,
// and as a role that may not set it, whose keys the server checks after
// all the rows. Either way every key ends up an ordinary validated
// constraint that refuses a bad row once the load has committed.
func TestLoadKeys(t *testing.T) {
	url := simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL")
	t.Run("Superuser", func(t *testing.T) {
		conn := connect(t, url)
		var super string
		if err := conn.QueryRow(t.Context(), "SELECT current_setting('is_superuser')").Scan(&super); err != nil {
			t.Fatal(err)
		}
		if super != "on" {
			t.Skip("ORIGINSIM_TEST_POSTGRES_URL names no superuser: the trusted load is not open to it")
		}
		wantTrusted(t, url, true)
		sc := simtest.NewSchemas(t, url)
		if _, err := open(t, url, sc).LoadBaseline(t.Context(), originsim.BaselineOptions{}); err != nil {
			t.Fatalf("load-baseline: %v", err)
		}
		checkKeys(t, conn, sc, true)
	})
	t.Run("NotSuperuser", func(t *testing.T) {
		admin := connect(t, url)
		role := newRole(t, admin)
		roleURL := withUser(t, url, role)
		conn := connect(t, roleURL)
		_, err := conn.Exec(t.Context(), "SET session_replication_role = replica")
		if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != "42501" {
			t.Fatalf("role %s sets session_replication_role: %v, want permission denied (42501)", role, err)
		}
		wantTrusted(t, roleURL, false)
		sc := simtest.NewSchemas(t, url) // dropped by the superuser, before the role
		sim := open(t, roleURL, sc)
		if _, err := sim.LoadBaseline(t.Context(), originsim.BaselineOptions{}); err != nil {
			t.Fatalf("load-baseline as %s: %v", role, err)
		}
		checkKeys(t, conn, sc, false)

		// Granted SET on the parameter (PostgreSQL 15 and later), the
		// role loads the trusted way too.
		var version int
		if err := conn.QueryRow(t.Context(), "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil || version < 150000 {
			return
		}
		if _, err := admin.Exec(t.Context(), "GRANT SET ON PARAMETER session_replication_role TO "+pgx.Identifier{role}.Sanitize()); err != nil {
			t.Fatal(err)
		}
		wantTrusted(t, roleURL, true)
		// Reset empties the tables in place and keeps their keys: a new
		// pair of schemas shows how the granted role adds them.
		sc2 := simtest.NewSchemas(t, url)
		if _, err := open(t, roleURL, sc2).LoadBaseline(t.Context(), originsim.BaselineOptions{}); err != nil {
			t.Fatalf("load-baseline as %s granted SET on session_replication_role: %v", role, err)
		}
		checkKeys(t, conn, sc2, true)
		if _, err := sim.Reset(t.Context(), originsim.BaselineOptions{}); err != nil {
			t.Fatalf("reset as %s granted SET on session_replication_role: %v", role, err)
		}
		checkKeys(t, conn, sc, false) // kept as the first load made them
	})
}

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func open(t *testing.T, url string, sc model.Schemas) *originsim.Simulator {
	t.Helper()
	sim, err := originsim.Open(t.Context(), url, originsim.WithSchemas(sc))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// newRole makes a login role without superuser that may create schemas in
// the database, and drops it (and what it still owns or was granted) when
// the test ends: register it before the schemas, whose cleanup runs first.
func newRole(t *testing.T, admin *pgx.Conn) string {
	t.Helper()
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	role := "ostest_" + hex.EncodeToString(b)
	ident := pgx.Identifier{role}.Sanitize()
	var db string
	if err := admin.QueryRow(t.Context(), "SELECT current_database()").Scan(&db); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(t.Context(), "CREATE ROLE "+ident+" LOGIN NOSUPERUSER"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// DROP OWNED also revokes the role's privileges on the database
		// and on the parameter.
		if _, err := admin.Exec(context.Background(), "DROP OWNED BY "+ident+"; DROP ROLE "+ident); err != nil {
			t.Errorf("drop role %s: %v", role, err)
		}
	})
	if _, err := admin.Exec(t.Context(), "GRANT CREATE ON DATABASE "+pgx.Identifier{db}.Sanitize()+" TO "+ident); err != nil {
		t.Fatal(err)
	}
	return role
}

// withUser is the URL with another user and no password.
func withUser(t *testing.T, raw, user string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(user)
	return u.String()
}

// wantTrusted checks what the target says of a trusted load for the URL's
// user, and that Unchecked switches session_replication_role to replica
// and back.
func wantTrusted(t *testing.T, url string, want bool) {
	t.Helper()
	err := driver.InTx(t.Context(), openTarget(t, url), func(tx driver.Tx) error {
		tl, ok := tx.(driver.TrustedLoader)
		if !ok {
			return errors.New("the PostgreSQL Tx is no driver.TrustedLoader")
		}
		got, err := tl.TrustedLoad(t.Context())
		if err != nil || got != want {
			return fmt.Errorf("TrustedLoad: %v, %v; want %v", got, err, want)
		}
		if !want {
			return nil
		}
		role := func() (r string, err error) {
			err = tx.Query(t.Context(), "SELECT current_setting('session_replication_role')", []model.Kind{model.Text},
				func(v []any) error { r = v[0].(string); return nil })
			return r, err
		}
		var during string
		if err := tl.Unchecked(t.Context(), func() (err error) { during, err = role(); return err }); err != nil {
			return err
		}
		after, err := role()
		if err != nil || during != "replica" || after != "origin" {
			return fmt.Errorf("session_replication_role %q during Unchecked, %q after (%v); want replica, origin", during, after, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// openTarget opens the server for a test, under a lock scope of the test's
// own: a whole-database lock would hold up the tests of other packages on
// the shared server.
func openTarget(t *testing.T, url string) driver.Target {
	t.Helper()
	tg, err := driver.Open(t.Context(), url, driver.WithLockScope("test:"+t.Name()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tg.Close() })
	return tg
}

// key is a primary or foreign key as the catalog has it.
type key struct {
	table, kind, column, ref string // kind "p" or "f"; ref the referenced table
}

// checkKeys asserts that the two schemas hold exactly the model's primary
// keys (and the ledger's) and enforced foreign keys, all validated, with
// their triggers enabled, and that an order line of a missing order is
// refused. trusted says which way the load went: the catalog's OIDs, given
// out in order, show whether each table's foreign keys came before its
// primary key (a trusted load) or every foreign key after every primary
// key (keys added after the rows).
func checkKeys(t *testing.T, conn *pgx.Conn, sc model.Schemas, trusted bool) {
	t.Helper()
	ctx := t.Context()
	want := map[key]bool{{table: sc.Shop + ".originsim_ledger", kind: "p", column: "day"}: true}
	for _, tb := range model.Tables() {
		schema := sc.Of(tb.System)
		want[key{schema + "." + tb.Name, "p", tb.Key(), ""}] = true
		for _, fk := range tb.ForeignKeys {
			if fk.Enforced {
				want[key{schema + "." + tb.Name, "f", fk.Column, schema + "." + model.Get(fk.Ref).Name}] = true
			}
		}
	}
	rows, err := conn.Query(ctx, `
SELECT n.nspname || '.' || r.relname, c.contype::text, a.attname, coalesce(fn.nspname || '.' || f.relname, ''),
       c.convalidated, c.oid
FROM pg_constraint c
JOIN pg_class r ON r.oid = c.conrelid
JOIN pg_namespace n ON n.oid = r.relnamespace
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
LEFT JOIN pg_class f ON f.oid = c.confrelid
LEFT JOIN pg_namespace fn ON fn.oid = f.relnamespace
WHERE n.nspname IN ($1, $2) AND c.contype IN ('p', 'f')`, sc.Shop, sc.CRM)
	if err != nil {
		t.Fatal(err)
	}
	oids := map[key]uint32{}
	for rows.Next() {
		var k key
		var valid bool
		var oid uint32
		if err := rows.Scan(&k.table, &k.kind, &k.column, &k.ref, &valid, &oid); err != nil {
			t.Fatal(err)
		}
		if !want[k] {
			t.Errorf("unexpected key %+v", k)
		}
		if !valid {
			t.Errorf("%+v is not validated (convalidated = false)", k)
		}
		oids[k] = oid
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for k := range want {
		if _, ok := oids[k]; !ok {
			t.Errorf("missing key %+v", k)
		}
	}

	// The order the keys were made in.
	pk := map[string]uint32{}
	for k, oid := range oids {
		if k.kind == "p" && k.table != sc.Shop+".originsim_ledger" {
			pk[k.table] = oid
		}
	}
	for k, oid := range oids {
		if k.kind != "f" {
			continue
		}
		if trusted {
			if !(pk[k.ref] < oid && oid < pk[k.table]) {
				t.Errorf("trusted load: %+v was not added between %s's primary key and %s's", k, k.ref, k.table)
			}
			continue
		}
		for table, p := range pk {
			if p > oid {
				t.Errorf("keys after the rows: %+v was added before %s's primary key", k, table)
			}
		}
	}

	// The foreign keys' triggers are as CREATE made them: enabled.
	var disabled int
	err = conn.QueryRow(ctx, `
SELECT count(*) FROM pg_trigger g JOIN pg_class r ON r.oid = g.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace
WHERE n.nspname IN ($1, $2) AND g.tgisinternal AND g.tgenabled <> 'O'`, sc.Shop, sc.CRM).Scan(&disabled)
	if err != nil || disabled != 0 {
		t.Errorf("%d foreign key triggers not enabled (%v)", disabled, err)
	}

	// After the commit, the server refuses an order line of a missing
	// order, and takes one of an existing order.
	items := pgx.Identifier{sc.Shop, "order_items"}.Sanitize()
	var nextItem, lastOrder, product int64
	err = conn.QueryRow(ctx, fmt.Sprintf(`SELECT (SELECT max(order_item_id) + 1 FROM %s), (SELECT max(order_id) FROM %s), (SELECT min(product_id) FROM %s)`,
		items, pgx.Identifier{sc.Shop, "orders"}.Sanitize(), pgx.Identifier{sc.Shop, "products"}.Sanitize())).Scan(&nextItem, &lastOrder, &product)
	if err != nil {
		t.Fatal(err)
	}
	insert := func(order int64) error {
		tx, err := conn.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.Background())
		_, err = tx.Exec(ctx, "INSERT INTO "+items+" (order_item_id, order_id, product_id, quantity, unit_price, created_at, updated_at) VALUES ($1, $2, $3, 1, 1.00, now(), now())",
			nextItem, order, product)
		return err
	}
	if err := insert(lastOrder); err != nil {
		t.Fatalf("an order line of order %d: %v", lastOrder, err)
	}
	err = insert(lastOrder + 1)
	if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != "23503" || pe.TableName != "order_items" {
		t.Fatalf("an order line of the missing order %d: %v, want a foreign key violation (23503) on order_items", lastOrder+1, err)
	}
}
