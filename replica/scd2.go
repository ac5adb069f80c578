package replica

import (
	"context"
	"crypto/md5"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/originsim/originsim"

	"github.com/originsim/originsim/feed"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// SCD2: a table of row versions with validity ranges, as a dbt snapshot
// (or any slowly changing dimension of type 2) keeps them.
const SCD2 Layout = "scd2"

// Strategy is how a snapshot tells that a row changed.
type Strategy string

const (
	// Timestamp: a row changed when its updated_at is later than the open
	// version's start; versions start at the row's updated_at, so every
	// time is known.
	Timestamp Strategy = "timestamp"
	// CheckCols: a row changed when any column differs; versions start at
	// the snapshot's run time, which originsim cannot know: the sequence of
	// versions and the contiguity of their ranges are compared, not the
	// times.
	CheckCols Strategy = "check"
)

// HardDeletes is what a snapshot does with a key gone from the source,
// dbt's three behaviours. originsim's soft deletes keep the row (with
// deleted_at set): to a snapshot that is an ordinary update.
type HardDeletes string

const (
	Ignore     HardDeletes = "ignore"     // the key's version stays open
	Invalidate HardDeletes = "invalidate" // closed at the run time
	NewRecord  HardDeletes = "new_record" // closed, and a deletion record opened at the run time
)

// Snapshot says which history an SCD2 table must hold.
type Snapshot struct {
	// Days are the days after which a snapshot ran, ascending; nil: every
	// day from 0 to the day checked. A snapshot sees the state at that
	// moment only: changes between two runs collapse into one.
	Days        []int       `json:"days,omitempty"`
	Strategy    Strategy    `json:"strategy"`
	HardDeletes HardDeletes `json:"hard_deletes"`
}

// version is one expected version of a row. A time a snapshot's run
// gives (unknown to originsim: check does not compare it) has the day of
// the run in fromRun or toRun (-1 when the time is the row's own), and is
// the time RunTime assumes.
type version struct {
	row            []any
	from, to       time.Time
	fromRun, toRun int
	opened, closed int    // the days of the runs that opened and closed it (closed -1: open)
	open, deleted  bool   // deleted: a deletion record (new_record)
	scdID          string // dbt_scd_id as dbt computes it on PostgreSQL
}

// RunTime is the time originsim assumes for the snapshot run after day d,
// where a version's bound is the run's time (the check strategy, closed
// deletes, deletion records): midnight at the end of the day, after every
// change of day d and before any of day d+1. check does not compare such
// times, only their order; expect writes them.
func RunTime(cfg gen.Config, d int) time.Time { return cfg.DayDate(d + 1) }

// versions plays the snapshots of sn over days 0 to n of cfg and calls fn
// with every version each table must hold, closed ones as they close and
// the open ones at the end, for the tables in want (by ID).
func (sn Snapshot) versions(cfg gen.Config, sc model.Schemas, n int, want [model.NumTables]bool, fn func(t model.TableID, v *version) error) error {
	days := sn.Days
	if days == nil {
		for d := 0; d <= n; d++ {
			days = append(days, d)
		}
	}
	open := [model.NumTables]map[int64]*version{}
	for i := range open {
		open[i] = map[int64]*version{}
	}
	// seen is each key's last image since the last run (nil: deleted).
	var seen [model.NumTables]map[int64][]any
	// After each run's day, the run sees what changed since the last.
	runs := func(day int) error {
		for id := range seen {
			for _, key := range slices.Sorted(maps.Keys(seen[id])) {
				if err := sn.run(model.TableID(id), day, RunTime(cfg, day), key, seen[id][key], open[id], fn); err != nil {
					return err
				}
			}
			seen[id] = nil
		}
		return nil
	}
	next, day := 0, 0
	err := feed.Days(cfg, sc, 0, days[len(days)-1], func(ev *feed.Event) error {
		// The first event of a later day: the days before it are over.
		for ; ev.Day > day; day++ {
			if next < len(days) && days[next] == day {
				if err := runs(day); err != nil {
					return err
				}
				next++
			}
		}
		id := ev.Table.ID
		if !want[id] {
			return nil
		}
		if seen[id] == nil {
			seen[id] = map[int64][]any{}
		}
		seen[id][ev.Key] = slices.Clone(ev.After)
		return nil
	})
	if err != nil {
		return err
	}
	for ; next < len(days); next++ {
		if err := runs(days[next]); err != nil {
			return err
		}
	}
	for id := range open {
		for _, key := range slices.Sorted(maps.Keys(open[id])) {
			if err := fn(model.TableID(id), open[id][key]); err != nil {
				return err
			}
		}
	}
	return nil
}

// run applies what the snapshot after day d sees of one key: its row, or
// nil when it is gone.
// at is the run's time (RunTime).
func (sn Snapshot) run(t model.TableID, d int, at time.Time, key int64, row []any, open map[int64]*version, fn func(model.TableID, *version) error) error {
	cur := open[key]
	upd := model.Get(t).Col("updated_at")
	starts := func(row []any, deleted bool) *version {
		v := &version{row: row, from: at, fromRun: d, toRun: -1, opened: d, closed: -1, open: true, deleted: deleted}
		if sn.Strategy == Timestamp && !deleted {
			v.from, v.fromRun = row[upd].(time.Time), -1
		}
		// dbt: md5(key|updated_at), the run's time for the check
		// strategy; a deletion record's, md5(the closed version's id|time).
		id := fmt.Sprint(key)
		if deleted {
			id = cur.scdID
		}
		v.scdID = fmt.Sprintf("%x", md5.Sum([]byte(id+"|"+pgTimestamp(v.from))))
		return v
	}
	closeAt := func(v *version, row []any) error {
		v.open, v.closed = false, d
		if sn.Strategy == Timestamp && row != nil {
			v.to = row[upd].(time.Time)
		} else {
			v.to, v.toRun = at, d
		}
		delete(open, key)
		return fn(t, v)
	}
	switch {
	case row == nil && (cur == nil || cur.deleted || sn.HardDeletes == Ignore):
		return nil
	case row == nil:
		if err := closeAt(cur, nil); err != nil {
			return err
		}
		if sn.HardDeletes == NewRecord {
			open[key] = starts(cur.row, true)
		}
		return nil
	case cur == nil:
		open[key] = starts(row, false)
		return nil
	case cur.deleted || sn.changed(cur, row, upd):
		if err := closeAt(cur, row); err != nil {
			return err
		}
		open[key] = starts(row, false)
	}
	return nil
}

// pgTimestamp is a timestamp as PostgreSQL casts it to text (the
// fraction without trailing zeros), the form dbt hashes.
func pgTimestamp(t time.Time) string {
	s := t.UTC().Format("2006-01-02 15:04:05.000000")
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// changed tells whether the snapshot's strategy sees row as a new
// version of v.
func (sn Snapshot) changed(v *version, row []any, upd int) bool {
	if sn.Strategy == Timestamp {
		return row[upd].(time.Time).After(v.from)
	}
	return fmt.Sprint(v.row) != fmt.Sprint(row)
}

// check validates the snapshot options against the day checked.
func (sn *Snapshot) check(n int) error {
	if sn.Strategy == "" {
		sn.Strategy = Timestamp
	}
	if sn.HardDeletes == "" {
		sn.HardDeletes = Ignore
	}
	if sn.Strategy != Timestamp && sn.Strategy != CheckCols {
		return usageErr("strategy %q: use %s or %s", sn.Strategy, Timestamp, CheckCols)
	}
	if !slices.Contains([]HardDeletes{Ignore, Invalidate, NewRecord}, sn.HardDeletes) {
		return usageErr("hard deletes %q: use %s, %s or %s", sn.HardDeletes, Ignore, Invalidate, NewRecord)
	}
	if sn.Days != nil && len(sn.Days) == 0 {
		return usageErr("no snapshot days: give at least one (nil: every day)")
	}
	for i, d := range sn.Days {
		if d < 0 || d > n {
			return usageErr("snapshot day %d: the snapshots must run after days 0 to %d (the day checked)", d, n)
		}
		if i > 0 && d <= sn.Days[i-1] {
			return usageErr("snapshot days must ascend, each once: %d after %d", d, sn.Days[i-1])
		}
	}
	return nil
}

// The scratch columns an SCD2 comparison adds to a table's own.
var scd2Columns = []model.Column{
	{Name: "originsim_from", Kind: model.Timestamp, Nullable: true},
	{Name: "originsim_to", Kind: model.Timestamp, Nullable: true},
	{Name: "originsim_from_run", Kind: model.Int, Nullable: true},
	{Name: "originsim_to_run", Kind: model.Int, Nullable: true},
	{Name: "originsim_opened", Kind: model.Int},
	{Name: "originsim_closed", Kind: model.Int, Nullable: true},
	{Name: "originsim_open", Kind: model.Bool},
	{Name: "originsim_deleted", Kind: model.Bool},
}

// scd2Conventions are the validity columns looked for, in order: dbt's
// snapshots, Databricks' AUTO CDC ... STORED AS SCD TYPE 2, the generic
// names. The third is the deletion flag, where a convention has one.
var scd2Conventions = [][3]string{
	{"dbt_valid_from", "dbt_valid_to", "dbt_is_deleted"},
	{"__start_at", "__end_at", ""},
	{"valid_from", "valid_to", "is_deleted"},
}

// scd2Meta are the columns an SCD2 table adds that are not compared:
// dbt's own, and the generic current flag (the open version tells it).
var scd2Meta = []string{"dbt_scd_id", "dbt_updated_at", "is_current"}

// loadSCD2 writes the versions of the snapshots of day n into the
// expected tables of the scratch database.
func (sc *scratch) loadSCD2(ctx context.Context, want Expected, tables []*model.Table, sn Snapshot, progress func(originsim.Event)) error {
	var wanted [model.NumTables]bool
	for _, t := range tables {
		wanted[t.ID] = true
	}
	b, err := sc.newBatcher(ctx, tables, want.Day, scd2Columns)
	if err != nil {
		return err
	}
	// A time a run gives is not compared: NULL, with the run's day.
	bound := func(t time.Time, run int) (any, any) {
		if run >= 0 {
			return nil, int64(run)
		}
		if t.IsZero() {
			return nil, nil
		}
		return t, nil
	}
	err = sn.versions(want.Config, want.Schemas, want.Day, wanted, func(id model.TableID, v *version) error {
		from, fromRun := bound(v.from, v.fromRun)
		to, toRun := bound(v.to, v.toRun)
		var closed any
		if v.closed >= 0 {
			closed = int64(v.closed)
		}
		return b.add(id, append(slices.Clone(v.row), from, to, fromRun, toRun, int64(v.opened), closed, v.open, v.deleted))
	})
	if err != nil {
		return err
	}
	if err := b.flushAll(); err != nil {
		return err
	}
	progress(originsim.Event{Kind: originsim.Step, Text: fmt.Sprintf("Generated the versions of snapshots after days %s (%s strategy, hard deletes %s)",
		sn.DescribeDays(want.Day), sn.Strategy, sn.HardDeletes)})
	return nil
}

// DescribeDays renders the days after which the snapshots ran, of a check
// of day n, as ranges: "0-3", "0, 2-5".
func (sn Snapshot) DescribeDays(n int) string {
	days := sn.Days
	if days == nil {
		return fmt.Sprintf("0-%d", n)
	}
	var out []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1] == days[j]+1 {
			j++
		}
		if j == i {
			out = append(out, fmt.Sprint(days[i]))
		} else {
			out = append(out, fmt.Sprintf("%d-%d", days[i], days[j]))
		}
		i = j + 1
	}
	return strings.Join(out, ", ")
}

// scd2Mapping finds the replica's validity columns: those asked for, or
// the first convention it has. The columns found are not compared as
// extras.
func scd2Mapping(have []string, o Options) (from, to, deleted string, problems []string) {
	lower := map[string]string{}
	for _, c := range have {
		lower[strings.ToLower(c)] = c
	}
	switch {
	case o.ValidFrom != "":
		from, to = lower[strings.ToLower(o.ValidFrom)], lower[strings.ToLower(o.ValidTo)]
		if from == "" || to == "" {
			problems = append(problems, fmt.Sprintf("no columns %s and %s (the validity columns asked for)", o.ValidFrom, o.ValidTo))
		}
	default:
		for _, c := range scd2Conventions {
			if lower[c[0]] != "" && lower[c[1]] != "" {
				from, to, deleted = lower[c[0]], lower[c[1]], lower[c[2]]
				break
			}
		}
		if from == "" {
			problems = append(problems, "no validity columns: looked for dbt_valid_from/dbt_valid_to, __START_AT/__END_AT and valid_from/valid_to (or give them)")
		}
	}
	if o.DeletedColumn != "" {
		if deleted = lower[strings.ToLower(o.DeletedColumn)]; deleted == "" {
			problems = append(problems, fmt.Sprintf("no column %s (the deletion flag asked for)", o.DeletedColumn))
		}
	}
	return from, to, deleted, problems
}

// normalizeSCD2 makes the scratch table norm of the replica's versions in
// originsim's columns and terms, with the validity range (a valid_to in
// the year 9000 or later, dbt's dbt_valid_to_current, is open) and the
// deletion flag.
func normalizeSCD2(ctx context.Context, sc *scratch, t *model.Table, from, norm string, m mapping, vf, vt, del string, cols, colTypes []string) error {
	types := map[string]string{}
	for i, c := range cols {
		types[c] = colTypes[i]
	}
	exprs := make([]string, 0, len(t.Columns)+3)
	for i, c := range t.Columns {
		exprs = append(exprs, normalized(c.Kind, ident(m.cols[i]), m.types[i])+" AS "+ident(c.Name))
	}
	to := normalized(model.Timestamp, ident(vt), types[vt])
	exprs = append(exprs, normalized(model.Timestamp, ident(vf), types[vf])+" AS originsim_from",
		fmt.Sprintf("CASE WHEN year(%[1]s) < 9000 THEN %[1]s END AS originsim_to", to))
	if del != "" {
		exprs = append(exprs, "COALESCE("+deletedExpr(ident(del))+", false) AS originsim_deleted")
	} else {
		exprs = append(exprs, "false AS originsim_deleted")
	}
	return sc.run(ctx, fmt.Sprintf("CREATE TABLE %s AS SELECT %s FROM %s", ident(norm+"_all"), strings.Join(exprs, ", "), ident(from)),
		fmt.Sprintf("CREATE TABLE %s AS SELECT * FROM %s WHERE %s IS NULL OR %s NOT BETWEEN %d AND %d",
			ident(norm), ident(norm+"_all"), ident(t.Key()), ident(t.Key()), model.CustomFrom, model.CustomTo))
}

// compareSCD2 matches versions on the key, the row's updated_at and the
// deletion flag (a change always moves updated_at), and flags each pair:
// missing, extra, or changed (another value, or a range bound that
// differs where originsim knows it, or open where it should be closed).
func compareSCD2(ctx context.Context, sc *scratch, t *model.Table, exp, norm, cmp string, units []string) (counts, error) {
	key, upd := ident(t.Key()), ident("updated_at")
	unit := units[t.Col("updated_at")]
	var diff []string
	eCols := make([]string, 0, len(t.Columns)+6)
	for i, c := range t.Columns {
		eCols = append(eCols, expectedValue(c.Kind, ident(c.Name), units[i])+" AS "+ident(c.Name))
		diff = append(diff, fmt.Sprintf("e.%s IS DISTINCT FROM r.%s", ident(c.Name), ident(c.Name)))
	}
	eCols = append(eCols, expectedValue(model.Timestamp, "originsim_from", unit)+" AS originsim_from",
		expectedValue(model.Timestamp, "originsim_to", unit)+" AS originsim_to", "originsim_from_run", "originsim_opened", "originsim_open", "originsim_deleted")
	diff = append(diff, "(e.originsim_from IS NOT NULL AND e.originsim_from IS DISTINCT FROM r.originsim_from)",
		"e.originsim_open <> (r.originsim_to IS NULL)",
		"(NOT e.originsim_open AND e.originsim_to IS NOT NULL AND e.originsim_to IS DISTINCT FROM r.originsim_to)")
	q := fmt.Sprintf(`CREATE TABLE %[1]s AS SELECT COALESCE(e.%[2]s, r.%[2]s) AS k, COALESCE(e.%[3]s, r.%[3]s) AS at,
  COALESCE(e.originsim_deleted, r.originsim_deleted) AS del, e.originsim_from_run AS from_run, e.originsim_opened AS opened,
  e.%[2]s IS NULL AS extra, r.%[2]s IS NULL AS missing, (e.%[2]s IS NOT NULL AND r.%[2]s IS NOT NULL AND (%[4]s)) AS changed
FROM (SELECT %[5]s FROM %[6]s) AS e FULL OUTER JOIN (SELECT DISTINCT * FROM %[7]s WHERE %[2]s IS NOT NULL) AS r
  ON e.%[2]s = r.%[2]s AND e.%[3]s = r.%[3]s AND e.originsim_deleted = r.originsim_deleted`,
		ident(cmp), key, upd, strings.Join(diff, " OR "), strings.Join(eCols, ", "), ident(exp), ident(norm))
	if err := sc.run(ctx, q); err != nil {
		return counts{}, err
	}
	var c counts
	q = fmt.Sprintf(`SELECT (SELECT count(*) FROM %s), (SELECT count(*) FROM (SELECT DISTINCT %s, %s, originsim_deleted FROM %s)),
  count(*) FILTER (WHERE missing), count(*) FILTER (WHERE extra), count(*) FILTER (WHERE changed) FROM %s`,
		ident(norm), key, upd, ident(norm), ident(cmp))
	err := sc.query(ctx, q, []model.Kind{model.Int, model.Int, model.Int, model.Int, model.Int}, func(v []any) error {
		c = counts{v[0].(int64), v[1].(int64), v[2].(int64), v[3].(int64), v[4].(int64)}
		return nil
	})
	return c, err
}

// Violation is a structural rule an SCD2 table breaks, with the keys that
// break it.
type Violation struct {
	ID    string  `json:"id"` // gap, overlap, order, empty, several_open, no_open, deleted_open
	Rule  string  `json:"rule"`
	Count int64   `json:"count"`
	Keys  []int64 `json:"keys,omitempty"`
}

// scd2Rules are the structural rules every SCD2 table obeys, as queries
// giving the keys that break each (over the replica's versions v, ordered
// per key, and the expected open versions x).
var scd2Rules = []struct{ id, name, keys string }{
	{"gap", "a version's end is not the next version's start (a gap)",
		"SELECT k FROM v WHERE t IS NOT NULL AND nf IS NOT NULL AND t < nf"},
	{"overlap", "a version's range overlaps the next one's",
		"SELECT k FROM v WHERE nf IS NOT NULL AND (t IS NULL OR t > nf)"},
	{"order", "a version starts before an earlier one (by updated_at): versions out of order",
		"SELECT k FROM v WHERE nu < u"},
	{"empty", "a version's range is empty",
		"SELECT k FROM v WHERE t IS NOT NULL AND t <= f"},
	{"several_open", "a key has several open versions",
		"SELECT k FROM v WHERE t IS NULL GROUP BY k HAVING count(*) > 1"},
	{"no_open", "a key has no open version where one is expected",
		"SELECT k FROM x WHERE k NOT IN (SELECT k FROM v WHERE t IS NULL)"},
	{"deleted_open", "a deleted key still has an open version (deletes are not invalidated)",
		"SELECT DISTINCT k FROM v WHERE t IS NULL AND k IN (SELECT k FROM e) AND k NOT IN (SELECT k FROM x)"},
}

// violations checks the structural rules on the replica's versions.
func violations(ctx context.Context, sc *scratch, t *model.Table, exp, norm string, n int) ([]Violation, error) {
	key := ident(t.Key())
	with := fmt.Sprintf(`WITH v AS (SELECT %[1]s AS k, originsim_from AS f, originsim_to AS t, %[2]s AS u,
    lead(originsim_from) OVER w AS nf, lead(%[2]s) OVER w AS nu FROM %[3]s WHERE %[1]s IS NOT NULL
    WINDOW w AS (PARTITION BY %[1]s ORDER BY originsim_from, %[2]s, originsim_deleted)),
  e AS (SELECT DISTINCT %[1]s AS k FROM %[4]s),
  x AS (SELECT %[1]s AS k FROM %[4]s WHERE originsim_open) `, key, ident("updated_at"), ident(norm), ident(exp))
	var out []Violation
	for _, r := range scd2Rules {
		vi := Violation{ID: r.id, Rule: r.name}
		q := fmt.Sprintf("%sSELECT count(*) OVER (), k FROM (SELECT DISTINCT k FROM (%s)) ORDER BY k LIMIT %d", with, r.keys, max(n, 1))
		err := sc.query(ctx, q, []model.Kind{model.Int, model.Int}, func(v []any) error {
			vi.Count = v[0].(int64)
			if n > 0 {
				vi.Keys = append(vi.Keys, v[1].(int64))
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if vi.Count > 0 {
			out = append(out, vi)
		}
	}
	return out, nil
}

// checkSCD2 compares one table's versions and checks its structure.
func checkSCD2(ctx context.Context, sc *scratch, t *model.Table, tr *TableReport, exp, norm, cmp string, units []string, o Options) (*TableReport, error) {
	c, err := compareSCD2(ctx, sc, t, exp, norm, cmp, units)
	if err != nil {
		return nil, err
	}
	tr.Found, tr.Missing, tr.Extra, tr.Changed, tr.Duplicates = c.found, c.missing, c.extra, c.changed, c.found-c.keys
	if tr.Violations, err = violations(ctx, sc, t, exp, norm, o.Examples); err != nil {
		return nil, err
	}
	for _, kind := range []struct {
		name  string
		count int64
	}{{"missing", tr.Missing}, {"extra", tr.Extra}, {"changed", tr.Changed}} {
		if kind.count == 0 || o.Examples == 0 {
			continue
		}
		keys, err := keysOf(ctx, sc, cmp, kind.name, o.Examples)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			tr.Examples = append(tr.Examples, Example{Kind: kind.name, Key: k})
		}
	}
	tr.OK = tr.Missing == 0 && tr.Extra == 0 && tr.Changed == 0 && tr.Duplicates == 0 && len(tr.Violations) == 0 && len(tr.Problems) == 0
	return tr, nil
}
