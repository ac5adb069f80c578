package replica

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// Check compares the replica in opts with want. A replica that differs is
// not an error: read Report.OK. Errors are for what stops the comparison:
// bad options (originsim.ErrUsage), a replica that cannot be opened.
func Check(ctx context.Context, want Expected, opts Options) (rep *Report, err error) {
	tables, err := opts.check(want)
	if err != nil {
		return nil, err
	}
	if opts.Progress == nil {
		opts.Progress = func(originsim.Event) {}
	}
	sc, err := openScratch(ctx)
	if err != nil {
		return nil, fmt.Errorf("open a scratch DuckDB: %w", err)
	}
	defer func() { err = errors.Join(err, sc.close()) }()
	src, err := openSource(ctx, sc, opts.Target)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, src.close()) }()
	cfg := want.Config
	rep = &Report{Layout: opts.Layout, Granularity: opts.Granularity, Replica: driver.Redact(opts.Target), Day: want.Day, Seed: cfg.Seed, Scale: cfg.Scale,
		Date: cfg.DayDate(want.Day).Format("2006-01-02"), OK: true}
	opts.Progress(originsim.Event{Kind: originsim.Title, Text: fmt.Sprintf("Checking %s against day %d (%s)...", rep.Replica, want.Day, rep.Date)})
	load := func() error { return sc.loadExpected(ctx, cfg, want.Day, tables, opts.Progress) }
	switch opts.Layout {
	case History:
		load = func() error { return sc.loadHistory(ctx, want, tables, opts.Granularity, opts.Progress) }
	case SCD2:
		rep.Snapshot = &opts.Snapshot
		load = func() error { return sc.loadSCD2(ctx, want, tables, opts.Snapshot, opts.Progress) }
	}
	if err := load(); err != nil {
		return nil, err
	}
	// The generator's state is garbage now, and the comparison runs in
	// DuckDB's memory: hand the Go heap it took back to the system rather
	// than hold both at once.
	debug.FreeOSMemory()
	for _, t := range tables {
		tr, err := checkTable(ctx, sc, src, t, want, opts)
		if err != nil {
			return nil, fmt.Errorf("check %s.%s: %w", want.Schemas.Of(t.System), t.Name, err)
		}
		rep.Tables = append(rep.Tables, *tr)
		rep.OK = rep.OK && tr.OK
		kind := originsim.Step
		if !tr.OK {
			kind = originsim.Note
		}
		opts.Progress(originsim.Event{Kind: kind, Text: fmt.Sprintf("Checked %s: %s", t.Name, verdict(tr, opts.Layout))})
	}
	switch {
	case !rep.OK && opts.Layout == Mirror:
		if rep.Diagnosis, err = diagnose(ctx, sc, rep, tables, want); err != nil {
			return nil, err
		}
	case !rep.OK && opts.Layout == SCD2:
		if rep.Diagnosis, err = diagnoseSCD2(ctx, sc, rep, tables, want, opts.Snapshot); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

func verdict(tr *TableReport, layout Layout) string {
	unit := "rows"
	if layout != Mirror {
		unit = "versions"
	}
	if tr.OK {
		return fmt.Sprintf("%d %s, as expected", tr.Expected, unit)
	}
	if len(tr.Problems) > 0 {
		return strings.Join(tr.Problems, "; ")
	}
	out := fmt.Sprintf("%d missing, %d extra, %d changed, %d duplicates", tr.Missing, tr.Extra, tr.Changed, tr.Duplicates)
	if n := len(tr.Violations); n > 0 {
		out += fmt.Sprintf("; %d structural %s broken", n, plural(int64(n), "rule", "rules"))
	}
	return out
}

// check validates the options and returns the tables to check.
func (o *Options) check(want Expected) ([]*model.Table, error) {
	if o.Target == "" {
		return nil, usageErr("no replica: give a database URL or a folder of files")
	}
	if o.Layout == "" {
		o.Layout = Mirror
	}
	if o.Layout != Mirror && o.Layout != History && o.Layout != SCD2 {
		return nil, usageErr("layout %q: the layouts are %s, %s and %s", o.Layout, Mirror, History, SCD2)
	}
	if o.Layout == SCD2 {
		if err := o.Snapshot.check(want.Day); err != nil {
			return nil, err
		}
	} else if o.Snapshot.Days != nil || o.Snapshot.Strategy != "" || o.Snapshot.HardDeletes != "" {
		return nil, usageErr("snapshot days, a strategy and hard deletes apply to the %s layout", SCD2)
	}
	if (o.ValidFrom == "") != (o.ValidTo == "") {
		return nil, usageErr("give both validity columns, or neither")
	}
	switch {
	case o.Layout == History && o.Granularity == "":
		o.Granularity = Change
	case o.Layout == History && o.Granularity != Change && o.Granularity != Day:
		return nil, usageErr("granularity %q: use %s or %s", o.Granularity, Change, Day)
	case o.Layout == Mirror && (o.Granularity != "" || o.NoDuplicates):
		return nil, usageErr("a granularity and no-duplicates apply to the %s layout", History)
	}
	if o.Examples < 0 {
		return nil, usageErr("examples %d: must be 0 or more", o.Examples)
	}
	if o.TablePattern == "" {
		o.TablePattern = "{table}"
	}
	if !strings.Contains(o.TablePattern, "{table}") {
		return nil, usageErr("table pattern %q: it must hold {table}", o.TablePattern)
	}
	if err := want.Config.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", originsim.ErrUsage, err)
	}
	if err := gen.CheckDay(want.Day, 0); err != nil {
		return nil, fmt.Errorf("%w: %w", originsim.ErrUsage, err)
	}
	if len(o.Tables) == 0 {
		return model.Tables(), nil
	}
	var out []*model.Table
	for _, t := range model.Tables() {
		for _, name := range o.Tables {
			if strings.EqualFold(name, t.Name) {
				out = append(out, t)
			}
		}
	}
	for _, name := range o.Tables {
		if _, ok := model.ByName(strings.ToLower(name)); !ok {
			return nil, usageErr("table %q: originsim's tables are %s", name, tableNames())
		}
	}
	return out, nil
}

func tableNames() string {
	var names []string
	for _, t := range model.Tables() {
		names = append(names, t.Name)
	}
	return strings.Join(names, ", ")
}

func usageErr(format string, a ...any) error {
	return originsim.NewError(originsim.ErrUsage, format, a...)
}

// where names a table in the replica: its schema and its name.
func (o *Options) where(t *model.Table, source model.Schemas) (schema, name string) {
	schema = source.Of(t.System)
	name = strings.ReplaceAll(strings.ReplaceAll(o.TablePattern, "{table}", t.Name), "{schema}", schema)
	switch {
	case o.Schema != "":
		schema = o.Schema
	case t.System == model.Shop && o.ShopSchema != "":
		schema = o.ShopSchema
	case t.System == model.CRM && o.CRMSchema != "":
		schema = o.CRMSchema
	}
	return schema, name
}

// checkTable compares one table.
func checkTable(ctx context.Context, sc *scratch, src source, t *model.Table, want Expected, o Options) (*TableReport, error) {
	tr := &TableReport{Table: want.Schemas.Of(t.System) + "." + t.Name, DeletedBy: "absent"}
	schema, name := o.where(t, want.Schemas)
	exp, raw, norm, cmp := expectedName(t, want.Day), "rep_"+t.Name, "norm_"+t.Name, "cmp_"+t.Name
	if err := sc.query(ctx, "SELECT count(*) FROM "+ident(exp), []model.Kind{model.Int}, func(v []any) error { tr.Expected = v[0].(int64); return nil }); err != nil {
		return nil, err
	}
	where, err := src.stage(ctx, sc, schema, name, raw)
	var nf errNotFound
	if errors.As(err, &nf) {
		tr.Problems = append(tr.Problems, "not in the replica: looked for "+nf.where)
		return tr, nil
	}
	if err != nil {
		return nil, err
	}
	tr.Replica = where
	cols, types, err := columnsOf(ctx, sc, raw)
	if err != nil {
		return nil, err
	}
	if p, ok := src.(interface{ partitions(string) []string }); ok {
		o.IgnoreColumns = append(slices.Clone(o.IgnoreColumns), p.partitions(raw)...)
	}
	var vf, vt, del string
	if o.Layout == SCD2 {
		var problems []string
		if vf, vt, del, problems = scd2Mapping(cols, o); len(problems) > 0 {
			tr.Problems = problems
			return tr, nil
		}
		o.IgnoreColumns = append(slices.Clone(o.IgnoreColumns), append([]string{vf, vt, del}, scd2Meta...)...)
		o.DeletedColumn = ""
		tr.DeletedBy = "versions"
		if del != "" {
			tr.DeletedBy = "versions, " + del
		} else if o.Snapshot.HardDeletes == NewRecord {
			tr.Warnings = append(tr.Warnings, "no deletion flag (dbt_is_deleted, or --deleted-column): a deletion record cannot be told from a version")
		}
	}
	m, problems := mapColumns(t, cols, types, o)
	if o.Layout == SCD2 {
		m.deleted = ""
	}
	if m.deleted != "" {
		tr.DeletedBy = m.deleted
	}
	for _, c := range m.extra {
		tr.Warnings = append(tr.Warnings, "column "+c+" is not originsim's: ignored")
	}
	if len(problems) > 0 {
		tr.Problems = problems
		return tr, nil
	}
	if o.Layout == SCD2 {
		err = normalizeSCD2(ctx, sc, t, raw, norm, m, vf, vt, del, cols, types)
	} else {
		err = normalize(ctx, sc, t, raw, norm, m)
	}
	if err != nil {
		return nil, err
	}
	custom := fmt.Sprintf("SELECT count(*) FROM %s WHERE %s BETWEEN %d AND %d", ident(norm+"_all"), ident(t.Key()), model.CustomFrom, model.CustomTo)
	if err := sc.query(ctx, custom, []model.Kind{model.Int}, func(v []any) error { tr.Custom = v[0].(int64); return nil }); err != nil {
		return nil, err
	}
	units, err := precisions(ctx, sc, t, exp, norm, o, tr)
	if err != nil {
		return nil, err
	}
	switch o.Layout {
	case History:
		return checkHistory(ctx, sc, t, tr, exp, norm, units, o)
	case SCD2:
		return checkSCD2(ctx, sc, t, tr, exp, norm, cmp, units, o)
	}
	c, err := compare(ctx, sc, t, exp, norm, cmp, units)
	if err != nil {
		return nil, err
	}
	tr.Found, tr.Missing, tr.Extra, tr.Changed = c.found, c.missing, c.extra, c.changed
	tr.Duplicates = c.found - c.keys
	if err := examples(ctx, sc, t, tr, exp, norm, cmp, units, o.Examples); err != nil {
		return nil, err
	}
	tr.OK = tr.Missing == 0 && tr.Extra == 0 && tr.Changed == 0 && tr.Duplicates == 0 && len(tr.Problems) == 0
	return tr, nil
}

// checkHistory compares one table's versions.
func checkHistory(ctx context.Context, sc *scratch, t *model.Table, tr *TableReport, exp, norm string, units []string, o Options) (*TableReport, error) {
	c, err := compareHistory(ctx, sc, t, exp, norm, units)
	if err != nil {
		return nil, err
	}
	tr.Found, tr.Missing, tr.Extra, tr.Duplicates = c.found, c.missing, c.extra, c.found-c.keys
	if err := historyExamples(ctx, sc, t, tr, norm, o.Examples); err != nil {
		return nil, err
	}
	if tr.Duplicates > 0 && !o.NoDuplicates {
		tr.Warnings = append(tr.Warnings, fmt.Sprintf("%d rows are copies of a version the replica holds already (at-least-once delivery): counted apart", tr.Duplicates))
	}
	tr.OK = tr.Missing == 0 && tr.Extra == 0 && (tr.Duplicates == 0 || !o.NoDuplicates) && len(tr.Problems) == 0
	return tr, nil
}

// columnsOf lists the columns of a scratch relation, with their types.
func columnsOf(ctx context.Context, sc *scratch, rel string) (cols, types []string, err error) {
	err = sc.query(ctx, "SELECT column_name, column_type FROM (DESCRIBE "+ident(rel)+")", []model.Kind{model.Text, model.Text}, func(v []any) error {
		cols = append(cols, v[0].(string))
		types = append(types, v[1].(string))
		return nil
	})
	return cols, types, err
}

// precisions finds, for each timestamp column, the coarser precision the
// replica keeps it at, if any: a warning, or with Strict a problem.
func precisions(ctx context.Context, sc *scratch, t *model.Table, exp, norm string, o Options, tr *TableReport) ([]string, error) {
	units := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		if c.Kind != model.Timestamp {
			continue
		}
		unit, err := precision(ctx, sc, exp, norm, c.Name)
		if err != nil || unit == "" {
			units[i] = unit
			if err != nil {
				return nil, err
			}
			continue
		}
		msg := fmt.Sprintf("%s keeps timestamps to the %s (the source has microseconds)", c.Name, unit)
		if o.Strict {
			tr.Problems = append(tr.Problems, msg)
			continue
		}
		units[i] = unit
		tr.Warnings = append(tr.Warnings, msg+": compared at that precision")
	}
	return units, nil
}

// examples names up to n keys of each kind of difference.
func examples(ctx context.Context, sc *scratch, t *model.Table, tr *TableReport, exp, norm, cmp string, units []string, n int) error {
	for _, kind := range []struct {
		name, cond string
		count      int64
	}{{"missing", "missing", tr.Missing}, {"extra", "extra", tr.Extra}, {"changed", "changed", tr.Changed}} {
		if kind.count == 0 || n == 0 {
			continue
		}
		keys, err := keysOf(ctx, sc, cmp, kind.cond, n)
		if err != nil {
			return err
		}
		for _, k := range keys {
			ex := Example{Kind: kind.name, Key: k}
			if kind.name == "changed" {
				if ex.Columns, err = changedColumns(ctx, sc, t, exp, norm, units, k); err != nil {
					return err
				}
			}
			tr.Examples = append(tr.Examples, ex)
		}
	}
	if tr.Duplicates > 0 && n > 0 {
		keys, err := duplicateKeys(ctx, sc, t, norm, n)
		if err != nil {
			return err
		}
		for _, k := range keys {
			tr.Examples = append(tr.Examples, Example{Kind: "duplicate", Key: k})
		}
	}
	return nil
}
