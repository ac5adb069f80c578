package originsim

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// BaselineOptions choose what the baseline is. Zero values take the
// defaults: seed 42, start date 2025-01-01, scale 1 (the documented
// contract). For Reset, zero values keep what the ledger recorded.
type BaselineOptions struct {
	Seed  uint64    // random seed; the same seed gives the same data
	Start time.Time // the simulated date of Day 0
	Scale int       // size factor; 1 is the documented contract
	// Adopt takes over tables made by the original dbt package (same names
	// and columns, no ledger): they are dropped and made anew. Anything
	// else in the schemas still stops the operation.
	Adopt bool
	// EnableCDC switches on the database's change data capture for the
	// eight tables once the operation has committed (SQL Server:
	// sys.sp_cdc_enable_db and sys.sp_cdc_enable_table). ChangeTracking
	// switches on change tracking instead. On a target without capture of
	// its own they are a usage error, before anything changes. Reset keeps
	// the capture that was on without them.
	EnableCDC, ChangeTracking bool
	// Deletes is "soft" (the default) or "hard": with hard, a customer who
	// leaves and an order cancelled on a day are deleted (children first)
	// instead of soft-deleted, so log-based CDC sees delete events (see
	// gen.Config.HardDeletes). Not on DuckDB, whose foreign keys refuse a
	// parent deleted in the transaction that deleted its children.
	Deletes string
}

// Config is the generator configuration the options give over base: what
// they set replaces base's (gen.Default() for a new baseline, the ledger's
// for reset).
func (o BaselineOptions) Config(base gen.Config) gen.Config {
	if o.Deletes != "" {
		base.HardDeletes = o.Deletes == "hard"
	}
	if o.Seed != 0 {
		base.Seed = o.Seed
	}
	if !o.Start.IsZero() {
		base.Start = o.Start
	}
	if o.Scale != 0 {
		base.Scale = o.Scale
	}
	return base
}

func (o BaselineOptions) isZero() bool {
	return o.Seed == 0 && o.Start.IsZero() && o.Scale == 0 && o.Deletes == ""
}

// checkDeletes refuses a deletes option that is not soft or hard, and hard
// deletes where they do not apply.
func (s *Simulator) checkDeletes(o BaselineOptions, cfg gen.Config) error {
	if o.Deletes != "" && o.Deletes != "soft" && o.Deletes != "hard" {
		return usageErr("%s %q: use soft or hard", TermDeletes, o.Deletes)
	}
	return HardDeletesApply(cfg, s.t.Dialect())
}

// HardDeletesApply refuses hard deletes where the database cannot play
// them (see driver.Dialect.HardDeletesRefused).
func HardDeletesApply(cfg gen.Config, d driver.Dialect) error {
	if why := d.HardDeletesRefused(); cfg.HardDeletes && why != "" {
		return usageErr("%s hard does not apply to %s; nothing changed", TermDeletes, why)
	}
	return nil
}

// claim decides what an operation that (re)creates the tables may do with
// what the schemas hold when there is no ledger: nothing there is fine; a
// load that never committed (the ledger table exists but is empty, as a
// MySQL crash between its DDL and its commit leaves it) is ours to redo;
// the dbt package's tables are taken over with Adopt; anything else is
// refused, untouched. It returns whether the existing tables must be
// dropped first.
func (s *Simulator) claim(ctx context.Context, tx driver.Tx, f *found, o BaselineOptions) (bool, error) {
	var foreign []string
	for _, sys := range []model.System{model.Shop, model.CRM} {
		for _, name := range sortedNames(f.tables[sys]) {
			foreign = append(foreign, s.schemas.Of(sys)+"."+name)
		}
	}
	switch {
	case len(foreign) == 0:
		return false, nil
	case f.tables[model.Shop][model.LedgerTable] && s.onlyOurs(f):
		if err := s.refuseReferences(ctx, tx, TermLoadBaseline); err != nil {
			return false, err
		}
		s.note("%s holds an empty originsim ledger (a load that never finished): loading again", s.schemas.Shop)
		return true, nil
	case !o.Adopt:
		return false, stateErr("%s already exist without an originsim ledger; originsim does not write into schemas it did not make: drop the tables, choose other names with %s, or take over tables made by the dbt package with %s",
			strings.Join(foreign, ", "), TermSchemas, TermAdopt)
	}
	if !s.onlyOurs(f) {
		return false, stateErr("%s takes over only the dbt package's eight tables; %s also hold other tables: %s", TermAdopt, s.schemas.Shop+" and "+s.schemas.CRM, strings.Join(foreign, ", "))
	}
	for _, t := range model.Tables() {
		if !f.tables[t.System][t.Name] {
			continue
		}
		if err := s.checkShape(ctx, tx, s.schemas.Of(t.System), t); err != nil {
			return false, stateErr("%s: %v: it is not the dbt package's table; nothing changed", TermAdopt, err)
		}
	}
	if err := s.refuseReferences(ctx, tx, TermAdopt); err != nil {
		return false, err
	}
	s.note("Adopting the dbt package's tables in %s and %s", s.schemas.Shop, s.schemas.CRM)
	return true, nil
}

// onlyOurs reports whether every table in the two schemas is one originsim
// makes.
func (s *Simulator) onlyOurs(f *found) bool {
	for sys, names := range f.tables {
		for name := range names {
			if t, ok := model.ByName(name); (!ok || t.System != sys) && !(sys == model.Shop && name == model.LedgerTable) {
				return false
			}
		}
	}
	return true
}

// emptyOurs empties originsim's tables for a reset, once it has checked
// that each is the table originsim made and that no table of the user's
// references them. Where the database can empty tables inside the
// transaction (TRUNCATE on PostgreSQL) they are emptied in place and keep
// what was added to them (grants, indexes, comments, publications); it
// says so with inPlace. Elsewhere they are dropped, to be made anew.
func (s *Simulator) emptyOurs(ctx context.Context, tx driver.Tx, f *found) (inPlace bool, err error) {
	if err := s.checkOurShapes(ctx, tx, f, TermReset); err != nil {
		return false, err
	}
	if err := s.refuseReferences(ctx, tx, TermReset); err != nil {
		return false, err
	}
	d := s.t.Dialect()
	all := len(f.ours(s.schemas)) == model.NumTables && f.ledger != nil && !f.ledger.v1
	var names []string
	for _, t := range model.Tables() {
		names = append(names, d.Table(s.schemas.Of(t.System), t.Name))
	}
	q := d.Truncate(append(names, d.Table(s.schemas.Shop, model.LedgerTable)))
	if !all || q == "" {
		return false, s.dropOurs(ctx, tx, true)
	}
	for _, sc := range []string{s.schemas.Shop, s.schemas.CRM} {
		s.section("Truncating %s tables...", sc)
	}
	if err := tx.Exec(ctx, q); err != nil {
		return false, err
	}
	for _, sc := range []string{s.schemas.Shop, s.schemas.CRM} {
		s.step("Truncated %s tables", sc)
	}
	return true, nil
}

// dropOurs drops originsim's tables of both systems, children first.
func (s *Simulator) dropOurs(ctx context.Context, tx driver.Tx, report bool) error {
	d := s.t.Dialect()
	for _, sys := range []model.System{model.Shop, model.CRM} {
		schema := s.schemas.Of(sys)
		if report {
			s.section("Truncating %s tables...", schema)
		}
		tables := model.Tables()
		for i := len(tables) - 1; i >= 0; i-- { // reverse foreign-key order
			if t := tables[i]; t.System == sys {
				if err := tx.Exec(ctx, d.DropTable(schema, t)); err != nil {
					return err
				}
			}
		}
		if sys == model.Shop {
			if err := tx.Exec(ctx, d.DropTable(schema, ledgerTable)); err != nil {
				return err
			}
		}
		if report {
			s.step("Truncated %s tables", schema)
		}
	}
	return nil
}

func sortedNames(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// LoadBaseline creates both systems and loads Day 0. On a database already
// at Day 0 it does nothing; at a later day it refuses (use Reset). It never
// writes into tables it did not make.
func (s *Simulator) LoadBaseline(ctx context.Context, o BaselineOptions) (*Status, error) {
	cfg := o.Config(gen.Default())
	if err := cfg.Validate(); err != nil {
		return nil, usageErr("%v", err)
	}
	if err := s.checkDeletes(o, cfg); err != nil {
		return nil, err
	}
	if err := s.checkCapture(o.capture()); err != nil {
		return nil, err
	}
	var st *Status
	loaded := false
	err := s.run(ctx, func(tx driver.Tx) error {
		f, err := s.inspect(ctx, tx)
		if err != nil {
			return err
		}
		if l := f.ledger; l != nil {
			if err := l.compatible(); err != nil {
				return err
			}
			if l.Day > 0 {
				return stateErr("%s and %s are at day %d; %s only starts empty systems: run %s to go back to Day 0", s.schemas.Shop, s.schemas.CRM, l.Day, TermLoadBaseline, TermReset)
			}
			if !o.isZero() && o.Config(l.Config) != l.Config {
				return stateErr("%s and %s are already at Day 0 with seed %d, start date %s, scale %d, %s deletes: run %s with the new options to reload",
					s.schemas.Shop, s.schemas.CRM, l.Config.Seed, l.Config.Start.Format("2006-01-02"), l.Config.Scale, l.Deletes, TermReset)
			}
			s.note("%s and %s are already at Day 0: nothing to do (reset reloads it)", s.schemas.Shop, s.schemas.CRM)
			st, err = s.status(ctx, tx, l)
			return err
		}
		drop, err := s.claim(ctx, tx, f, o)
		if err != nil {
			return err
		}
		if drop {
			if err := s.dropOurs(ctx, tx, false); err != nil {
				return err
			}
		}
		st, err = s.load(ctx, tx, cfg, "load-baseline", false)
		loaded = err == nil
		return err
	})
	if err == nil && o.capture() != "" {
		err = s.enableCapture(ctx, st, "load-baseline", o.capture())
	}
	if err == nil && loaded {
		s.done("Baseline load complete!") // only once committed
	}
	return st, err
}

// Reset empties every table of both systems, custom rows included, and
// reloads Day 0, in one transaction. Zero options keep the recorded seed,
// start date and scale. It only touches tables its ledger says it made.
func (s *Simulator) Reset(ctx context.Context, o BaselineOptions) (*Status, error) {
	if err := s.checkCapture(o.capture()); err != nil {
		return nil, err
	}
	// Reset makes the tables anew, and their capture with them: keep what
	// was on.
	captures := []driver.Capture{o.capture()}
	if before, err := s.captureState(ctx); err != nil {
		return nil, err
	} else if before != nil {
		for _, c := range []driver.Capture{driver.CDC, driver.ChangeTracking} {
			if before.On(c) && c != o.capture() {
				captures = append(captures, c)
			}
		}
	}
	var st *Status
	err := s.run(ctx, func(tx driver.Tx) error {
		f, err := s.inspect(ctx, tx)
		if err != nil {
			return err
		}
		cfg := o.Config(gen.Default())
		inPlace := false
		if f.ledger == nil {
			drop, err := s.claim(ctx, tx, f, o)
			if err != nil {
				return err
			}
			if drop {
				if err := s.dropOurs(ctx, tx, true); err != nil {
					return err
				}
			} else {
				s.note("%s and %s hold no originsim data yet: loading the baseline", s.schemas.Shop, s.schemas.CRM)
			}
		} else {
			// Reset is how a database made by an older data version is brought
			// back to this one, so no compatibility check here.
			cfg = o.Config(f.ledger.Config)
			if f.ledger.LedgerFormat > LedgerFormat || f.ledger.DataVersion > gen.Version {
				return f.ledger.compatible()
			}
			s.title("Resetting source databases to baseline...")
			if inPlace, err = s.emptyOurs(ctx, tx, f); err != nil {
				return err
			}
		}
		if err := cfg.Validate(); err != nil {
			return usageErr("%v", err)
		}
		if err := s.checkDeletes(o, cfg); err != nil {
			return err
		}
		st, err = s.load(ctx, tx, cfg, "reset", inPlace)
		return err
	})
	if err == nil {
		err = s.enableCapture(ctx, st, "reset", captures...)
	}
	if err == nil {
		s.done("Baseline load complete!") // only once committed
	}
	return st, err
}

// load creates the schemas and tables, inserts the baseline and its ledger
// row, and returns the status, counted as the rows were written: each
// table's count is checked against what was generated, so the tables need
// no counting. Tables are created in reset's place by dropping and creating
// them: DuckDB cannot delete a referenced row in the transaction that
// deleted the rows referring to it, and a new table also mends any column a
// user altered.
//
// inPlace says the tables exist with their keys, emptied by emptyOurs: the
// rows go into them as they are (unchecked where the session may, see
// driver.TrustedLoader) and no key is added.
func (s *Simulator) load(ctx context.Context, tx driver.Tx, cfg gen.Config, op string, inPlace bool) (*Status, error) {
	s.title("Loading baseline schema and data...")
	d := s.t.Dialect()
	trusted, err := s.trustedLoader(ctx, tx)
	if err != nil {
		return nil, err
	}
	rows := make([]int64, model.NumTables)
	for _, sys := range []model.System{model.Shop, model.CRM} {
		schema := s.schemas.Of(sys)
		s.section("Creating %s tables...", schema)
		if err := tx.Exec(ctx, d.CreateSchema(schema)); err != nil {
			return nil, err
		}
		for _, t := range model.Tables() {
			if t.System == sys {
				if err := tx.Exec(ctx, d.LoadTable(schema, t)); err != nil {
					return nil, err
				}
			}
		}
		if sys == model.Shop {
			if err := tx.Exec(ctx, d.CreateTable(schema, ledgerTable)); err != nil {
				return nil, err
			}
		}
		s.step("Created %s schema", schema)
		s.section("Loading %s seed data...", schema)
		for _, t := range model.Tables() {
			if t.System != sys {
				continue
			}
			load := s.loadTable
			if inPlace {
				load = s.loadInPlace
			}
			n, err := load(ctx, tx, trusted, schema, t, cfg)
			if err != nil {
				return nil, err
			}
			rows[t.ID] = n
			s.step("Loaded %s (%d rows)", t.Name, n)
		}
	}
	switch {
	case inPlace:
	case trusted != nil:
		s.step("Added the keys")
	default:
		if err := s.addKeys(ctx, tx); err != nil {
			return nil, err
		}
	}
	l := NewLedger(0, op, cfg, s.schemas.CRM)
	if err := tx.Insert(ctx, s.schemas.Shop, ledgerTable, [][]any{l.Row()}); err != nil {
		return nil, err
	}
	return s.counted(l, rows), nil
}

// trustedLoader returns tx when the load may add each table's keys as it
// goes, with its rows unchecked (see driver.TrustedLoader), and nil when
// the keys must be added after all the rows: the Tx cannot, the session is
// not allowed to, or the dialect creates the keys with the tables.
func (s *Simulator) trustedLoader(ctx context.Context, tx driver.Tx) (driver.TrustedLoader, error) {
	tl, ok := tx.(driver.TrustedLoader)
	if pk, _ := s.t.Dialect().AfterLoad(s.schemas.Shop, model.Get(model.Customers)); !ok || pk == "" {
		return nil, nil
	}
	may, err := tl.TrustedLoad(ctx)
	if err != nil || !may {
		return nil, err
	}
	return tl, nil
}

// loadTable writes table t's Day 0 and returns its row count. With a
// trusted loader it adds t's foreign keys while t is empty, so the
// database's check of them is instant, copies the rows without checking
// each, then adds t's primary key, which the tables after it reference
// (model.Tables puts parents first). The rows are trusted because the
// generator makes every row satisfy its foreign keys, and verify checks
// the data model's rules; the keys end up as validated as when the
// database checks them after the rows, and are enforced from then on.
func (s *Simulator) loadTable(ctx context.Context, tx driver.Tx, trusted driver.TrustedLoader, schema string, t *model.Table, cfg gen.Config) (int64, error) {
	if trusted == nil {
		return s.stream(ctx, tx, schema, t, cfg)
	}
	primary, foreign := s.t.Dialect().AfterLoad(schema, t)
	if err := addForeignKeys(ctx, tx, foreign); err != nil {
		return 0, err
	}
	var n int64
	copyRows := func() (err error) {
		n, err = s.stream(ctx, tx, schema, t, cfg)
		return err
	}
	var err error
	if len(foreign) == 0 {
		err = copyRows() // nothing to check
	} else {
		err = trusted.Unchecked(ctx, copyRows)
	}
	if err != nil {
		return n, err
	}
	return n, addPrimaryKey(ctx, tx, t, primary)
}

// loadInPlace writes table t's Day 0 into the emptied table, whose keys
// exist: with a trusted loader its foreign keys are not checked row by row
// (the rows satisfy them by construction; verify checks the rules).
func (s *Simulator) loadInPlace(ctx context.Context, tx driver.Tx, trusted driver.TrustedLoader, schema string, t *model.Table, cfg gen.Config) (int64, error) {
	if trusted == nil || len(t.ForeignKeys) == 0 {
		return s.stream(ctx, tx, schema, t, cfg)
	}
	var n int64
	err := trusted.Unchecked(ctx, func() (err error) {
		n, err = s.stream(ctx, tx, schema, t, cfg)
		return err
	})
	return n, err
}

// addKeys adds the keys the dialect leaves out of a load (see
// driver.Dialect.AfterLoad) once all the rows are in: every primary key,
// then the foreign keys, which the database checks against the rows.
func (s *Simulator) addKeys(ctx context.Context, tx driver.Tx) error {
	d := s.t.Dialect()
	var foreign []string
	for _, t := range model.Tables() {
		pk, fks := d.AfterLoad(s.schemas.Of(t.System), t)
		if err := addPrimaryKey(ctx, tx, t, pk); err != nil {
			return err
		}
		foreign = append(foreign, fks...)
	}
	if err := addForeignKeys(ctx, tx, foreign); err != nil {
		return err
	}
	if len(foreign) > 0 {
		s.step("Added the keys")
	}
	return nil
}

// addPrimaryKey runs the statement that adds t's primary key, if any.
func addPrimaryKey(ctx context.Context, tx driver.Tx, t *model.Table, q string) error {
	if q == "" {
		return nil
	}
	if err := tx.Exec(ctx, q); err != nil {
		return fmt.Errorf("primary key of %s: %w", t.Name, err)
	}
	return nil
}

// addForeignKeys runs the statements that add foreign keys.
func addForeignKeys(ctx context.Context, tx driver.Tx, qs []string) error {
	for _, q := range qs {
		if err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("add a foreign key: %w", err)
		}
	}
	return nil
}
