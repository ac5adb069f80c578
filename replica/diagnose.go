package replica

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// diagnose says what the differences look like where the pattern is
// clear: the copy is a day behind, misses the day's new rows or updates,
// or keeps rows the source deleted.
func diagnose(ctx context.Context, sc *scratch, rep *Report, tables []*model.Table, want Expected) ([]string, error) {
	var missing, extra, changed int64
	for _, tr := range rep.Tables {
		if len(tr.Problems) > 0 {
			return nil, nil // a table that could not be compared says why itself
		}
		missing, extra, changed = missing+tr.Missing, extra+tr.Extra, changed+tr.Changed
	}
	var out []string
	if want.Day >= 1 {
		if err := loadDay(ctx, sc, want, tables); err != nil {
			return nil, err
		}
		inserts, err := outside(ctx, sc, tables, "missing", "'insert'")
		if err != nil {
			return nil, err
		}
		updates, err := outside(ctx, sc, tables, "changed", "'update', 'soft_delete'")
		if err != nil {
			return nil, err
		}
		deletes, err := outside(ctx, sc, tables, "extra", "'delete'")
		if err != nil {
			return nil, err
		}
		d := want.Day
		switch {
		case inserts == 0 && updates == 0 && deletes == 0 && missing+changed+extra > 0:
			out = append(out, fmt.Sprintf("every difference is a change of day %d (%d new rows missing, %d updates missing, %d deleted rows kept): the copy looks one day behind, at day %d", d, missing, changed, extra, d-1))
		default:
			if missing > 0 && inserts == 0 {
				out = append(out, fmt.Sprintf("every missing row (%d) is new on day %d: the copy misses that day's new rows", missing, d))
			}
			if changed > 0 && updates == 0 {
				out = append(out, fmt.Sprintf("all %d changed rows are day-%d updates: the copy misses that day's updates (an incremental load by highest id, or a watermark that passed them?)", changed, d))
			}
		}
	}
	if missing+changed > 0 && !dayBehind(out) {
		apart, err := countAll(ctx, sc, tables, want.Day, notSharingASecond)
		if err != nil {
			return nil, err
		}
		if apart == 0 {
			// The more specific explanation: the lines about the day's
			// updates say less.
			out = slices.DeleteFunc(out, func(l string) bool { return strings.Contains(l, "updates") })
			out = append(out, fmt.Sprintf("every row it misses or holds stale (%d) shares its updated_at second with an earlier row the copy has: rows sharing an updated_at second with the watermark are missing (a watermark kept to the second?)", missing+changed))
		}
	}
	if changed > 0 && !dayBehind(out) && !watermark(out) {
		newer, err := countAll(ctx, sc, tables, want.Day, olderVersions)
		if err != nil {
			return nil, err
		}
		if newer == 0 {
			out = append(out, fmt.Sprintf("the copy holds older versions of all %d changed rows (their updated_at is earlier than the source's): updates are not propagated (an incremental load by highest id?)", changed))
		}
	}
	if dups := duplicates(rep); dups > 0 {
		out = append(out, fmt.Sprintf("%d duplicate rows, second copies of rows the replica holds already: delivered more than once (at-least-once delivery without a key to deduplicate on?)", dups))
	}
	if extra > 0 && want.Config.HardDeletes {
		gone, err := belowMax(ctx, sc, rep, tables, want.Day)
		if err != nil {
			return nil, err
		}
		if gone == extra {
			out = append(out, fmt.Sprintf("every extra row (%d) is a row the source deleted: deletes are not propagated", extra))
		}
	}
	return out, nil
}

// loadDay writes the keys day want.Day changed into the scratch table
// day_changes (tbl, k, kind): kind insert, update, soft_delete or delete.
func loadDay(ctx context.Context, sc *scratch, want Expected, tables []*model.Table) error {
	state, err := gen.Resume(want.Config, want.Day-1)
	if err != nil {
		return err
	}
	cs, err := state.Advance()
	if err != nil {
		return err
	}
	t := &model.Table{ID: -1, Name: "day_changes", Columns: []model.Column{
		{Name: "tbl", Kind: model.Text, Size: 40}, {Name: "k", Kind: model.Int}, {Name: "kind", Kind: model.Text, Size: 20}}}
	if err := sc.run(ctx, createPlain(t)); err != nil {
		return err
	}
	var rows [][]any
	for _, g := range cs.Groups() {
		for _, st := range g.Steps {
			kind := map[changeset.Kind]string{changeset.Insert: "insert", changeset.Update: "update", changeset.SoftDelete: "soft_delete", changeset.Delete: "delete"}[st.Kind]
			for _, r := range st.Rows {
				rows = append(rows, []any{model.Get(g.Table).Name, r[0], kind})
			}
		}
	}
	return sc.exec(ctx, func(tx driver.Tx) error { return tx.Insert(ctx, "main", t, rows) })
}

// outside counts the keys of one kind of difference that are not among
// the day's changes of the given kinds.
func outside(ctx context.Context, sc *scratch, tables []*model.Table, diff, kinds string) (int64, error) {
	var n int64
	for _, t := range tables {
		q := fmt.Sprintf("SELECT count(DISTINCT k) FROM %s WHERE %s AND k NOT IN (SELECT k FROM day_changes WHERE tbl = '%s' AND kind IN (%s))",
			ident("cmp_"+t.Name), diff, t.Name, kinds)
		if err := sc.query(ctx, q, []model.Kind{model.Int}, func(v []any) error { n += v[0].(int64); return nil }); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// belowMax counts the extra keys no greater than the table's largest
// expected key: keys the generator made, and the source deleted since.
func belowMax(ctx context.Context, sc *scratch, rep *Report, tables []*model.Table, day int) (int64, error) {
	var n int64
	for _, t := range tables {
		q := fmt.Sprintf("SELECT count(DISTINCT k) FROM %s WHERE extra AND k <= (SELECT max(%s) FROM %s) AND (k < %d OR k > %d)",
			ident("cmp_"+t.Name), ident(t.Key()), ident(expectedName(t, day)), model.CustomFrom, model.CustomTo)
		if err := sc.query(ctx, q, []model.Kind{model.Int}, func(v []any) error { n += v[0].(int64); return nil }); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func watermark(lines []string) bool {
	return slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, "watermark kept") })
}

func duplicates(rep *Report) int64 {
	var n int64
	for _, tr := range rep.Tables {
		n += tr.Duplicates
	}
	return n
}

func dayBehind(lines []string) bool {
	for _, l := range lines {
		if strings.Contains(l, "one day behind") {
			return true
		}
	}
	return false
}

// olderVersions counts the changed keys whose copy is not older than the
// source's row (updated_at not earlier): 0 when every changed row is a
// stale version.
const olderVersions = `SELECT count(DISTINCT c.k) FROM %[1]s AS c JOIN %[2]s AS e ON e.%[4]s = c.k JOIN %[3]s AS r ON r.%[4]s = c.k
WHERE c.changed AND NOT (r."updated_at" < e."updated_at")`

// notSharingASecond counts the missing or stale keys whose source row does
// not share its updated_at second with an earlier row the copy has.
const notSharingASecond = `SELECT count(DISTINCT c.k) FROM %[1]s AS c JOIN %[2]s AS e ON e.%[4]s = c.k
WHERE (c.missing OR c.changed) AND NOT EXISTS (SELECT 1 FROM %[3]s AS f WHERE f.%[4]s <> e.%[4]s
  AND date_trunc('second', f."updated_at") = date_trunc('second', e."updated_at") AND f."updated_at" <= e."updated_at")`

// countAll sums a count query over the tables that have updated_at; q has
// %[1]s the comparison, %[2]s the expected rows, %[3]s the copy's rows and
// %[4]s the key.
func countAll(ctx context.Context, sc *scratch, tables []*model.Table, day int, q string) (int64, error) {
	var n int64
	for _, t := range tables {
		if t.Col("updated_at") < 0 {
			continue
		}
		query := fmt.Sprintf(q, ident("cmp_"+t.Name), ident(expectedName(t, day)), ident("norm_"+t.Name), ident(t.Key()))
		if err := sc.query(ctx, query, []model.Kind{model.Int}, func(v []any) error { n += v[0].(int64); return nil }); err != nil {
			return 0, err
		}
	}
	return n, nil
}
