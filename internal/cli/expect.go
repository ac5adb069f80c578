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

Formats (--format): csv (the default), parquet, jsonl; the text forms are
export's (see export --help). Files of the same names are refused (exit 3)
unless --force; the files are written under temporary names and renamed
when all are done, so a failed run leaves none. With --json the report lists
each file, its rows and its fingerprint.`,
		Example: `  originsim expect --day 3 --out expected
  originsim expect --day 3 --format parquet --out expected --force
  originsim expect --day 30 --scale 100 --seed 7 --format jsonl --out expected/day30
  originsim expect --day 1 --deletes hard --shop-schema shop_db --crm-schema crm_db --out expected`,
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
	g                   genFlags
	day                 int
	layout, format, out string
	force               bool
	granularity         string
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
	if f.layout == string(replica.History) {
		g := replica.Granularity(cmp.Or(f.granularity, string(replica.Change)))
		want := replica.Expected{Config: cfg, Day: f.day, Schemas: sc}
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
