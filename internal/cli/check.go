package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
	"github.com/originsim/originsim/replica"
)

func (a *app) checkCmd() *cobra.Command {
	var f checkFlags
	cmd := &cobra.Command{
		Use:   "check --replica URL|DIR",
		Short: "Prove a pipeline's copy holds exactly the source's day, row by row",
		Long: `Compares a pipeline's copy of the two systems (the replica: what Debezium,
Fivetran, Airbyte, dlt, Auto Loader or your own load made of the source) with
exactly what the source holds on a day, and names what differs: per table the
rows expected and found, and the keys missing, extra, changed (stale) and
duplicated, with up to --examples keys of each and, for a changed row, the
columns that differ (expected vs found). Where the pattern is clear, a
diagnosis says what it looks like ("the copy looks one day behind").

The expected state: by default the source database's (--db, ORIGINSIM_DB,
--profile or ./originsim.yaml, as for every command): its recorded day, seed,
scale, start date and delete mode, read in one read-only transaction; the
source is closed before the replica is read. With --day N no source is
opened: day N straight from the generator, with --seed, --start-date, --scale
and --deletes as for load-baseline, and --shop-schema and --crm-schema for
the source's names.

The replica (--replica) is a database URL (duckdb:PATH, postgres://...,
mysql://..., sqlserver://...) or the path of a folder of files as a lake
lands them: Parquet, CSV or JSON lines, one file per table
(DIR/customers.parquet) or many (DIR/customers/*.parquet, Hive-style
partition folders).

Where the replica keeps the tables: by default in schemas of the source's
names. --replica-shop-schema and --replica-crm-schema name others;
--replica-schema S holds both systems (as most warehouses do).
--table-pattern names each table from {table} (its name, such as customers)
and {schema} (the source's schema, such as jaffle_shop): {schema}_{table},
raw_{table}; letters, digits and underscores, with or without
--replica-schema. Column names match whatever their case. --tables checks
some tables only (a pipeline that copies a few).

Layouts (--layout):
  mirror   (the default) one row per key, as the source has it now. A row the
           source deleted is absent, or present and marked by a delete
           column: _fivetran_deleted, _ab_cdc_deleted_at, _dlt_deleted_at,
           _dlt_deleted, __deleted and _is_deleted are detected,
           --deleted-column names another; the report says which convention
           was used.
  history  an append-only table of row versions (Airbyte append, Debezium or
           Kafka Connect into a table, an Auto Loader bronze layer, daily
           drops read together). --granularity change (the default): every
           change's row image must be there (log-based capture);
           --granularity day: one version per key per day on which it
           changed, as it stood at the end of the day (a poller that syncs
           once a day cannot see the states in between). Versions are
           compared as whole rows: missing, extra (a version the source never
           had); copies of a version (at-least-once delivery) are counted
           apart, and fail only with --no-duplicates. Rows marked deleted
           (a delete column) are delete events, not versions.
  scd2     a slowly changing dimension of type 2: row versions with
           validity ranges, as a dbt snapshot, Databricks' AUTO CDC ...
           STORED AS SCD TYPE 2 or your own merge keeps them. The validity
           columns are found: dbt_valid_from/dbt_valid_to (and
           dbt_is_deleted), __START_AT/__END_AT, valid_from/valid_to (and
           is_deleted), or named with --valid-from-column and
           --valid-to-column (--deleted-column for the deletion flag); an
           open version ends in NULL or in the year 9000 or later.
           dbt_scd_id, dbt_updated_at and is_current are not compared.
           Which history is expected is yours to say:
             --snapshot-days  the days after which the snapshot ran
                              (default every day, 0 to the day checked); a
                              run sees the state at that moment only, so
                              changes between two runs make one version;
             --strategy       timestamp (the default: a version starts at
                              the row's updated_at, every time is known) or
                              check (a version starts at the run's time,
                              which originsim cannot know: the versions,
                              their order and the contiguity of their ranges
                              are compared, not those times);
             --hard-deletes   what the snapshot does with a key the source
                              deleted (--deletes hard): ignore (dbt's
                              default: the version stays open), invalidate
                              (closed at the run) or new_record (closed, and
                              a deletion record opened). A soft delete keeps
                              the row with deleted_at set: an update.
           Versions are matched on the key and updated_at; a version is
           changed when a value or a known bound differs, or it is open
           where it should be closed. Beside that the table's structure is
           checked, with the keys that break each rule: each version ends
           where the next starts (no gap, no overlap), versions in the
           order of their updated_at, no empty range, one
           open version per live key, none for a deleted key where deletes
           are invalidated.

Columns pipelines add are ignored (those starting _fivetran_, _airbyte_,
_ab_, _dlt_, _sdc_ or __, and _rescued_data, _metadata), and those of
--ignore-columns. Values are compared by meaning: decimals as exact cents
whatever their type, timestamps as UTC at the replica's precision (a copy
that keeps coarser timestamps than the source is a warning naming the
precision; --strict makes it a difference), booleans however spelled,
integers stored as text. One cent or one microsecond beyond the precision is
a difference.

Exits 0 when the copy is exactly the day, 1 when it differs, 2 on bad flags,
3 when the source holds no originsim data, 4 when the source or the replica
cannot be reached. With --json, one document on standard output, also on
failure (then with "error" and "exit_code").`,
		Example: `  originsim check --replica "postgres://reader@127.0.0.1:5432/warehouse?sslmode=disable"
  originsim check --replica landing/          # customers.parquet, orders/*.parquet, ... (also .csv, .jsonl)
  originsim check --replica "$WAREHOUSE" --replica-schema raw --table-pattern '{schema}_{table}'
  originsim check --replica duckdb:copy.duckdb --replica-shop-schema shop_raw --replica-crm-schema crm_raw
  originsim check --replica landing/ --day 3 --seed 7   # no source database: the generator's day 3
  originsim check --replica landing/ --tables customers,orders --deleted-column is_removed
  originsim check --replica "$WAREHOUSE" --json | jq '.tables[] | select(.ok | not)'
  originsim check --replica "$WAREHOUSE" --layout scd2 --replica-schema snapshots --tables customers,orders
  originsim check --replica "$WAREHOUSE" --layout scd2 --snapshot-days 0-3,5 --strategy check --hard-deletes invalidate`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runCheck(cmd, &f) },
	}
	f.g.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.replica, "replica", "", "the copy to check: a database URL, or the path of a folder of Parquet, CSV or JSON lines files (required)")
	fl.StringVar(&f.layout, "layout", string(replica.Mirror), "how the replica keeps the rows: "+strings.Join(checkLayouts, ", "))
	fl.StringVar(&f.shopSchema, "replica-shop-schema", "", "the replica's schema of the ERP system (default: the source's name)")
	fl.StringVar(&f.crmSchema, "replica-crm-schema", "", "the replica's schema of the CRM system (default: the source's name)")
	fl.StringVar(&f.schema, "replica-schema", "", "one schema of the replica holding both systems' tables")
	fl.StringVar(&f.pattern, "table-pattern", "", "the replica's table names, from {table} and {schema} (the source's schema), such as {schema}_{table} or raw_{table} (default {table})")
	fl.StringSliceVar(&f.tables, "tables", nil, "check these tables only, comma-separated: "+strings.Join(tableNames(), ", "))
	fl.StringVar(&f.deletedColumn, "deleted-column", "", "the column that marks a deleted row (true, or a timestamp that is set); default: the known conventions, else deleted rows are absent (scd2: the deletion record's flag)")
	fl.StringSliceVar(&f.ignore, "ignore-columns", nil, "more columns to ignore, comma-separated, beside those pipelines add")
	fl.IntVar(&f.examples, "examples", 5, "keys to name per kind of difference and table (0: counts only)")
	fl.StringVar(&f.granularity, "granularity", "", "history: change (every change's row image; the default) or day (the version at the end of each day a key changed)")
	fl.BoolVar(&f.noDuplicates, "no-duplicates", false, "history: copies of a version are a difference, not counted apart")
	fl.BoolVar(&f.strict, "strict", false, "a replica that keeps coarser timestamps than the source differs, instead of a warning")
	fl.IntVar(&f.day, "day", 0, fmt.Sprintf("check against this day of the generator instead of the source database's (0 to %d)", gen.MaxDay))
	f.sn.register(cmd)
	_ = cmd.RegisterFlagCompletionFunc("layout", fixedCompletion(checkLayouts...))
	_ = cmd.RegisterFlagCompletionFunc("tables", fixedCompletion(tableNames()...))
	return cmd
}

// checkFlags are the check command's flags.
type checkFlags struct {
	g                             genFlags
	day                           int
	replica, layout               string
	shopSchema, crmSchema, schema string
	pattern, deletedColumn        string
	tables, ignore                []string
	examples                      int
	strict                        bool
	granularity                   string
	noDuplicates                  bool
	sn                            snapshotFlags
}

// checkLayouts are the layouts check knows, for messages and completion.
var checkLayouts = []string{string(replica.Mirror), string(replica.History), string(replica.SCD2)}

// runCheck reads the expected state, from the source's ledger or the
// generator, compares the replica with it and prints the report.
func (a *app) runCheck(cmd *cobra.Command, f *checkFlags) error {
	opts, err := f.options(cmd)
	if err != nil {
		return err
	}
	if err := f.checkDayFlags(cmd); err != nil {
		return err
	}
	a.color = !a.json && os.Getenv("NO_COLOR") == "" && isTerminal(a.stdout)
	a.barsOn = !a.json && !a.quiet && isTerminal(a.stderr)
	opts.Target = withConnectTimeout(opts.Target, a.connectTimeout)
	opts.Progress = a.printEvent
	want, err := a.expected(cmd, f)
	if err != nil {
		return err
	}
	leanHeap()
	rep, err := replica.Check(cmd.Context(), want, opts)
	a.endBar()
	if err != nil {
		return err
	}
	var failed error
	if !rep.OK {
		failed = checkMismatch(rep)
	}
	return a.printCheck(rep, failed)
}

// leanHeap has the garbage collector keep the heap within half again its
// live size (Go's default lets it double), unless GOGC says otherwise. A
// check holds the generator's state of the tables days change while it
// streams millions of rows past it: at scale 1000 that is about 56 MB
// live, and the default's 115 MB heap beside DuckDB's scratch took the
// peak past 300 MB; the extra collections cost a few per cent of the time
// (BENCHMARKS.md).
func leanHeap() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
}

// expected is the state the replica must hold: the source's recorded day,
// or with --day the generator's.
func (a *app) expected(cmd *cobra.Command, f *checkFlags) (replica.Expected, error) {
	if cmd.Flags().Changed("day") {
		cfg, sc, err := a.generator(cmd, &f.g)
		return replica.Expected{Config: cfg, Day: f.day, Schemas: sc}, err
	}
	var want replica.Expected
	a.readOnly = true
	err := a.withSim(cmd, func(sim *originsim.Simulator) error {
		return sim.Read(cmd.Context(), func(_ context.Context, sn *originsim.Snapshot) error {
			want = replica.Expected{Config: sn.Ledger.Config, Day: sn.Ledger.Day, Schemas: sim.Schemas()}
			return nil
		})
	})
	return want, err
}

// checkMismatch is the error of a replica that differs.
func checkMismatch(rep *replica.Report) error {
	differ := 0
	for _, t := range rep.Tables {
		if !t.OK {
			differ++
		}
	}
	if differ == 0 {
		return fmt.Errorf("%w: the replica differs from day %d (see the report)", originsim.ErrMismatch, rep.Day)
	}
	return fmt.Errorf("%w: the replica differs from day %d in %d of %d tables (see the report)", originsim.ErrMismatch, rep.Day, differ, len(rep.Tables))
}

// options turns the flags into the comparison's options, refusing what
// cannot be meant before anything is opened.
func (f *checkFlags) options(cmd *cobra.Command) (replica.Options, error) {
	var opts replica.Options
	if !cmd.Flags().Changed("replica") {
		return opts, usageError{errors.New("--replica: give the copy to check: a database URL (such as postgres://user@host:5432/warehouse) or the path of a folder of files")}
	}
	if strings.TrimSpace(f.replica) == "" {
		return opts, usageError{errors.New("--replica is empty: give a database URL or the path of a folder of files")}
	}
	opts.Target = f.replica
	if err := checkLayout(f.layout); err != nil {
		return opts, err
	}
	opts.Layout = replica.Layout(f.layout)
	if err := historyFlags(cmd, opts.Layout, f.granularity); err != nil {
		return opts, err
	}
	opts.Granularity, opts.NoDuplicates = replica.Granularity(f.granularity), f.noDuplicates
	var err error
	if opts.Snapshot, err = f.sn.snapshot(cmd, opts.Layout); err != nil {
		return opts, err
	}
	opts.ValidFrom, opts.ValidTo = f.sn.validFrom, f.sn.validTo
	if f.schema != "" && (f.shopSchema != "" || f.crmSchema != "") {
		return opts, usageError{errors.New("--replica-schema puts both systems in one schema: give it, or --replica-shop-schema and --replica-crm-schema, not both")}
	}
	for _, s := range []struct{ flag, name string }{
		{"replica-shop-schema", f.shopSchema}, {"replica-crm-schema", f.crmSchema}, {"replica-schema", f.schema},
	} {
		if !cmd.Flags().Changed(s.flag) {
			continue
		}
		if err := model.ValidateSchemaName(s.name); err != nil {
			return opts, usageError{fmt.Errorf("--%s: %w", s.flag, err)}
		}
	}
	opts.ShopSchema, opts.CRMSchema, opts.Schema = f.shopSchema, f.crmSchema, f.schema
	if cmd.Flags().Changed("table-pattern") {
		if err := checkPattern(f.pattern); err != nil {
			return opts, err
		}
		opts.TablePattern = f.pattern
	}
	for _, name := range []string{"tables", "ignore-columns"} {
		if v, _ := cmd.Flags().GetStringSlice(name); cmd.Flags().Changed(name) && len(v) == 0 {
			return opts, usageError{fmt.Errorf("--%s is empty: give names separated by commas, or leave the flag out", name)}
		}
	}
	if opts.Tables, err = checkTables(f.tables); err != nil {
		return opts, err
	}
	if cmd.Flags().Changed("deleted-column") {
		if !identifierRE.MatchString(f.deletedColumn) {
			return opts, usageError{fmt.Errorf("--deleted-column %q: give a column name: letters, digits and underscores, not starting with a digit", f.deletedColumn)}
		}
		opts.DeletedColumn = f.deletedColumn
	}
	for _, c := range f.ignore {
		c = strings.TrimSpace(c)
		if !identifierRE.MatchString(c) {
			return opts, usageError{fmt.Errorf("--ignore-columns: %q is not a column name: letters, digits and underscores, not starting with a digit, separated by commas", c)}
		}
		opts.IgnoreColumns = append(opts.IgnoreColumns, c)
	}
	if f.examples < 0 {
		return opts, usageError{fmt.Errorf("--examples %d: give 0 (counts only) or more", f.examples)}
	}
	opts.Examples = f.examples
	opts.Strict = f.strict
	return opts, nil
}

// checkDayFlags refuses generator flags without --day (the source's ledger
// says them) and a source named with --day (none is opened then).
func (f *checkFlags) checkDayFlags(cmd *cobra.Command) error {
	fl := cmd.Flags()
	if !fl.Changed("day") {
		for _, name := range []string{"seed", "start-date", "scale", "deletes"} {
			if fl.Changed(name) {
				return usageError{fmt.Errorf("--%s applies to the generator: give --day N too (without --day the source database's ledger says the seed, start date, scale and deletes)", name)}
			}
		}
		return nil
	}
	for _, name := range []string{"db", "profile"} {
		if fl.Changed(name) {
			return usageError{fmt.Errorf("--%s names a source database, but --day takes the expected state from the generator and opens none: give one or the other", name)}
		}
	}
	if err := gen.CheckDay(f.day, 0); err != nil {
		return usageError{fmt.Errorf("--day: %w", err)}
	}
	return nil
}

// historyFlags refuses --granularity and --no-duplicates without the
// history layout, and a granularity that is not change or day.
func historyFlags(cmd *cobra.Command, layout replica.Layout, granularity string) error {
	if layout != replica.History {
		for _, name := range []string{"granularity", "no-duplicates"} {
			if cmd.Flags().Changed(name) {
				return usageError{fmt.Errorf("--%s applies to --layout history", name)}
			}
		}
		return nil
	}
	if granularity != "" && granularity != string(replica.Change) && granularity != string(replica.Day) {
		return usageError{fmt.Errorf("--granularity %q: use change or day", granularity)}
	}
	return nil
}

// checkLayout accepts the layouts check knows.
func checkLayout(layout string) error {
	if slices.Contains(checkLayouts, layout) {
		return nil
	}
	return usageError{fmt.Errorf("--layout %q: the layouts are %s", layout, strings.Join(checkLayouts, ", "))}
}

// identifierRE is a table or column name the replica may hold: the names
// model accepts for schemas.
var identifierRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// placeholderRE finds a pattern's {...} parts.
var placeholderRE = regexp.MustCompile(`\{[^{}]*\}`)

// checkPattern accepts a table pattern that names every table apart:
// {table} in it, {schema} at will, letters, digits and underscores besides.
func checkPattern(pattern string) error {
	if !strings.Contains(pattern, "{table}") {
		return usageError{fmt.Errorf("--table-pattern %q: put {table} in it (the table's name; {schema} is the source's schema), such as {schema}_{table} or raw_{table}", pattern)}
	}
	rest := placeholderRE.ReplaceAllStringFunc(pattern, func(p string) string {
		if p == "{table}" || p == "{schema}" {
			return "x"
		}
		return p
	})
	if !identifierRE.MatchString(rest) {
		return usageError{fmt.Errorf("--table-pattern %q: use {table}, {schema}, letters, digits and underscores, not starting with a digit", pattern)}
	}
	return nil
}

// checkTables reads --tables: names of the eight tables, each once.
func checkTables(list []string) ([]string, error) {
	var out []string
	for _, name := range list {
		name = strings.TrimSpace(name)
		if _, ok := model.ByName(name); !ok {
			return nil, usageError{fmt.Errorf("--tables: %q is not one of the tables: %s", name, strings.Join(tableNames(), ", "))}
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out, nil
}

// tableNames are the eight tables' names, in foreign-key order.
func tableNames() []string {
	var names []string
	for _, t := range model.Tables() {
		names = append(names, t.Name)
	}
	return names
}

// fixedCompletion completes a flag from a fixed list.
func fixedCompletion(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	}
}
