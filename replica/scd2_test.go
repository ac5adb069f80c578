package replica_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/driver/duckdb"
	"github.com/originsim/originsim/driver/postgres"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/simtest"
	"github.com/originsim/originsim/model"
	"github.com/originsim/originsim/replica"
)

// dbtSnapshot runs one dbt snapshot of table src.T into snap.T, in the
// statements dbt's snapshot materialization generates for PostgreSQL
// (dbt-adapters 1.16: snapshots/helpers.sql, strategies.sql, and
// dbt-postgres' snapshot_merge.sql), which DuckDB runs as they are: the
// first run creates the table, later runs build the staging rows
// (insertions, updates, deletes, deletion records) and merge them with
// one UPDATE of dbt_valid_to and one INSERT. now is the run's
// snapshot_get_time().
func dbtSnapshot(ctx context.Context, tx driver.Tx, sch dbtSchemas, tb *model.Table, strategy replica.Strategy, hard replica.HardDeletes, first bool, now time.Time) error {
	key, src, snap := tb.Key(), sch.src+"."+tb.Name, sch.snap+"."+tb.Name
	nowSQL := "TIMESTAMP '" + now.Format("2006-01-02 15:04:05.000000") + "'"
	upd, scd := "updated_at", "md5(coalesce(cast("+key+" as varchar), '') || '|' || coalesce(cast(updated_at as varchar), ''))"
	rowChanged := "(snapshotted_data.dbt_valid_from < source_data.updated_at)"
	if strategy == replica.CheckCols {
		upd = nowSQL
		scd = "md5(coalesce(cast(" + key + " as varchar), '') || '|' || coalesce(cast(" + nowSQL + " as varchar), ''))"
		var terms []string
		for _, c := range tb.ColumnNames() {
			terms = append(terms, fmt.Sprintf(`snapshotted_data."%[1]s" != source_data."%[1]s" or (((snapshotted_data."%[1]s" is null) and not (source_data."%[1]s" is null)) or ((not snapshotted_data."%[1]s" is null) and (source_data."%[1]s" is null)))`, c))
		}
		rowChanged = "(" + strings.Join(terms, " or ") + ")"
	}
	newRecord := hard == replica.NewRecord
	isDel := func(v string) string {
		if newRecord {
			return ", " + v + " as dbt_is_deleted"
		}
		return ""
	}
	if first {
		return tx.Exec(ctx, fmt.Sprintf(`create table %s as (select *, %s as dbt_scd_id, %s as dbt_updated_at, %s as dbt_valid_from,
  coalesce(nullif(%s, %s), null) as dbt_valid_to %s from (select * from %s) sbq)`, snap, scd, upd, upd, upd, upd, isDel("'False'"), src))
	}
	deleted := ""
	if newRecord {
		rowChanged = "(" + rowChanged + " or snapshotted_data.dbt_is_deleted = 'True')"
		deleted = " and not (snapshotted_data.dbt_is_deleted = 'True' and snapshotted_data.dbt_valid_to is null)"
	}
	var snapCols []string
	for _, c := range tb.ColumnNames() {
		snapCols = append(snapCols, `snapshotted_data."`+c+`"`)
	}
	parts := []string{"select * from insertions", "select * from updates"}
	ctes := fmt.Sprintf(`with snapshot_query as (select * from %[1]s),
snapshotted_data as (select *, %[2]s as dbt_unique_key from %[3]s where dbt_valid_to is null),
insertions_source_data as (select *, %[2]s as dbt_unique_key, %[4]s as dbt_updated_at, %[4]s as dbt_valid_from,
  coalesce(nullif(%[4]s, %[4]s), null) as dbt_valid_to, %[5]s as dbt_scd_id from snapshot_query),
updates_source_data as (select *, %[2]s as dbt_unique_key, %[4]s as dbt_updated_at, %[4]s as dbt_valid_from, %[4]s as dbt_valid_to from snapshot_query),
deletes_source_data as (select *, %[2]s as dbt_unique_key from snapshot_query),
insertions as (select 'insert' as dbt_change_type, source_data.* %[7]s from insertions_source_data as source_data
  left outer join snapshotted_data on snapshotted_data.dbt_unique_key = source_data.dbt_unique_key
  where snapshotted_data.dbt_unique_key is null or (snapshotted_data.dbt_unique_key is not null and %[6]s)),
updates as (select 'update' as dbt_change_type, source_data.*, snapshotted_data.dbt_scd_id %[8]s from updates_source_data as source_data
  join snapshotted_data on snapshotted_data.dbt_unique_key = source_data.dbt_unique_key where %[6]s),
deletes as (select 'delete' as dbt_change_type, source_data.*, %[9]s as dbt_valid_from, %[9]s as dbt_updated_at, %[9]s as dbt_valid_to,
  snapshotted_data.dbt_scd_id %[8]s from snapshotted_data left join deletes_source_data as source_data
  on snapshotted_data.dbt_unique_key = source_data.dbt_unique_key where source_data.dbt_unique_key is null %[10]s),
deletion_records as (select 'insert' as dbt_change_type, %[11]s, snapshotted_data.dbt_unique_key as dbt_unique_key,
  %[9]s as dbt_valid_from, %[9]s as dbt_updated_at, snapshotted_data.dbt_valid_to as dbt_valid_to,
  md5(coalesce(cast(snapshotted_data.dbt_scd_id as varchar), '') || '|' || coalesce(cast(%[9]s as varchar), '')) as dbt_scd_id, 'True' as dbt_is_deleted
  from snapshotted_data left join deletes_source_data as source_data on snapshotted_data.dbt_unique_key = source_data.dbt_unique_key
  where source_data.dbt_unique_key is null %[10]s)
`, src, key, snap, upd, scd, rowChanged, isDel("'False'"), isDel("snapshotted_data.dbt_is_deleted"), nowSQL, deleted, strings.Join(snapCols, ", "))
	if hard != replica.Ignore {
		parts = append(parts, "select * from deletes")
	}
	if newRecord {
		parts = append(parts, "select * from deletion_records")
	}
	cols := append(tb.ColumnNames(), "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", "dbt_scd_id")
	if newRecord {
		cols = append(cols, "dbt_is_deleted")
	}
	return errorsOf(
		tx.Exec(ctx, "create temporary table stg as "+ctes+strings.Join(parts, " union all ")),
		tx.Exec(ctx, fmt.Sprintf(`update %[1]s set dbt_valid_to = DBT_INTERNAL_SOURCE.dbt_valid_to from stg as DBT_INTERNAL_SOURCE
  where DBT_INTERNAL_SOURCE.dbt_scd_id::text = %[1]s.dbt_scd_id::text and DBT_INTERNAL_SOURCE.dbt_change_type::text in ('update'::text, 'delete'::text)
  and %[1]s.dbt_valid_to is null`, snap)),
		tx.Exec(ctx, fmt.Sprintf("insert into %s (%s) select %s from stg where dbt_change_type::text = 'insert'::text", snap, strings.Join(cols, ", "), strings.Join(cols, ", "))),
		tx.Exec(ctx, "drop table stg"))
}

func errorsOf(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// dbtSchemas are the schemas of a dbt snapshot test: the source's tables
// and the snapshots'.
type dbtSchemas struct{ src, snap string }

// runAt is a snapshot run's time in the tests of check: any time after
// the day's changes; check never compares it.
func runAt(day int) time.Time { return time.Date(2030, 1, 1, day, 0, 0, 0, time.UTC) }

// snapshotted plays days 0 to last of cfg into a DuckDB file's src schema
// (the day's rows of customers and orders, as the source has them) and
// runs dbt's snapshot after each of the days snap at runAt; it returns
// the file's URL, the replica.
func snapshotted(t *testing.T, cfg gen.Config, last int, snap []int, strategy replica.Strategy, hard replica.HardDeletes) string {
	t.Helper()
	url := "duckdb:" + filepath.Join(t.TempDir(), "dw.duckdb")
	snapshotsIn(t, url, duckdb.Dialect, dbtSchemas{"src", "snap"}, cfg, last, snap, strategy, hard, runAt)
	return url
}

// snapshotsIn is snapshotted in the schemas sch of any database, with
// the runs at now(day).
func snapshotsIn(t *testing.T, url string, d driver.Dialect, sch dbtSchemas, cfg gen.Config, last int, snap []int, strategy replica.Strategy, hard replica.HardDeletes, now func(int) time.Time) {
	t.Helper()
	ctx := t.Context()
	tg, err := driver.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer tg.Close()
	tables := []*model.Table{model.Get(model.Customers), model.Get(model.Orders)}
	err = driver.InTx(ctx, tg, func(tx driver.Tx) error {
		if err := errorsOf(tx.Exec(ctx, d.CreateSchema(sch.src)), tx.Exec(ctx, d.CreateSchema(sch.snap))); err != nil {
			return err
		}
		for _, tb := range tables {
			c := *tb
			c.ForeignKeys = nil
			if err := tx.Exec(ctx, d.CreateTable(sch.src, &c)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for day := 0; day <= last; day++ {
		rows := map[model.TableID][][]any{}
		if err := gen.Expect(cfg, day, func(id model.TableID, row []any) error { rows[id] = append(rows[id], row); return nil }); err != nil {
			t.Fatal(err)
		}
		err := driver.InTx(ctx, tg, func(tx driver.Tx) error {
			for _, tb := range tables {
				if err := tx.Exec(ctx, "delete from "+sch.src+"."+tb.Name); err != nil {
					return err
				}
				if err := tx.Insert(ctx, sch.src, tb, rows[tb.ID]); err != nil {
					return err
				}
				if slices.Contains(snap, day) {
					if err := dbtSnapshot(ctx, tx, sch, tb, strategy, hard, day == snap[0], now(day)); err != nil {
						return fmt.Errorf("snapshot of %s after day %d: %w", tb.Name, day, err)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func scd2Check(t *testing.T, cfg gen.Config, day int, target string, sn replica.Snapshot) *replica.Report {
	t.Helper()
	return mustCheck(t, replica.Expected{Config: cfg, Day: day, Schemas: model.DefaultSchemas},
		replica.Options{Target: target, Layout: replica.SCD2, Snapshot: sn, ShopSchema: "snap", Tables: []string{"customers", "orders"}, Examples: 5})
}

// Snapshots made with dbt's statements, for both strategies and the three
// delete modes, in both of originsim's delete modes, are what check
// expects; the same tables checked for another mode are not.
func TestDBTSnapshotsPass(t *testing.T) {
	for _, hardMode := range []bool{false, true} {
		for _, strategy := range []replica.Strategy{replica.Timestamp, replica.CheckCols} {
			for _, hard := range []replica.HardDeletes{replica.Ignore, replica.Invalidate, replica.NewRecord} {
				name := fmt.Sprintf("hard=%v/%s/%s", hardMode, strategy, hard)
				t.Run(name, func(t *testing.T) {
					cfg := gen.Default()
					cfg.HardDeletes = hardMode
					url := snapshotted(t, cfg, 3, []int{0, 1, 2, 3}, strategy, hard)
					rep := scd2Check(t, cfg, 3, url, replica.Snapshot{Strategy: strategy, HardDeletes: hard})
					if !rep.OK {
						t.Fatalf("a correct snapshot differs: %s", reportText(rep))
					}
				})
			}
		}
	}
}

func reportText(rep *replica.Report) string {
	var b strings.Builder
	for _, tr := range rep.Tables {
		fmt.Fprintf(&b, "\n%s: expected %d found %d missing %d extra %d changed %d dup %d problems %q violations %+v examples %+v",
			tr.Table, tr.Expected, tr.Found, tr.Missing, tr.Extra, tr.Changed, tr.Duplicates, tr.Problems, tr.Violations, tr.Examples)
	}
	return b.String() + fmt.Sprintf("\ndiagnosis %q", rep.Diagnosis)
}

// The faults users report, each found with its keys: deletes never
// invalidated, a snapshot that skipped a day (named as that day), a
// version removed by hand, a closed version re-opened, a live key closed
// (as a key restored and not re-opened is), a change written twice by a
// re-run (overlapping ranges), two versions' ranges swapped.
func TestDBTSnapshotFaults(t *testing.T) {
	ctx := t.Context()
	cfg := gen.Default()
	cfg.HardDeletes = true
	// The customers gone by day 3, found from the source's own days.
	var ever, at3 []int64
	for day := 0; day <= 3; day++ {
		err := gen.Expect(cfg, day, func(id model.TableID, row []any) error {
			if k := row[0].(int64); id == model.Customers && day == 3 {
				at3 = append(at3, k)
			} else if id == model.Customers && !slices.Contains(ever, k) {
				ever = append(ever, k)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	var gone []int64
	for _, k := range ever {
		if !slices.Contains(at3, k) {
			gone = append(gone, k)
		}
	}
	slices.Sort(gone)
	if len(gone) == 0 {
		t.Fatal("no customer is deleted by day 3: the test tests nothing")
	}

	url := snapshotted(t, cfg, 3, []int{0, 1, 2, 3}, replica.Timestamp, replica.Ignore)
	rep := scd2Check(t, cfg, 3, url, replica.Snapshot{HardDeletes: replica.Invalidate})
	cust := rep.Tables[0]
	var v *replica.Violation
	for i := range cust.Violations {
		if strings.Contains(cust.Violations[i].Rule, "deleted key still has an open version") {
			v = &cust.Violations[i]
		}
	}
	if rep.OK || v == nil || v.Count != int64(len(gone)) || !slices.Equal(v.Keys, gone[:min(5, len(gone))]) {
		t.Fatalf("deletes not invalidated: want keys %v named, got %s", gone, reportText(rep))
	}
	named := keyList(gone)
	if len(gone) > 5 {
		named = strings.ReplaceAll(keyList(gone[:5]), " and ", ", ") + fmt.Sprintf(" and %d more", len(gone)-5)
	}
	if !diagnosed(rep, "customers: deleted keys "+named+" still have an open version", "deletes are not invalidated") {
		t.Fatalf("deletes not invalidated: want a diagnosis naming keys %v, got %s", gone, reportText(rep))
	}

	skipped := snapshotted(t, cfg, 3, []int{0, 1, 3}, replica.Timestamp, replica.Invalidate)
	if rep := scd2Check(t, cfg, 3, skipped, replica.Snapshot{Days: []int{0, 1, 3}, HardDeletes: replica.Invalidate}); !rep.OK {
		t.Fatalf("snapshots after days 0, 1 and 3, checked as such, differ: %s", reportText(rep))
	}
	rep = scd2Check(t, cfg, 3, skipped, replica.Snapshot{HardDeletes: replica.Invalidate})
	if rep.OK || rep.Tables[0].Missing == 0 || rep.Tables[0].Extra != 0 || !diagnosed(rep, "only the snapshot after day 2 could see", "--snapshot-days 0-1,3") {
		t.Fatalf("a snapshot that skipped day 2: want versions missing, none extra, and the day named, got %s", reportText(rep))
	}
	for _, tr := range rep.Tables {
		if len(tr.Violations) > 0 {
			t.Fatalf("a snapshot that skipped a day is still well formed: got %s", reportText(rep))
		}
	}

	// By hand: remove one closed version of customer k, re-open another.
	tg, err := driver.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	var removed, reopened, closed, twice, swapped int64
	err = driver.InTx(ctx, tg, func(tx driver.Tx) error {
		// Keys of customers with a closed version, and of live ones with
		// one version only.
		var keys, single []int64
		q := "select customer_id from snap.customers where dbt_valid_to is not null order by customer_id limit 2"
		if err := tx.Query(ctx, q, []model.Kind{model.Int}, func(r []any) error { keys = append(keys, r[0].(int64)); return nil }); err != nil {
			return err
		}
		q = "select customer_id from snap.customers group by customer_id having count(*) = 1 and count(dbt_valid_to) = 0 order by customer_id limit 2"
		if err := tx.Query(ctx, q, []model.Kind{model.Int}, func(r []any) error { single = append(single, r[0].(int64)); return nil }); err != nil {
			return err
		}
		removed, reopened, closed, twice = keys[0], keys[1], single[0], single[1]
		// The two versions of a customer, their ranges swapped.
		q = "select customer_id from snap.customers group by customer_id having count(*) = 2 order by customer_id desc limit 1"
		if err := tx.Query(ctx, q, []model.Kind{model.Int}, func(r []any) error { swapped = r[0].(int64); return nil }); err != nil {
			return err
		}
		return errorsOf(
			tx.Exec(ctx, fmt.Sprintf(`update snap.customers as s set dbt_valid_from = o.dbt_valid_from, dbt_valid_to = o.dbt_valid_to
  from snap.customers as o where s.customer_id = %[1]d and o.customer_id = %[1]d and o.dbt_scd_id <> s.dbt_scd_id`, swapped)),
			tx.Exec(ctx, fmt.Sprintf("delete from snap.customers where customer_id = %d and dbt_valid_to is not null", removed)),
			tx.Exec(ctx, fmt.Sprintf("update snap.customers set dbt_valid_to = null where customer_id = %d", reopened)),
			tx.Exec(ctx, fmt.Sprintf("update snap.customers set dbt_valid_to = TIMESTAMP '2031-01-01 00:00:00' where customer_id = %d", closed)),
			// A re-run that inserted the open version again, a second
			// later, without closing the first: a copy of the version
			// (same updated_at) whose range differs.
			tx.Exec(ctx, fmt.Sprintf(`insert into snap.customers select * replace (dbt_valid_from + interval 1 second as dbt_valid_from)
  from snap.customers where customer_id = %d`, twice)))
	})
	tg.Close()
	if err != nil {
		t.Fatal(err)
	}
	rep = scd2Check(t, cfg, 3, url, replica.Snapshot{})
	cust = rep.Tables[0]
	broken := map[string][]int64{}
	for _, v := range cust.Violations {
		broken[v.ID] = v.Keys
	}
	examples := map[string][]int64{}
	for _, ex := range cust.Examples {
		examples[ex.Kind] = append(examples[ex.Kind], ex.Key)
	}
	both := []int64{min(reopened, twice), max(reopened, twice)}
	if rep.OK || cust.Missing != 1 || !slices.Equal(examples["missing"], []int64{removed}) ||
		cust.Duplicates != 1 || cust.Extra != 0 || !slices.Equal(examples["changed"], sorted(closed, reopened, twice, swapped)) ||
		!slices.Equal(broken["several_open"], both) || !slices.Equal(broken["no_open"], []int64{closed}) ||
		!slices.Equal(broken["overlap"], both) || !slices.Equal(broken["order"], []int64{swapped}) {
		t.Fatalf("version of %d removed, %d re-opened, %d closed, %d written twice, %d's swapped: got %s", removed, reopened, closed, twice, swapped, reportText(rep))
	}
	if !diagnosed(rep, fmt.Sprintf("key %d has no open version where one is expected", closed)) || !diagnosed(rep, keyList(both)+" have versions whose ranges overlap") ||
		!diagnosed(rep, fmt.Sprintf("key %d has versions out of order", swapped)) {
		t.Fatalf("want the closed key and the overlapping ones diagnosed: got %s", reportText(rep))
	}
}

func sorted(keys ...int64) []int64 { slices.Sort(keys); return keys }

// diagnosed tells whether a line of the diagnosis holds every part.
func diagnosed(rep *replica.Report, parts ...string) bool {
	return slices.ContainsFunc(rep.Diagnosis, func(l string) bool {
		for _, p := range parts {
			if !strings.Contains(l, p) {
				return false
			}
		}
		return true
	})
}

// keyList writes keys as the diagnosis names them: "3, 7 and 12".
func keyList(keys []int64) string {
	var s []string
	for _, k := range keys {
		s = append(s, fmt.Sprint(k))
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// expectMatchesDBT writes expect's SCD2 tables for the snapshots of
// days 0-3 and compares customers and orders, every column (dbt_scd_id
// and dbt_updated_at too), row for row with the tables dbt's statements
// made at the run times expect assumes (replica.RunTime) in schema snap
// of url.
func expectMatchesDBT(t *testing.T, url, snap string, cfg gen.Config, sn replica.Snapshot) {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	want := replica.Expected{Config: cfg, Day: 3, Schemas: model.DefaultSchemas}
	if _, err := replica.WriteSCD2(ctx, want, sn, replica.SCD2Names{}, "parquet", dir, false, nil); err != nil {
		t.Fatal(err)
	}
	files, err := driver.Open(ctx, "duckdb:"+filepath.Join(t.TempDir(), "read.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer files.Close()
	dw, err := driver.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer dw.Close()
	for _, tb := range []*model.Table{model.Get(model.Customers), model.Get(model.Orders)} {
		cols := append(tb.ColumnNames(), "dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to")
		var kinds []model.Kind
		for _, c := range tb.Columns {
			kinds = append(kinds, c.Kind)
		}
		kinds = append(kinds, model.Text, model.Timestamp, model.Timestamp, model.Timestamp)
		if sn.HardDeletes == replica.NewRecord {
			cols, kinds = append(cols, "dbt_is_deleted"), append(kinds, model.Text)
		}
		q := "SELECT " + strings.Join(cols, ", ") + " FROM %s ORDER BY " + tb.Key() + ", dbt_valid_from"
		got := rowsOf(t, dw, fmt.Sprintf(q, snap+"."+tb.Name), kinds)
		exp := rowsOf(t, files, fmt.Sprintf(q, "read_parquet('"+filepath.Join(dir, tb.Name+".parquet")+"')"), kinds)
		if len(got) != len(exp) {
			t.Fatalf("%s: dbt made %d versions, expect wrote %d", tb.Name, len(got), len(exp))
		}
		for i := range got {
			if got[i] != exp[i] {
				t.Fatalf("%s, version %d:\n dbt:    %s\n expect: %s", tb.Name, i, got[i], exp[i])
			}
		}
	}
}

// rowsOf reads a query's rows, each rendered whole.
func rowsOf(t *testing.T, tg driver.Target, q string, kinds []model.Kind) []string {
	t.Helper()
	var out []string
	err := driver.InTx(t.Context(), tg, func(tx driver.Tx) error {
		return tx.Query(t.Context(), q, kinds, func(row []any) error {
			for i, v := range row {
				if ts, ok := v.(time.Time); ok {
					row[i] = ts.UTC().Format("2006-01-02 15:04:05.000000")
				}
			}
			out = append(out, fmt.Sprint(row))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// expect --layout scd2 writes exactly the tables dbt's statements make,
// for both strategies and the three delete modes, when the runs happen at
// the times it assumes.
func TestExpectSCD2IsDBTSnapshot(t *testing.T) {
	cfg := gen.Default()
	cfg.HardDeletes = true
	for _, strategy := range []replica.Strategy{replica.Timestamp, replica.CheckCols} {
		for _, hard := range []replica.HardDeletes{replica.Ignore, replica.Invalidate, replica.NewRecord} {
			t.Run(fmt.Sprintf("%s/%s", strategy, hard), func(t *testing.T) {
				url := "duckdb:" + filepath.Join(t.TempDir(), "dw.duckdb")
				runs := func(d int) time.Time { return replica.RunTime(cfg, d) }
				snapshotsIn(t, url, duckdb.Dialect, dbtSchemas{"src", "snap"}, cfg, 3, []int{0, 1, 2, 3}, strategy, hard, runs)
				expectMatchesDBT(t, url, "snap", cfg, replica.Snapshot{Strategy: strategy, HardDeletes: hard})
			})
		}
	}
}

// On PostgreSQL, the database dbt's statements were written for: the
// snapshots of both strategies and the three delete modes pass check
// and are, column for column, what expect writes; a snapshot that
// skipped day 2 is named as such.
func TestDBTSnapshotsOnPostgres(t *testing.T) {
	pgURL := simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL")
	cfg := gen.Default()
	cfg.HardDeletes = true
	runs := func(d int) time.Time { return replica.RunTime(cfg, d) }
	check := func(t *testing.T, snap string, sn replica.Snapshot) *replica.Report {
		return mustCheck(t, replica.Expected{Config: cfg, Day: 3, Schemas: model.DefaultSchemas},
			replica.Options{Target: pgURL, Layout: replica.SCD2, Snapshot: sn, ShopSchema: snap, Tables: []string{"customers", "orders"}, Examples: 5})
	}
	for _, strategy := range []replica.Strategy{replica.Timestamp, replica.CheckCols} {
		for _, hard := range []replica.HardDeletes{replica.Ignore, replica.Invalidate, replica.NewRecord} {
			t.Run(fmt.Sprintf("%s/%s", strategy, hard), func(t *testing.T) {
				sch := simtest.NewSchemas(t, pgURL)
				snapshotsIn(t, pgURL, postgres.Dialect, dbtSchemas{sch.Shop, sch.CRM}, cfg, 3, []int{0, 1, 2, 3}, strategy, hard, runs)
				sn := replica.Snapshot{Strategy: strategy, HardDeletes: hard}
				if rep := check(t, sch.CRM, sn); !rep.OK {
					t.Fatalf("a correct snapshot differs: %s", reportText(rep))
				}
				expectMatchesDBT(t, pgURL, sch.CRM, cfg, sn)
			})
		}
	}
	t.Run("skipped day", func(t *testing.T) {
		sch := simtest.NewSchemas(t, pgURL)
		snapshotsIn(t, pgURL, postgres.Dialect, dbtSchemas{sch.Shop, sch.CRM}, cfg, 3, []int{0, 1, 3}, replica.CheckCols, replica.NewRecord, runs)
		sn := replica.Snapshot{Strategy: replica.CheckCols, HardDeletes: replica.NewRecord}
		if rep := check(t, sch.CRM, sn); rep.OK || !diagnosed(rep, "only the snapshot after day 2 could see", "--snapshot-days 0-1,3") {
			t.Fatalf("a snapshot that skipped day 2: want it named, got %s", reportText(rep))
		}
		sn.Days = []int{0, 1, 3}
		if rep := check(t, sch.CRM, sn); !rep.OK {
			t.Fatalf("snapshots after days 0, 1 and 3, checked as such, differ: %s", reportText(rep))
		}
	})
}
