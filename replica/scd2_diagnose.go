package replica

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/originsim/originsim/model"
)

// diagnoseSCD2 says what an SCD2 table's differences look like where the
// pattern is clear: deletes not invalidated, a snapshot that did not run,
// a change written twice, a key closed where it should be open.
func diagnoseSCD2(ctx context.Context, sc *scratch, rep *Report, tables []*model.Table, want Expected, sn Snapshot) ([]string, error) {
	var out []string
	var missing, extra int64
	for _, tr := range rep.Tables {
		if len(tr.Problems) > 0 {
			return nil, nil // a table that could not be compared says why itself
		}
		missing, extra = missing+tr.Missing, extra+tr.Extra
		for _, v := range tr.Violations {
			switch v.ID {
			case "deleted_open":
				out = append(out, fmt.Sprintf("%s: %s still %s an open version: deletes are not invalidated (dbt's default, hard_deletes: ignore, where %s was expected)",
					tr.Table, keysText("deleted key", v), have(v.Count), sn.HardDeletes))
			case "no_open":
				why := "closed by a delete that did not happen, or a key that came back and was not re-opened"
				if sn.HardDeletes == Ignore {
					why = "closed by a delete the snapshot should not act on (with hard deletes ignore, dbt's default, a deleted key's version stays open), or a key that came back and was not re-opened"
				}
				out = append(out, fmt.Sprintf("%s: %s %s no open version where one is expected: %s", tr.Table, keysText("key", v), have(v.Count), why))
			case "order":
				out = append(out, fmt.Sprintf("%s: %s %s versions out of order: a later row image holds an earlier range (ranges ordered by load time, not by updated_at?)",
					tr.Table, keysText("key", v), have(v.Count)))
			case "several_open", "overlap":
				if !slices.ContainsFunc(out, func(l string) bool {
					return strings.HasPrefix(l, tr.Table+": ") && strings.Contains(l, "written twice")
				}) {
					out = append(out, fmt.Sprintf("%s: %s %s versions whose ranges overlap: a change written twice (the snapshot re-run over changes it had, or two runs at once?)",
						tr.Table, keysText("key", v), have(v.Count)))
				}
			}
		}
	}
	if missing == 0 || extra > 0 {
		return out, nil
	}
	skipped, err := skippedRuns(ctx, sc, tables, want, sn)
	if err != nil || len(skipped) == 0 {
		return out, err
	}
	runs := sn.runs(want.Day)
	rest := Snapshot{Days: slices.DeleteFunc(slices.Clone(runs), func(d int) bool { return slices.Contains(skipped, d) })}
	which := "the snapshot after day " + (&Snapshot{Days: skipped}).DescribeDays(want.Day)
	if len(skipped) > 1 {
		which = "the snapshots after days " + (&Snapshot{Days: skipped}).DescribeDays(want.Day)
	}
	seems := "seems not to have run"
	if len(skipped) > 1 {
		seems = "seem not to have run"
	}
	line := fmt.Sprintf("every missing version (%d) is one only %s could see (a row as it stood then and changed before the next run): %s %s", missing, which, which, seems)
	if len(rest.Days) > 0 {
		line += fmt.Sprintf(" (if so, check with --snapshot-days %s)", strings.ReplaceAll(rest.DescribeDays(want.Day), ", ", ","))
	}
	return append(out, line), nil
}

// skippedRuns finds the runs whose versions are exactly the missing ones
// (deletion records aside): for each run that opened a missing version,
// the missing versions it opened must be all it alone could see, those
// the next run closed (or, for the last run, all it opened). Nil when the
// missing versions are not that.
func skippedRuns(ctx context.Context, sc *scratch, tables []*model.Table, want Expected, sn Snapshot) ([]int, error) {
	runs := sn.runs(want.Day)
	var skipped []int
	missingBy, onlyBy := map[int]int64{}, map[int]int64{}
	for _, t := range tables {
		cmp, exp := ident("cmp_"+t.Name), ident(expectedName(t, want.Day))
		q := fmt.Sprintf("SELECT opened, count(*) FROM %s WHERE missing AND NOT del GROUP BY opened", cmp)
		err := sc.query(ctx, q, []model.Kind{model.Int, model.Int}, func(v []any) error {
			missingBy[int(v[0].(int64))] += v[1].(int64)
			return nil
		})
		if err != nil {
			return nil, err
		}
		// The versions only run r saw: closed by the next run (or still
		// open after the last).
		var next []string
		for i, r := range runs {
			closedBy := "originsim_closed IS NULL"
			if i+1 < len(runs) {
				closedBy = fmt.Sprintf("originsim_closed = %d", runs[i+1])
			}
			next = append(next, fmt.Sprintf("(originsim_opened = %d AND %s)", r, closedBy))
		}
		q = fmt.Sprintf("SELECT originsim_opened, count(*) FROM %s WHERE NOT originsim_deleted AND (%s) GROUP BY 1", exp, strings.Join(next, " OR "))
		err = sc.query(ctx, q, []model.Kind{model.Int, model.Int}, func(v []any) error {
			onlyBy[int(v[0].(int64))] += v[1].(int64)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for r, n := range missingBy {
		if n != onlyBy[r] {
			return nil, nil
		}
		skipped = append(skipped, r)
	}
	slices.Sort(skipped)
	return skipped, nil
}

// runs are the days after which the snapshots ran.
func (sn Snapshot) runs(n int) []int {
	if sn.Days != nil {
		return sn.Days
	}
	days := make([]int, n+1)
	for d := range days {
		days[d] = d
	}
	return days
}

// keysText names a violation's keys: "deleted keys 12, 40 and 77", "deleted
// key 12", "deleted keys 3, 7, 12 and 9 more", "14 deleted keys" (none named).
func keysText(noun string, v Violation) string {
	if len(v.Keys) == 0 {
		return fmt.Sprintf("%d %s", v.Count, plural(v.Count, noun, noun+"s"))
	}
	ks := make([]string, len(v.Keys))
	for i, k := range v.Keys {
		ks[i] = fmt.Sprint(k)
	}
	noun = plural(v.Count, noun, noun+"s")
	if more := v.Count - int64(len(ks)); more > 0 {
		return fmt.Sprintf("%s %s and %d more", noun, strings.Join(ks, ", "), more)
	}
	if len(ks) == 1 {
		return noun + " " + ks[0]
	}
	return fmt.Sprintf("%s %s and %s", noun, strings.Join(ks[:len(ks)-1], ", "), ks[len(ks)-1])
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func have(n int64) string { return plural(n, "has", "have") }
