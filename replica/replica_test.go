package replica_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	_ "github.com/originsim/originsim/driver/all"
	"github.com/originsim/originsim/export"
	"github.com/originsim/originsim/feed"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/simtest"
	"github.com/originsim/originsim/model"
	"github.com/originsim/originsim/replica"
)

func expected(day int) replica.Expected {
	return replica.Expected{Config: gen.Default(), Day: day, Schemas: model.DefaultSchemas}
}

func mustCheck(t *testing.T, want replica.Expected, o replica.Options) *replica.Report {
	t.Helper()
	rep, err := replica.Check(context.Background(), want, o)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// Files of day 2 as export writes them are a correct copy of day 2 in every
// format, and a copy of day 2 against day 3 looks one day behind.
func TestFilesOfTheDay(t *testing.T) {
	for _, f := range export.Formats {
		t.Run(string(f), func(t *testing.T) {
			dir := t.TempDir()
			if _, err := export.Day(t.Context(), gen.Default(), 2, export.Options{Format: f, Dir: dir}); err != nil {
				t.Fatal(err)
			}
			rep := mustCheck(t, expected(2), replica.Options{Target: dir})
			if !rep.OK {
				t.Fatalf("a correct copy differs: %+v", rep)
			}
			rep = mustCheck(t, expected(3), replica.Options{Target: dir})
			if rep.OK || len(rep.Diagnosis) == 0 || !strings.Contains(rep.Diagnosis[0], "one day behind") {
				t.Fatalf("day 2 against day 3: ok %v, diagnosis %q", rep.OK, rep.Diagnosis)
			}
		})
	}
}

// A DuckDB copy of the source, read in place, is correct; a row changed,
// one removed and one added by hand are named exactly.
func TestDuckDBFile(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "src.duckdb")
	sim, err := originsim.Open(ctx, "duckdb:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := sim.ApplyDelta(ctx, 1); err != nil {
		t.Fatal(err)
	}
	sim.Close()
	rep := mustCheck(t, expected(1), replica.Options{Target: "duckdb:" + path})
	if !rep.OK {
		t.Fatalf("the source itself differs: %+v", rep)
	}
	_ = os.Getenv
}

// faults copies the source file and changes the copy by hand.
func faults(t *testing.T, src string, stmts ...string) string {
	t.Helper()
	ctx := context.Background()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy.duckdb")
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	tg, err := driver.Open(ctx, "duckdb:"+dst)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	for _, q := range stmts {
		if err := driver.InTx(ctx, tg, func(tx driver.Tx) error { return tx.Exec(ctx, q) }); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return "duckdb:" + dst
}

func table(rep *replica.Report, name string) replica.TableReport {
	for _, tr := range rep.Tables {
		if strings.HasSuffix(tr.Table, "."+name) {
			return tr
		}
	}
	return replica.TableReport{}
}

func TestFaultsAreNamed(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "src.duckdb")
	sim, err := originsim.Open(ctx, "duckdb:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	sim.Close()
	// A changed email, a line removed, a web session added, an email
	// event twice, the user's own customer (not compared).
	copyURL := faults(t, path,
		"UPDATE jaffle_shop.customers SET email = 'x@example.com' WHERE customer_id = 7",
		"DELETE FROM jaffle_shop.order_items WHERE order_item_id = 12",
		"INSERT INTO jaffle_crm.web_sessions SELECT 151, customer_id, session_start, session_end, page_views, created_at, updated_at, deleted_at FROM jaffle_crm.web_sessions WHERE session_id = 1",
		"CREATE TABLE jaffle_crm.ea AS SELECT * FROM jaffle_crm.email_activity",
		"DROP TABLE jaffle_crm.email_activity",
		"CREATE TABLE jaffle_crm.email_activity AS SELECT * FROM jaffle_crm.ea UNION ALL SELECT * FROM jaffle_crm.ea WHERE activity_id = 3",
		"INSERT INTO jaffle_shop.customers SELECT 5000, first_name, last_name, 'mine@example.com', created_at, updated_at, deleted_at FROM jaffle_shop.customers WHERE customer_id = 1",
	)
	rep := mustCheck(t, expected(0), replica.Options{Target: copyURL, Examples: 5})
	if rep.OK {
		t.Fatal("a copy with faults passes")
	}
	c := table(rep, "customers")
	if c.Changed != 1 || c.Missing != 0 || c.Extra != 0 || c.Custom != 1 || len(c.Examples) != 1 || c.Examples[0].Key != 7 ||
		len(c.Examples[0].Columns) != 1 || c.Examples[0].Columns[0].Column != "email" || c.Examples[0].Columns[0].Found != "x@example.com" {
		t.Errorf("customers: %+v", c)
	}
	if oi := table(rep, "order_items"); oi.Missing != 1 || oi.Examples[0].Key != 12 || oi.Changed != 0 {
		t.Errorf("order_items: %+v", oi)
	}
	if ws := table(rep, "web_sessions"); ws.Extra != 1 || ws.Examples[0].Key != 151 {
		t.Errorf("web_sessions: %+v", ws)
	}
	if ea := table(rep, "email_activity"); ea.Duplicates != 1 || ea.Changed != 0 || ea.Missing != 0 || ea.Examples[0].Kind != "duplicate" || ea.Examples[0].Key != 3 {
		t.Errorf("email_activity: %+v", ea)
	}
	for _, name := range []string{"products", "orders", "payments", "campaigns"} {
		if tr := table(rep, name); !tr.OK {
			t.Errorf("%s differs in a copy that kept it: %+v", name, tr)
		}
	}
}

// A PostgreSQL replica whose types are not the source's: keys as text,
// money as double precision, timestamps with time zone, booleans as 0/1,
// upper-case column names, the pipeline's own columns, a row marked
// deleted. It is a correct copy; one cent more on one payment is not.
func TestTypesAreComparedByMeaning(t *testing.T) {
	url := simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL")
	ctx := t.Context()
	src := simtest.NewSchemas(t, url)
	rs := simtest.NewSchemas(t, url)
	sim, err := originsim.Open(ctx, url, originsim.WithSchemas(src))
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
	tg, err := driver.Open(ctx, url, driver.WithLockScope(rs.Shop))
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	d := tg.Dialect()
	stmts := []string{"SET LOCAL TimeZone = 'UTC'", d.CreateSchema(rs.Shop), d.CreateSchema(rs.CRM)}
	for _, tb := range model.Tables() {
		var cols []string
		for _, c := range tb.Columns {
			e := d.Quote(c.Name)
			switch c.Kind {
			case model.Int:
				e = "CAST(" + e + " AS TEXT)"
			case model.Decimal:
				e = "CAST(" + e + " AS DOUBLE PRECISION)"
			case model.Timestamp:
				e = "CAST(" + e + " AS TIMESTAMPTZ)"
			case model.Bool:
				e = "CASE WHEN " + e + " THEN 1 ELSE 0 END"
			}
			cols = append(cols, e+" AS "+d.Quote(strings.ToUpper(c.Name)))
		}
		cols = append(cols, "now() AS \"_FIVETRAN_SYNCED\"", "false AS \"_FIVETRAN_DELETED\"")
		stmts = append(stmts, fmt.Sprintf("CREATE TABLE %s AS SELECT %s FROM %s", d.Table(rs.Of(tb.System), tb.Name), strings.Join(cols, ", "), d.Table(src.Of(tb.System), tb.Name)))
	}
	// A customer the source deleted, kept by the pipeline and marked.
	stmts = append(stmts, fmt.Sprintf(`INSERT INTO %s SELECT '999', "FIRST_NAME", "LAST_NAME", 'gone@example.com', "CREATED_AT", "UPDATED_AT", "DELETED_AT", now(), true FROM %s WHERE "CUSTOMER_ID" = '1'`,
		d.Table(rs.Shop, "customers"), d.Table(rs.Shop, "customers")))
	raw := func(qs ...string) {
		t.Helper()
		if err := driver.InTx(ctx, tg, func(tx driver.Tx) error {
			for _, q := range qs {
				if err := tx.Exec(ctx, q); err != nil {
					return fmt.Errorf("%s: %w", q, err)
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	raw(stmts...)
	o := replica.Options{Target: url, ShopSchema: rs.Shop, CRMSchema: rs.CRM, Examples: 5}
	want := replica.Expected{Config: gen.Default(), Day: 1, Schemas: src}
	rep := mustCheck(t, want, o)
	if !rep.OK {
		t.Fatalf("a correct copy in other types differs: %+v", rep)
	}
	if c := table(rep, "customers"); c.DeletedBy != "_FIVETRAN_DELETED" {
		t.Errorf("delete convention: %q", c.DeletedBy)
	}
	raw(fmt.Sprintf(`UPDATE %s SET "AMOUNT" = "AMOUNT" + 0.01 WHERE "PAYMENT_ID" = '1'`, d.Table(rs.Shop, "payments")))
	rep = mustCheck(t, want, o)
	p := table(rep, "payments")
	if rep.OK || p.Changed != 1 || len(p.Examples) != 1 || p.Examples[0].Key != 1 || p.Examples[0].Columns[0].Column != "amount" {
		t.Fatalf("one cent more: %+v", p)
	}
}

// A copy that keeps timestamps to the millisecond is compared at that
// precision with a warning, and fails with Strict; one whose values are
// off by a microsecond beyond it is a difference.
func TestTimestampPrecision(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "src.duckdb")
	sim, err := originsim.Open(ctx, "duckdb:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	sim.Close()
	ms := faults(t, path, "UPDATE jaffle_crm.web_sessions SET session_start = date_trunc('millisecond', session_start), session_end = date_trunc('millisecond', session_end)")
	o := replica.Options{Target: ms, Tables: []string{"web_sessions"}}
	rep := mustCheck(t, expected(0), o)
	ws := table(rep, "web_sessions")
	if !rep.OK || len(ws.Warnings) != 2 || !strings.Contains(ws.Warnings[0], "millisecond") {
		t.Fatalf("a copy at millisecond precision: ok %v, %+v", rep.OK, ws)
	}
	o.Strict = true
	if rep := mustCheck(t, expected(0), o); rep.OK {
		t.Fatalf("a copy at millisecond precision passes with Strict")
	}
	off := faults(t, path, "UPDATE jaffle_crm.web_sessions SET session_start = date_trunc('millisecond', session_start), session_end = date_trunc('millisecond', session_end)",
		"UPDATE jaffle_crm.web_sessions SET session_start = session_start + INTERVAL 1 MILLISECOND WHERE session_id = 4")
	rep = mustCheck(t, expected(0), replica.Options{Target: off, Tables: []string{"web_sessions"}, Examples: 5})
	if ws := table(rep, "web_sessions"); rep.OK || ws.Changed != 1 || ws.Examples[0].Key != 4 {
		t.Fatalf("a value off by a millisecond: %+v", ws)
	}
}

// A replica that is neither a folder nor a database URL is named as such.
func TestNoSuchReplica(t *testing.T) {
	_, err := replica.Check(t.Context(), expected(0), replica.Options{Target: filepath.Join(t.TempDir(), "nope")})
	if !errors.Is(err, originsim.ErrUsage) || !strings.Contains(err.Error(), "no such folder") {
		t.Fatalf("a missing folder: %v", err)
	}
}

// An incremental load by highest id: each table's rows of day 0 as they
// were then, and only the newer keys of day 2. The copy holds older
// versions of every row days changed, and the diagnosis says so.
func TestIncrementalByIDMissesUpdates(t *testing.T) {
	ctx := t.Context()
	d0, d2, out := t.TempDir(), t.TempDir(), t.TempDir()
	for day, dir := range map[int]string{0: d0, 2: d2} {
		if _, err := export.Day(ctx, gen.Default(), day, export.Options{Format: export.Parquet, Dir: dir}); err != nil {
			t.Fatal(err)
		}
	}
	tg, err := driver.Open(ctx, "duckdb::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	err = driver.InTx(ctx, tg, func(tx driver.Tx) error {
		for _, tb := range model.Tables() {
			old, now := filepath.Join(d0, tb.Name+".parquet"), filepath.Join(d2, tb.Name+".parquet")
			q := fmt.Sprintf(`COPY (SELECT * FROM read_parquet('%s') UNION ALL SELECT * FROM read_parquet('%s') WHERE %s > (SELECT coalesce(max(%s), 0) FROM read_parquet('%s')))
TO '%s' (FORMAT parquet)`, old, now, tb.Key(), tb.Key(), old, filepath.Join(out, tb.Name+".parquet"))
			if err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rep := mustCheck(t, expected(2), replica.Options{Target: out})
	if rep.OK || table(rep, "orders").Changed == 0 || table(rep, "orders").Missing != 0 {
		t.Fatalf("incremental by id: %+v", table(rep, "orders"))
	}
	found := false
	for _, l := range rep.Diagnosis {
		found = found || strings.Contains(l, "updates are not propagated")
	}
	if !found {
		t.Fatalf("diagnosis: %q", rep.Diagnosis)
	}
}

// Daily drops of days 0 to 3 together are a history at day granularity:
// every version a key had at the end of a day it changed, with the rows a
// day did not change repeated (copies, counted apart). Without the last
// drop, the versions of day 3 are missing.
func TestHistoryOfDailyDrops(t *testing.T) {
	lake := t.TempDir()
	for day := 0; day <= 3; day++ {
		dir := filepath.Join(lake, fmt.Sprintf("day=%d", day))
		if _, err := export.Day(t.Context(), gen.Default(), day, export.Options{Format: export.Parquet, Dir: dir}); err != nil {
			t.Fatal(err)
		}
	}
	o := replica.Options{Target: lake, Layout: replica.History, Granularity: replica.Day, Examples: 3}
	rep := mustCheck(t, expected(3), o)
	if !rep.OK {
		t.Fatalf("four daily drops as a day history: %+v", rep)
	}
	if c := table(rep, "customers"); c.Duplicates == 0 || len(c.Warnings) == 0 {
		t.Errorf("the repeated rows of the drops are not counted apart: %+v", c)
	}
	o.NoDuplicates = true
	if rep := mustCheck(t, expected(3), o); rep.OK {
		t.Errorf("copies of versions pass with NoDuplicates")
	}
	if err := os.RemoveAll(filepath.Join(lake, "day=3")); err != nil {
		t.Fatal(err)
	}
	o.NoDuplicates = false
	rep = mustCheck(t, expected(3), o)
	if o := table(rep, "orders"); rep.OK || o.Missing == 0 || o.Extra != 0 {
		t.Fatalf("the drops without day 3: %+v", o)
	}
}

// A change log landed as a table (as Debezium into a table writes it):
// every change's row image. It is a correct history at change granularity;
// one event lost is named; at day granularity the versions a row had
// within a day are extra.
func TestHistoryOfAChangeLog(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "log.duckdb")
	tg, err := driver.Open(ctx, "duckdb:"+path)
	if err != nil {
		t.Fatal(err)
	}
	d := tg.Dialect()
	err = driver.InTx(ctx, tg, func(tx driver.Tx) error {
		for _, s := range []string{"jaffle_shop", "jaffle_crm"} {
			if err := tx.Exec(ctx, d.CreateSchema(s)); err != nil {
				return err
			}
		}
		for _, tb := range model.Tables() {
			plain := *tb
			plain.ForeignKeys = nil
			q := strings.Replace(d.CreateTable(model.DefaultSchemas.Of(tb.System), &plain), ",\n  PRIMARY KEY ("+d.Quote(tb.Key())+")", "", 1)
			if err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		for day := 0; day <= 3; day++ {
			err := feed.Day(gen.Default(), model.DefaultSchemas, day, func(ev *feed.Event) error {
				if ev.After == nil {
					return nil
				}
				return tx.Insert(ctx, ev.Schema, ev.Table, [][]any{ev.After})
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	tg.Close()
	if err != nil {
		t.Fatal(err)
	}
	o := replica.Options{Target: "duckdb:" + path, Layout: replica.History, Examples: 3}
	rep := mustCheck(t, expected(3), o)
	if !rep.OK {
		t.Fatalf("the change log: %+v", rep)
	}
	day := o
	day.Granularity = replica.Day
	if rep := mustCheck(t, expected(3), day); rep.OK || table(rep, "orders").Extra == 0 {
		t.Errorf("a change log at day granularity: the versions within a day are not extra: %+v", table(rep, "orders"))
	}
	lost := faults(t, path, "DELETE FROM jaffle_shop.orders WHERE order_id = 501 AND status <> 'pending'")
	o.Target = lost
	rep = mustCheck(t, expected(3), o)
	if ord := table(rep, "orders"); rep.OK || ord.Missing == 0 || ord.Extra != 0 || ord.Examples[0].Key != 501 {
		t.Fatalf("a lost event: %+v", ord)
	}
}

// The history WriteHistory writes is what a history check passes.
func TestWriteHistoryIsACorrectHistory(t *testing.T) {
	for _, g := range []replica.Granularity{replica.Change, replica.Day} {
		for _, f := range []string{"parquet", "csv", "jsonl"} {
			dir := t.TempDir()
			files, err := replica.WriteHistory(t.Context(), expected(2), g, f, dir, false, nil)
			if err != nil || len(files) != model.NumTables {
				t.Fatalf("%s %s: %v %v", g, f, files, err)
			}
			rep := mustCheck(t, expected(2), replica.Options{Target: dir, Layout: replica.History, Granularity: g})
			if !rep.OK {
				t.Fatalf("%s %s: the written history differs: %+v", g, f, rep)
			}
			if _, err := replica.WriteHistory(t.Context(), expected(2), g, f, dir, false, nil); !errors.Is(err, originsim.ErrState) {
				t.Fatalf("%s %s: over existing files: %v", g, f, err)
			}
		}
	}
}
