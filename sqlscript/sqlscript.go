// Package sqlscript writes one step of originsim (day 0: the schema and
// baseline; day n: business day n) as a SQL script for a database's own
// client: psql, the mariadb client, sqlcmd, the duckdb shell.
package sqlscript

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// scriptRows bounds the rows of one INSERT statement of a script: small
// enough for any client and server, big enough to load quickly.
const scriptRows = 1000

// Write writes the SQL script of one step for a database's own
// client (psql, the mariadb client, ...): day 0 creates both systems and
// loads the baseline, day n >= 1 plays day n on a database at day n-1.
// Running it leaves what LoadBaseline or ApplyDelta leave, ledger row
// included, so Verify passes and ApplyDelta continues from there.
//
// The step is one transaction. Its first write is the ledger row, which
// fails (a NULL operation) unless the database is where the step starts:
// an empty ledger for day 0; day n-1 of the same seed, scale, start date
// and data version for day n. Same input, same bytes: the script holds no
// clock time. Day 0 is generated in batches, so memory stays flat at any
// scale.
func Write(w io.Writer, d driver.Dialect, sc model.Schemas, cfg gen.Config, day int) error {
	return WriteWith(w, d, sc, cfg, day, "")
}

// WriteWith is Write, then, after the step's commit, the statements that
// switch the database's own change capture c on for the eight tables (""
// for none), as load-baseline --enable-cdc or --change-tracking runs them:
// each does nothing where the capture is on already. A capture the
// dialect has not is a usage error.
func WriteWith(w io.Writer, d driver.Dialect, sc model.Schemas, cfg gen.Config, day int, c driver.Capture) error {
	if err := sc.Validate(); err != nil {
		return fmt.Errorf("%w: %v", originsim.ErrUsage, err)
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("%w: %v", originsim.ErrUsage, err)
	}
	if err := gen.CheckDay(day, 0); err != nil {
		return fmt.Errorf("%w: %w", originsim.ErrUsage, err)
	}
	if err := originsim.HardDeletesApply(cfg, d); err != nil {
		return err
	}
	var capture []string
	if c != "" {
		var tables []driver.SchemaTable
		for _, t := range model.Tables() {
			tables = append(tables, driver.SchemaTable{Schema: sc.Of(t.System), Table: t})
		}
		var ok bool
		if capture, ok = driver.CaptureScript(d, c, tables); !ok {
			return fmt.Errorf("%w: %s has no %s to switch on", originsim.ErrUsage, d.Name(), c)
		}
	}
	var cs *changeset.Changeset
	if day > 0 {
		state, err := gen.Resume(cfg, day-1)
		if err != nil {
			return err
		}
		if cs, err = state.Advance(); err != nil {
			return err
		}
	}
	s := &script{w: bufio.NewWriterSize(w, 1<<16), d: d, syn: driver.Syntax(d), sc: sc}
	s.header(cfg, day)
	for _, q := range s.syn.Session {
		s.stmt(q)
	}
	if day == 0 {
		s.baseline(cfg)
	} else {
		s.begin()
		s.ledger(cfg, day)
		s.changes(cs)
	}
	s.comment("")
	s.stmt(s.syn.Commit)
	if len(capture) > 0 {
		s.comment("")
		s.comment("Switch %s on for the eight tables, after the commit, as load-baseline does (each statement does nothing where it is on):", c)
		for _, q := range capture {
			s.stmt(q)
		}
	}
	if s.err != nil {
		return s.err
	}
	return s.w.Flush()
}

// script writes statements, keeping the first write error: the callers
// stop generating once it is set.
type script struct {
	w   *bufio.Writer
	d   driver.Dialect
	syn driver.ScriptSyntax
	sc  model.Schemas
	err error
}

func (s *script) write(parts ...string) {
	for _, p := range parts {
		if s.err != nil {
			return
		}
		_, s.err = s.w.WriteString(p)
	}
}

func (s *script) stmt(q string) { s.write(q, s.syn.End, "\n") }

// comment writes a comment line; an empty text writes an empty line.
func (s *script) comment(format string, a ...any) {
	if format == "" {
		s.write("\n")
		return
	}
	s.write("-- ", fmt.Sprintf(format, a...), "\n")
}

func (s *script) header(cfg gen.Config, day int) {
	s.comment("originsim %s (ledger format %d, data version %d): %s script", originsim.Version, originsim.LedgerFormat, gen.Version, s.d.Name())
	what := "Day 0: creates both systems and loads the baseline"
	if day > 0 {
		what = fmt.Sprintf("Day %d: plays business day %d", day, day)
	}
	s.comment("%s (%s)", what, cfg.DayDate(day).Format("2006-01-02"))
	s.comment("seed %d, scale %d, start date %s", cfg.Seed, cfg.Scale, cfg.Start.Format("2006-01-02"))
	s.comment("schemas: %s (ERP), %s (CRM)", s.sc.Shop, s.sc.CRM)
	s.comment("")
	if day == 0 {
		s.comment("Run it on a database without these systems' data. Then the script of day 1,")
	} else {
		s.comment("Run it on a database at day %d of the same seed, scale and start date, as", day-1)
		s.comment("originsim or the script of day %d leaves it. Then the script of day %d,", day-1, day+1)
	}
	s.comment("or originsim apply-delta, continues; originsim verify checks the result.")
	s.comment("It is one transaction, and it writes nothing unless the database is where")
	s.comment("it starts: its first write, the ledger row, fails otherwise.")
	if s.syn.DDLCommits && day == 0 {
		s.comment("%s commits around CREATE statements, so the schemas and tables are made", s.d.Name())
		s.comment("before the transaction: a failed run leaves them empty, and running the")
		s.comment("script again completes it.")
	}
	s.comment("")
}

func (s *script) begin() {
	s.comment("")
	s.stmt(s.syn.Begin)
}

// baseline writes Day 0: the schemas and tables, the ledger row and the
// rows, table by table in foreign-key order.
func (s *script) baseline(cfg gen.Config) {
	if !s.syn.DDLCommits {
		s.begin()
	}
	for _, sys := range []model.System{model.Shop, model.CRM} {
		schema := s.sc.Of(sys)
		s.comment("")
		s.stmt(s.d.CreateSchema(schema))
		for _, t := range model.Tables() {
			if t.System == sys {
				s.stmt(s.d.CreateTable(schema, t))
			}
		}
		if sys == model.Shop {
			s.stmt(s.d.CreateTable(schema, originsim.LedgerTable()))
		}
	}
	if s.syn.DDLCommits {
		s.begin()
	}
	s.ledger(cfg, 0)
	for _, t := range model.Tables() {
		n := gen.BaselineCount(cfg, t.ID)
		if n == 0 {
			continue
		}
		s.comment("")
		s.comment("%s.%s: %d rows", s.sc.Of(t.System), t.Name, n)
		for _, sp := range gen.BaselineSpans(cfg, t.ID, originsim.BatchRows) {
			if s.err != nil {
				return
			}
			s.insert(t, gen.BaselineRows(cfg, sp))
		}
	}
}

// changes writes a day's changeset in the order the direct path writes it.
func (s *script) changes(cs *changeset.Changeset) {
	for _, g := range cs.Groups() {
		t := model.Get(g.Table)
		schema := s.sc.Of(t.System)
		for _, st := range g.Steps {
			s.comment("")
			s.comment("%s.%s, %s: %d %s", schema, t.Name, st.Kind, len(st.Rows), st.What)
			if st.Kind == changeset.Insert {
				s.insert(t, st.Rows)
				continue
			}
			_ = driver.Statements(s.d, schema, t, st, func(q string) error {
				s.stmt(q)
				return s.err
			})
		}
	}
}

func (s *script) insert(t *model.Table, rows [][]any) {
	schema := s.sc.Of(t.System)
	for from := 0; from < len(rows) && s.err == nil; from += scriptRows {
		s.stmt(s.d.InsertValues(schema, t, rows[from:min(from+scriptRows, len(rows))]))
	}
}

// ledger writes the step's ledger row, guarded: its operation is NULL, which
// the table refuses, unless the ledger says the database is where the step
// starts.
func (s *script) ledger(cfg gen.Config, day int) {
	op := "load-baseline"
	if day > 0 {
		op = "apply-delta"
	}
	row := originsim.NewLedger(day, op, cfg, s.sc.CRM).Row()
	ledger := originsim.LedgerTable()
	q := func(c string) string { return s.d.Quote(c) }
	lit := func(i int) string { return s.d.Literal(ledger.Columns[i].Kind, row[i]) }
	cond := "COUNT(*) = 0"
	if day > 0 {
		// Every ledger row of a database shares the configuration: reset
		// makes the ledger anew.
		cond = fmt.Sprintf("MAX(%s) = %d AND COUNT(CASE WHEN %s <> %s OR %s <> %s OR %s <> %s OR %s <> %d OR COALESCE(%s, 'soft') <> %s THEN 1 END) = 0",
			q("day"), day-1, q("seed"), lit(5), q("scale"), lit(6), q("start_date"), lit(7), q("data_version"), gen.Version, q("deletes"), lit(9))
	}
	vals := make([]string, len(row))
	for i := range row {
		vals[i] = lit(i)
	}
	vals[1] = fmt.Sprintf("CASE WHEN %s THEN %s END", cond, lit(1))
	cols := make([]string, len(ledger.Columns))
	for i, c := range ledger.Columns {
		cols[i] = q(c.Name)
	}
	table := q(s.sc.Shop) + "." + q(model.LedgerTable)
	s.comment("")
	if day == 0 {
		s.comment("The ledger row: it fails (operation is NULL) unless the ledger is empty.")
	} else {
		s.comment("The ledger row: it fails (operation is NULL) unless the database is at day %d.", day-1)
	}
	s.stmt(fmt.Sprintf("INSERT INTO %s (%s)\nSELECT %s\nFROM %s", table, strings.Join(cols, ", "), strings.Join(vals, ", "), table))
}
