package cli

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim/export"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/replica"
)

func (a *app) expectCmd() *cobra.Command {
	var f expectFlags
	cmd := &cobra.Command{
		Use:   "expect --day N --out DIR",
		Short: "Write the answer key: what a pipeline's copy must hold on day N, as files",
		Long: `Writes what a correct copy of the two systems holds on day N, one file per
table, for comparing with your own tools (dbt tests, Great Expectations,
data-diff, a SQL EXCEPT) instead of check. No database is opened: the rows
come straight from the generator, with --seed, --start-date, --scale and
--deletes as for load-baseline (and ./originsim.yaml).

Layouts (--layout):
  mirror  (the default) one row per key as the source has it on day N: the
          same files export --day N writes (customers.csv, orders.parquet,
          ...), byte for byte in CSV and JSON lines. A row the source
          soft-deleted is there with deleted_at set; with --deletes hard a
          deleted row is absent.
  history the row versions a history must hold after day N (see check
          --help): with --granularity change (the default) every change's row
          image, with --granularity day the version of each key at the end
          of each day it changed; each table's rows in key order, a key's
          versions by updated_at.
  scd2    the table of versions a snapshot of each table must be after day
          N (see check --help): for --snapshot-days (default every day, 0 to
          N), --strategy timestamp or check and --hard-deletes ignore,
          invalidate or new_record, as dbt's snapshot materialization on
          PostgreSQL leaves it: the row's columns, then dbt_scd_id,
          dbt_updated_at, dbt_valid_from, dbt_valid_to (empty for the open
          version) and, with new_record, dbt_is_deleted ('True' or 'False').
          --valid-from-column and --valid-to-column write those names instead
          (and --deleted-column the deletion flag's, default is_deleted),
          without dbt's own columns. A time that comes from a snapshot's run
          (the check strategy's versions, a closed delete, a deletion record)
          is the run's assumed time, midnight at the end of its day: check
          never compares those times, only their order. Rows in key order,
          a key's versions by their start.

Formats (--format): csv (the default), parquet, jsonl; the text forms are
export's (see export --help). Files of the same names are refused (exit 3)
unless --force; the files are written under temporary names and renamed
when all are done, so a failed run leaves none. With --json the report lists
each file, its rows and its fingerprint.`,
		Example: `  originsim expect --day 3 --out expected
  originsim expect --day 3 --format parquet --out expected --force
  originsim expect --day 30 --scale 100 --seed 7 --format jsonl --out expected/day30
  originsim expect --day 1 --deletes hard --shop-schema shop_db --crm-schema crm_db --out expected
  originsim expect --day 5 --layout scd2 --snapshot-days 0-3,5 --deletes hard --hard-deletes invalidate --out snapshots`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runExpect(cmd, &f) },
	}
	f.g.register(cmd)
	fl := cmd.Flags()
	fl.IntVar(&f.day, "day", 0, fmt.Sprintf("the day the copy must hold: 0 (the baseline) to %d (required)", gen.MaxDay))
	fl.StringVar(&f.layout, "layout", string(replica.Mirror), "how the copy keeps the rows: "+strings.Join(checkLayouts, ", "))
	fl.StringVar(&f.format, "format", string(export.CSV), "csv, parquet or jsonl")
	fl.StringVar(&f.out, "out", "", "folder to write the files into (made if needed; required)")
	fl.BoolVar(&f.force, "force", false, "replace files of the same names")
	fl.StringVar(&f.granularity, "granularity", "", "history: change (the default) or day")
	fl.StringVar(&f.deleted, "deleted-column", "", "scd2 with --valid-from-column: the deletion flag's name (default is_deleted)")
	f.sn.register(cmd)
	_ = cmd.RegisterFlagCompletionFunc("layout", fixedCompletion(checkLayouts...))
	var formats []string
	for _, ft := range export.Formats {
		formats = append(formats, string(ft))
	}
	_ = cmd.RegisterFlagCompletionFunc("format", fixedCompletion(formats...))
	return cmd
}

// expectFlags are the expect command's flags.
type expectFlags struct {
	g                    genFlags
	day                  int
	layout, format, out  string
	force                bool
	granularity, deleted string
	sn                   snapshotFlags
}

// runExpect writes day --day as a copy in --layout must hold it.
func (a *app) runExpect(cmd *cobra.Command, f *expectFlags) error {
	if !cmd.Flags().Changed("day") {
		return usageError{fmt.Errorf("--day: give the day the copy must hold, 0 (the baseline) to %d", gen.MaxDay)}
	}
	if err := gen.CheckDay(f.day, 0); err != nil {
		return usageError{fmt.Errorf("--day: %w", err)}
	}
	if err := checkLayout(f.layout); err != nil {
		return err
	}
	format, err := export.ParseFormat(f.format)
	if err != nil {
		return err
	}
	if f.out == "" {
		return usageError{errors.New("--out: give the folder to write the files into")}
	}
	cfg, sc, err := a.generator(cmd, &f.g)
	if err != nil {
		return err
	}
	a.color = !a.json && os.Getenv("NO_COLOR") == "" && isTerminal(a.stdout)
	if err := historyFlags(cmd, replica.Layout(f.layout), f.granularity); err != nil {
		return err
	}
	sn, err := f.sn.snapshot(cmd, replica.Layout(f.layout))
	if err != nil {
		return err
	}
	if cmd.Flags().Changed("deleted-column") {
		if !cmd.Flags().Changed("valid-from-column") {
			return usageError{errors.New("--deleted-column names the deletion flag beside --valid-from-column and --valid-to-column (dbt's names write dbt_is_deleted)")}
		}
		if !identifierRE.MatchString(f.deleted) {
			return usageError{fmt.Errorf("--deleted-column %q: give a column name: letters, digits and underscores, not starting with a digit", f.deleted)}
		}
	}
	want := replica.Expected{Config: cfg, Day: f.day, Schemas: sc}
	if f.layout == string(replica.SCD2) {
		names := replica.SCD2Names{ValidFrom: f.sn.validFrom, ValidTo: f.sn.validTo, Deleted: f.deleted}
		files, err := replica.WriteSCD2(cmd.Context(), want, sn, names, string(format), f.out, f.force, a.printEvent)
		if err != nil {
			return err
		}
		if a.json {
			return a.writeJSON(map[string]any{"layout": f.layout, "snapshot": sn, "day": f.day, "format": format, "out": f.out, "tables": files})
		}
		return nil
	}
	if f.layout == string(replica.History) {
		g := replica.Granularity(cmp.Or(f.granularity, string(replica.Change)))
		files, err := replica.WriteHistory(cmd.Context(), want, g, string(format), f.out, f.force, a.printEvent)
		if err != nil {
			return err
		}
		if a.json {
			return a.writeJSON(map[string]any{"layout": f.layout, "granularity": g, "day": f.day, "format": format, "out": f.out, "tables": files})
		}
		return nil
	}
	// The mirror of day N is the source on day N: export's files.
	rep, err := export.Day(cmd.Context(), cfg, f.day, export.Options{
		Format: format, Dir: f.out, Force: f.force, Schemas: sc, Progress: a.printEvent,
	})
	if err != nil {
		return err
	}
	return a.printExport(rep)
}
