package replica

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
	if format != "csv" && format != "parquet" && format != "jsonl" {
		return nil, usageErr("format %q: use csv, parquet or jsonl", format)
	}
	if g != Change && g != Day {
		return nil, usageErr("granularity %q: use %s or %s", g, Change, Day)
	}
	if progress == nil {
		progress = func(originsim.Event) {}
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
	if err := sc.loadHistory(ctx, want, model.Tables(), g, progress); err != nil {
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
		order := ident(t.Key())
		if t.Col("updated_at") >= 0 {
			order += ", " + ident("updated_at")
		}
		// Sorted into a table of the same shape, whose stored order COPY
		// keeps: DuckDB's FileCopier writes the export's text forms.
		sorted := *t
		sorted.Name = "sorted_" + t.Name
		err = sc.exec(ctx, func(tx driver.Tx) error {
			if err := tx.Exec(ctx, fmt.Sprintf("CREATE TABLE %s AS SELECT * FROM %s ORDER BY %s", ident(sorted.Name), rel, order)); err != nil {
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
	progress(originsim.Event{Kind: originsim.Done, Text: fmt.Sprintf("Wrote the %s history of days 0 to %d to %s", g, want.Day, dir)})
	return files, nil
}
