package replica

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// WrittenFile is one file WriteHistory wrote.
type WrittenFile struct {
	Table string `json:"table"` // schema.table as the source names it
	File  string `json:"file"`
	Rows  int64  `json:"rows"`
}

// WriteHistory writes the row versions a history of want must hold, one
// file a table (customers.parquet, ...) in dir, for people who compare
// with their own tools: the rows of each table in key order, a key's
// versions by updated_at. Existing files are refused
// (originsim.ErrState) unless force; files appear only when all are
// written.
func WriteHistory(ctx context.Context, want Expected, g Granularity, format, dir string, force bool, progress func(originsim.Event)) (files []WrittenFile, err error) {
	if g != Change && g != Day {
		return nil, usageErr("granularity %q: use %s or %s", g, Change, Day)
	}
	if progress == nil {
		progress = func(originsim.Event) {}
	}
	shape := func(t *model.Table) *model.Table { return t }
	order := func(t *model.Table) string {
		if t.Col("updated_at") >= 0 {
			return ident(t.Key()) + ", " + ident("updated_at")
		}
		return ident(t.Key())
	}
	files, err = writeTables(ctx, want, format, dir, force, shape, order, func(sc *scratch) error {
		return sc.loadHistory(ctx, want, model.Tables(), g, progress)
	})
	if err == nil {
		progress(originsim.Event{Kind: originsim.Done, Text: fmt.Sprintf("Wrote the %s history of days 0 to %d to %s", g, want.Day, dir)})
	}
	return files, err
}

// SCD2Names are the validity columns WriteSCD2 writes. The zero value is
// dbt's: dbt_valid_from, dbt_valid_to, dbt_is_deleted (with new_record),
// and dbt's dbt_scd_id and dbt_updated_at beside them; names given write
// those columns only.
type SCD2Names struct {
	ValidFrom, ValidTo, Deleted string
}

// WriteSCD2 writes the SCD2 table each of the eight tables' snapshots
// must be after day want.Day, one file a table in dir, as dbt's snapshot
// materialization on PostgreSQL leaves it: the row's columns, then
// dbt_scd_id, dbt_updated_at, dbt_valid_from, dbt_valid_to (NULL for the
// open version) and, with new_record, dbt_is_deleted ('True' or 'False').
// A time that comes from a snapshot's run (the check strategy's, a
// closed delete's, a deletion record's) is RunTime's. Rows are in key
// order, a key's versions by dbt_valid_from. Files are refused and
// written as for WriteHistory.
func WriteSCD2(ctx context.Context, want Expected, sn Snapshot, names SCD2Names, format, dir string, force bool, progress func(originsim.Event)) ([]WrittenFile, error) {
	if err := sn.check(want.Day); err != nil {
		return nil, err
	}
	dbt := names == SCD2Names{}
	if dbt {
		names = SCD2Names{"dbt_valid_from", "dbt_valid_to", "dbt_is_deleted"}
	}
	if names.ValidFrom == "" || names.ValidTo == "" {
		return nil, usageErr("give both validity columns, or neither")
	}
	if names.Deleted == "" {
		names.Deleted = "is_deleted"
	}
	var more []model.Column
	if dbt {
		more = append(more, model.Column{Name: "dbt_scd_id", Kind: model.Text, Size: 32}, model.Column{Name: "dbt_updated_at", Kind: model.Timestamp})
	}
	more = append(more, model.Column{Name: names.ValidFrom, Kind: model.Timestamp}, model.Column{Name: names.ValidTo, Kind: model.Timestamp, Nullable: true})
	if sn.HardDeletes == NewRecord {
		more = append(more, model.Column{Name: names.Deleted, Kind: model.Text, Size: 5})
	}
	for i, c := range more {
		if slices.ContainsFunc(more[:i], func(o model.Column) bool { return strings.EqualFold(o.Name, c.Name) }) {
			return nil, usageErr("column %s named twice: the validity columns and the deletion flag need names of their own", c.Name)
		}
	}
	for _, t := range model.Tables() {
		for _, c := range more {
			if t.Col(strings.ToLower(c.Name)) >= 0 {
				return nil, usageErr("column %s: %s has a column of that name", c.Name, t.Name)
			}
		}
	}
	if progress == nil {
		progress = func(originsim.Event) {}
	}
	shape := func(t *model.Table) *model.Table {
		c := *t
		c.Columns = append(slices.Clone(t.Columns), more...)
		return &c
	}
	// A key's versions never share a start: a run opens one at most.
	order := func(t *model.Table) string { return ident(t.Key()) + ", " + ident(names.ValidFrom) }
	files, err := writeTables(ctx, want, format, dir, force, shape, order, func(sc *scratch) error {
		b, err := sc.newBatcher(ctx, model.Tables(), want.Day, more)
		if err != nil {
			return err
		}
		var all [model.NumTables]bool
		for i := range all {
			all[i] = true
		}
		err = sn.versions(want.Config, want.Schemas, want.Day, all, func(id model.TableID, v *version) error {
			upd := v.from
			if sn.Strategy == Timestamp && !v.deleted {
				upd = v.row[model.Get(id).Col("updated_at")].(time.Time)
			}
			row := slices.Clone(v.row)
			if dbt {
				row = append(row, v.scdID, upd)
			}
			var to any
			if !v.open {
				to = v.to
			}
			row = append(row, v.from, to)
			if sn.HardDeletes == NewRecord {
				row = append(row, map[bool]string{false: "False", true: "True"}[v.deleted])
			}
			return b.add(id, row)
		})
		if err != nil {
			return err
		}
		return b.flushAll()
	})
	if err == nil {
		progress(originsim.Event{Kind: originsim.Done, Text: fmt.Sprintf("Wrote the SCD2 tables of snapshots after days %s (%s strategy, hard deletes %s) to %s",
			sn.DescribeDays(want.Day), sn.Strategy, sn.HardDeletes, dir)})
	}
	return files, err
}

// writeTables writes each of the eight tables to dir in format: load
// fills the scratch tables expectedName(t, want.Day), of shape(t)'s
// columns, and each is written sorted by order(t). Existing files are
// refused (originsim.ErrState) unless force; files are written under
// temporary names and appear only when all are written.
func writeTables(ctx context.Context, want Expected, format, dir string, force bool, shape func(*model.Table) *model.Table, order func(*model.Table) string, load func(*scratch) error) (files []WrittenFile, err error) {
	if format != "csv" && format != "parquet" && format != "jsonl" {
		return nil, usageErr("format %q: use csv, parquet or jsonl", format)
	}
	var exist []string
	for _, t := range model.Tables() {
		if _, err := os.Lstat(filepath.Join(dir, t.Name+"."+format)); err == nil {
			exist = append(exist, t.Name+"."+format)
		}
	}
	if len(exist) > 0 && !force {
		return nil, originsim.NewError(originsim.ErrState, "%s already holds %s: choose another folder, or replace them with %s", dir, strings.Join(exist, ", "), originsim.TermForce)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	sc, err := openScratch(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, sc.close()) }()
	if err := load(sc); err != nil {
		return nil, err
	}
	var tmps []string
	defer func() {
		if err != nil {
			for _, p := range tmps {
				os.Remove(p)
			}
		}
	}()
	for _, t := range model.Tables() {
		final := filepath.Join(dir, t.Name+"."+format)
		tmp := filepath.Join(dir, "."+t.Name+"."+format+".tmp")
		abs, err := filepath.Abs(tmp)
		if err != nil {
			return nil, err
		}
		tmps = append(tmps, tmp)
		rel := ident(expectedName(t, want.Day))
		// Sorted into a table of the same shape, whose stored order COPY
		// keeps: DuckDB's FileCopier writes the export's text forms.
		sorted := *shape(t)
		sorted.Name = "sorted_" + t.Name
		err = sc.exec(ctx, func(tx driver.Tx) error {
			if err := tx.Exec(ctx, fmt.Sprintf("CREATE TABLE %s AS SELECT * FROM %s ORDER BY %s", ident(sorted.Name), rel, order(t))); err != nil {
				return err
			}
			return tx.(driver.FileCopier).CopyTable(ctx, "main", &sorted, abs, format, true)
		})
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", final, err)
		}
		var n int64
		if err := sc.query(ctx, "SELECT count(*) FROM "+rel, []model.Kind{model.Int}, func(v []any) error { n = v[0].(int64); return nil }); err != nil {
			return nil, err
		}
		files = append(files, WrittenFile{Table: want.Schemas.Of(t.System) + "." + t.Name, File: final, Rows: n})
	}
	for i, t := range model.Tables() {
		if err := os.Rename(tmps[i], filepath.Join(dir, t.Name+"."+format)); err != nil {
			return nil, err
		}
	}
	return files, nil
}
