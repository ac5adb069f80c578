package replica

import (
	"context"
	"fmt"
	"strings"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/feed"
	"github.com/originsim/originsim/model"
)

// History: an append-only table of row versions (a change log landed as a
// table: Airbyte append, Debezium or Kafka Connect into a table, a bronze
// layer). Each row is one version of a source row.
const History Layout = "history"

// Granularity says which versions a history must hold.
type Granularity string

const (
	// Change: every change's row image (log-based capture sees them all).
	Change Granularity = "change"
	// Day: one version per key per day on which it changed, as it stood at
	// the end of the day (a poller that syncs once after each day cannot
	// see the states in between).
	Day Granularity = "day"
)

// loadHistory writes the row versions of days 0 to n into the expected
// tables of the scratch database: every change's after image, or with
// Day the last image of each key on each day. A row deleted (a hard
// delete) leaves the versions it had.
func (sc *scratch) loadHistory(ctx context.Context, want Expected, tables []*model.Table, g Granularity, progress func(originsim.Event)) error {
	var copies [model.NumTables]*model.Table
	for _, t := range tables {
		c := *t
		c.Name, c.ForeignKeys = expectedName(t, want.Day), nil
		copies[t.ID] = &c
		if err := sc.run(ctx, createPlain(&c)); err != nil {
			return err
		}
	}
	// A day's versions, written when the day is over.
	var batches [model.NumTables][][]any
	// last is, for Day, each key's index in its batch: a later image of
	// the same day replaces it.
	last := map[model.TableID]map[int64]int{}
	day := 0
	flush := func() error {
		for _, t := range tables {
			if rows := batches[t.ID]; len(rows) > 0 {
				if err := sc.exec(ctx, func(tx driver.Tx) error { return tx.Insert(ctx, "main", copies[t.ID], rows) }); err != nil {
					return err
				}
			}
			batches[t.ID] = nil
		}
		clear(last)
		return nil
	}
	err := feed.Days(want.Config, want.Schemas, 0, want.Day, func(ev *feed.Event) error {
		if ev.Day != day {
			if err := flush(); err != nil {
				return err
			}
			day = ev.Day
		}
		id := ev.Table.ID
		if copies[id] == nil || ev.After == nil {
			return nil
		}
		row := append([]any(nil), ev.After...)
		if g == Day && day > 0 {
			if last[id] == nil {
				last[id] = map[int64]int{}
			}
			if i, ok := last[id][ev.Key]; ok {
				batches[id][i] = row
				return nil
			}
			last[id][ev.Key] = len(batches[id])
		}
		batches[id] = append(batches[id], row)
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return err
	}
	progress(originsim.Event{Kind: originsim.Step, Text: fmt.Sprintf("Generated the row versions of days 0 to %d (%s granularity)", want.Day, g)})
	return nil
}

// compareHistory compares the versions: those the replica lacks, those it
// has that the source never had, and copies of a version beyond the
// first. Keys are not unique in a history, so the versions are compared as
// sets of whole rows.
func compareHistory(ctx context.Context, sc *scratch, t *model.Table, exp, norm string, units []string) (counts, error) {
	cols := make([]string, len(t.Columns))
	eCols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = ident(c.Name)
		eCols[i] = expectedValue(c.Kind, ident(c.Name), units[i]) + " AS " + ident(c.Name)
	}
	list := strings.Join(cols, ", ")
	e := fmt.Sprintf("SELECT %s FROM %s", strings.Join(eCols, ", "), ident(exp))
	r := fmt.Sprintf("SELECT %s FROM %s", list, ident(norm))
	stmts := []string{
		fmt.Sprintf("CREATE TABLE %s AS (%s) EXCEPT (%s)", ident("missing_"+t.Name), e, r),
		fmt.Sprintf("CREATE TABLE %s AS (%s) EXCEPT (%s)", ident("extra_"+t.Name), r, e),
	}
	if err := sc.run(ctx, stmts...); err != nil {
		return counts{}, err
	}
	var c counts
	q := fmt.Sprintf(`SELECT (SELECT count(*) FROM %s), (SELECT count(*) FROM (SELECT DISTINCT * FROM %s)),
  (SELECT count(*) FROM %s), (SELECT count(*) FROM %s)`, ident(norm), ident(norm), ident("missing_"+t.Name), ident("extra_"+t.Name))
	err := sc.query(ctx, q, []model.Kind{model.Int, model.Int, model.Int, model.Int}, func(v []any) error {
		c = counts{found: v[0].(int64), keys: v[1].(int64), missing: v[2].(int64), extra: v[3].(int64)}
		return nil
	})
	return c, err
}

// historyExamples names up to n versions missing and extra, by key and
// updated_at, and keys with copies of a version.
func historyExamples(ctx context.Context, sc *scratch, t *model.Table, tr *TableReport, norm string, n int) error {
	at := ""
	if t.Col("updated_at") >= 0 {
		at = ", CAST(" + ident("updated_at") + " AS VARCHAR)"
	}
	for _, kind := range []struct {
		name, rel string
		count     int64
	}{{"missing", "missing_" + t.Name, tr.Missing}, {"extra", "extra_" + t.Name, tr.Extra}} {
		if kind.count == 0 || n == 0 {
			continue
		}
		kinds := []model.Kind{model.Int}
		if at != "" {
			kinds = append(kinds, model.Text)
		}
		q := fmt.Sprintf("SELECT %s%s FROM %s ORDER BY 1, 2 LIMIT %d", ident(t.Key()), at, ident(kind.rel), n)
		if at == "" {
			q = fmt.Sprintf("SELECT %s FROM %s ORDER BY 1 LIMIT %d", ident(t.Key()), ident(kind.rel), n)
		}
		err := sc.query(ctx, q, kinds, func(v []any) error {
			ex := Example{Kind: kind.name, Key: v[0].(int64)}
			if len(v) > 1 {
				d := ColumnDiff{Column: "updated_at", Expected: "-", Found: "-"}
				if kind.name == "missing" {
					d.Expected = show(model.Text, v[1])
				} else {
					d.Found = show(model.Text, v[1])
				}
				ex.Columns = []ColumnDiff{d}
			}
			tr.Examples = append(tr.Examples, ex)
			return nil
		})
		if err != nil {
			return err
		}
	}
	if tr.Duplicates > 0 && n > 0 {
		key := ident(t.Key())
		q := fmt.Sprintf("SELECT DISTINCT %s FROM (SELECT *, count(*) AS originsim_n FROM %s GROUP BY ALL) WHERE originsim_n > 1 ORDER BY 1 LIMIT %d", key, ident(norm), n)
		err := sc.query(ctx, q, []model.Kind{model.Int}, func(v []any) error {
			tr.Examples = append(tr.Examples, Example{Kind: "duplicate", Key: v[0].(int64)})
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
