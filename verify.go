package originsim

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/originsim/originsim/check"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// TableReport compares one table with what the generator says it must be.
// Rows, IDRange and Fingerprint are of the generated rows: the user's own
// rows (keys 5000 to 9999, see model.IsCustom) are counted apart.
type TableReport struct {
	Table        string `json:"table"` // schema.table
	Rows         int    `json:"rows"`
	ExpectedRows int    `json:"expected_rows"`
	IDRange      string `json:"id_range"`
	ExpectedIDs  string `json:"expected_id_range"`
	Fingerprint  string `json:"fingerprint"`
	Expected     string `json:"expected_fingerprint"`
	// Differences names rows that differ: +key (unexpected), -key
	// (missing), ~key (changed); at most a few.
	Differences []string `json:"differences,omitempty"`
	// CustomRows are the user's own rows, CustomIDs their first and last
	// keys ("none" without any). Only the rules on keys and references
	// hold them; with VerifyOptions.Strict, any makes the table fail.
	CustomRows int    `json:"custom_rows"`
	CustomIDs  string `json:"custom_id_range"`
	OK         bool   `json:"ok"`
}

// Differs reports whether the generated rows differ from the expected ones
// (as opposed to a strict verify refusing the user's rows).
func (t *TableReport) Differs() bool { return t.Fingerprint != t.Expected }

// Report is the outcome of Verify.
type Report struct {
	Day    int            `json:"day"`
	Date   string         `json:"date"`
	Seed   uint64         `json:"seed"`
	Scale  int            `json:"scale"`
	Tables []TableReport  `json:"tables"`
	Rules  []check.Result `json:"rules"`
	// CustomRows counts the user's own rows in every table; Strict tells
	// whether they made the report fail.
	CustomRows int  `json:"custom_rows"`
	Strict     bool `json:"strict"`
	OK         bool `json:"ok"`
}

// VerifyOptions choose how strict Verify is.
type VerifyOptions struct {
	// Strict fails on any row of the user's own (keys 5000 to 9999):
	// the database must hold the generated day and nothing else.
	Strict bool
}

const maxDifferences = 10

// Verify proves the database holds exactly the recorded day: counts and id
// ranges, every data rule, and each table's content fingerprint equal to
// the generator's. The user's own rows (keys 5000 to 9999) are reported
// apart and held only to the rules on keys and references (a key of theirs
// that points nowhere fails). A mismatch is not an error: read Report.OK.
func (s *Simulator) Verify(ctx context.Context) (*Report, error) {
	return s.VerifyWith(ctx, VerifyOptions{})
}

// VerifyWith is Verify with options: VerifyOptions{Strict: true} also
// fails on the user's own rows.
func (s *Simulator) VerifyWith(ctx context.Context, o VerifyOptions) (*Report, error) {
	var rep *Report
	err := s.run(ctx, func(tx driver.Tx) error {
		f, err := s.loaded(ctx, tx)
		if err != nil {
			return err
		}
		cfg := f.ledger.Config
		got, err := s.read(ctx, tx)
		if err != nil {
			return err
		}
		generated, custom := got.Split()
		if rep, err = compare(cfg, f.ledger.Day, generated, s.schemas); err != nil {
			return err
		}
		rep.Day, rep.Date, rep.Seed, rep.Scale = f.ledger.Day, cfg.DayDate(f.ledger.Day).Format("2006-01-02"), cfg.Seed, cfg.Scale
		rep.custom(custom, o.Strict)
		rep.Rules = check.RulesWith(got, cfg.DayDate(f.ledger.Day+1), check.Options{HardDeletes: cfg.HardDeletes})
		for _, r := range rep.Rules {
			rep.OK = rep.OK && r.OK()
		}
		return nil
	})
	return rep, err
}

// custom reports the user's own rows, table by table; strict fails the
// tables that hold any.
func (rep *Report) custom(custom *model.Dataset, strict bool) {
	rep.Strict = strict
	for _, t := range model.Tables() {
		tr := &rep.Tables[t.ID]
		tr.CustomRows, tr.CustomIDs = custom.Len(t.ID), "none"
		if n := tr.CustomRows; n > 0 {
			tr.CustomIDs = fmt.Sprintf("%d-%d", custom.Row(t.ID, 0)[0].(int64), custom.Row(t.ID, n-1)[0].(int64))
		}
		rep.CustomRows += tr.CustomRows
		if strict && tr.CustomRows > 0 {
			tr.OK, rep.OK = false, false
		}
	}
}

// read loads the eight tables.
func (s *Simulator) read(ctx context.Context, tx driver.Tx) (*model.Dataset, error) {
	d := s.t.Dialect()
	ds := &model.Dataset{}
	for _, t := range model.Tables() {
		schema := s.schemas.Of(t.System)
		err := tx.Query(ctx, d.Select(schema, t), driver.Kinds(t), func(v []any) error { return ds.Append(t.ID, v) })
		if err != nil {
			return nil, fmt.Errorf("read %s.%s: %w", schema, t.Name, err)
		}
	}
	return ds, nil
}

// summary is what the generator says one table holds.
type summary struct {
	hash        *model.Hasher
	first, last int64
}

// compare checks each table of got (the generated rows) against the
// generator's day n, streamed
// (see gen.Expect) so the expected tables are never all in memory; only
// the tables that differ are generated again, to name the rows.
func compare(cfg gen.Config, n int, got *model.Dataset, sc model.Schemas) (*Report, error) {
	var want [model.NumTables]summary
	for _, t := range model.Tables() {
		want[t.ID].hash = model.NewHasher(t)
	}
	err := gen.Expect(cfg, n, func(id model.TableID, row []any) error {
		w := &want[id]
		if w.hash.Rows() == 0 {
			w.first = row[0].(int64)
		}
		w.last = row[0].(int64)
		w.hash.Add(row)
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep := &Report{OK: true}
	var differ []model.TableID
	for _, t := range model.Tables() {
		w := &want[t.ID]
		tr := TableReport{Table: sc.Of(t.System) + "." + t.Name, Rows: got.Len(t.ID), ExpectedRows: int(w.hash.Rows()),
			IDRange: idRange(got, t.ID), ExpectedIDs: "none",
			Fingerprint: got.Fingerprint(t.ID), Expected: w.hash.Sum()}
		if w.hash.Rows() > 0 {
			tr.ExpectedIDs = model.KeyRange(w.first, w.last)
		}
		tr.OK = tr.Fingerprint == tr.Expected
		if !tr.OK {
			differ = append(differ, t.ID)
		}
		rep.OK = rep.OK && tr.OK
		rep.Tables = append(rep.Tables, tr)
	}
	if len(differ) == 0 {
		return rep, nil
	}
	wantRows := &model.Dataset{}
	err = gen.Expect(cfg, n, func(id model.TableID, row []any) error {
		if slices.Contains(differ, id) {
			return wantRows.Append(id, row)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range differ {
		rep.Tables[id].Differences = differences(got, wantRows, model.Get(id))
	}
	return rep, nil
}

func idRange(d *model.Dataset, id model.TableID) string {
	n := d.Len(id)
	if n == 0 {
		return "none"
	}
	return model.KeyRange(d.Row(id, 0)[0].(int64), d.Row(id, n-1)[0].(int64))
}

// differences walks both tables in key order and names the first rows that
// differ.
func differences(got, want *model.Dataset, t *model.Table) []string {
	line := func(row []any) string {
		parts := make([]string, len(row))
		for i, c := range t.Columns {
			parts[i] = model.Canonical(c.Kind, row[i])
		}
		return strings.Join(parts, "\t")
	}
	var out []string
	i, j := 0, 0
	ng, nw := got.Len(t.ID), want.Len(t.ID)
	for (i < ng || j < nw) && len(out) < maxDifferences {
		var g, w []any
		if i < ng {
			g = got.Row(t.ID, i)
		}
		if j < nw {
			w = want.Row(t.ID, j)
		}
		switch {
		case w == nil || (g != nil && g[0].(int64) < w[0].(int64)):
			out = append(out, "+"+strconv.FormatInt(g[0].(int64), 10))
			i++
		case g == nil || w[0].(int64) < g[0].(int64):
			out = append(out, "-"+strconv.FormatInt(w[0].(int64), 10))
			j++
		default:
			if line(g) != line(w) {
				out = append(out, "~"+strconv.FormatInt(g[0].(int64), 10))
			}
			i++
			j++
		}
	}
	return out
}
