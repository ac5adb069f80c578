package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/export"
	"github.com/originsim/originsim/gen"
)

func (a *app) exportCmd() *cobra.Command {
	var f exportFlags
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the eight tables as CSV, Parquet or JSON lines files",
		Long: `Writes the current state of the eight tables, one file per table, named for the
table (customers.csv, order_items.parquet, ...), into --out (made if needed).
The tables are read in one transaction; a database without originsim data is
refused (exit 3). On DuckDB the files are written by DuckDB's own COPY; on
other databases the rows are streamed.

With --day N no database is opened: the files are day N straight from the
generator (with --seed, --start-date and --scale, as for load-baseline), the
same bytes (CSV, JSON lines) or the same content (Parquet) as an export of a
database at that day. --shard i/n writes part i of n of each table, a
contiguous range of its rows in key order (customers.part-2-of-4.csv), so n
machines can share the work; only with --day.

Formats:
  csv      a header row; NULL is an empty field, an empty string is ""
  parquet  typed: DECIMAL(10,2), TIMESTAMP, DATE, BOOLEAN, INTEGER, VARCHAR
  jsonl    one object per line, keys in column order; NULL is null
Text forms: dates 2025-01-01, timestamps 2025-01-01 07:30:00.000000 (six
fractional digits, no time zone), decimals 12.50 (a string in JSON, so money
stays exact), booleans true/false.

Files of the same names are refused (exit 3) unless --force. Files are
written under temporary names and renamed when all are done: a failed export
leaves none. With --json the report lists each file, its rows and its
fingerprint, the one verify --json reports for the table.`,
		Example: `  originsim export --out exports                          # CSV of the database
  originsim export --format parquet --out exports --force
  originsim export --format jsonl --out day3 --day 3       # no database: the generator's day 3
  originsim export --format parquet --out part2 --day 30 --scale 100 --shard 2/4
  originsim export --out exports --json | jq '.tables[] | {table, fingerprint}'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runExport(cmd, &f) },
	}
	f.g.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", string(export.CSV), "csv, parquet or jsonl")
	fl.StringVar(&f.out, "out", "", "folder to write the files into (made if needed; required)")
	fl.IntVar(&f.day, "day", 0, fmt.Sprintf("write this day from the generator instead of reading a database (0 to %d)", gen.MaxDay))
	fl.StringVar(&f.shard, "shard", "", "with --day: write part i of n of each table, such as 2/4")
	fl.BoolVar(&f.force, "force", false, "replace files of the same names")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		for _, ft := range export.Formats {
			names = append(names, string(ft))
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// exportFlags are the export command's flags.
type exportFlags struct {
	g                  genFlags
	format, out, shard string
	day                int
	force              bool
}

// runExport exports the database, or with --day the generator's day.
func (a *app) runExport(cmd *cobra.Command, f *exportFlags) error {
	format, err := export.ParseFormat(f.format)
	if err != nil {
		return err
	}
	if f.out == "" {
		return usageError{errors.New("--out: give the folder to write the files into")}
	}
	opts := export.Options{Format: format, Dir: f.out, Force: f.force}
	if !cmd.Flags().Changed("day") {
		for _, name := range []string{"shard", "seed", "start-date", "scale"} {
			if cmd.Flags().Changed(name) {
				return usageError{fmt.Errorf("--%s applies to the generator: give --day N too (a database export takes the database's own data)", name)}
			}
		}
		var rep *export.Report
		a.readOnly = true
		err := a.withSim(cmd, func(sim *originsim.Simulator) error {
			opts.Progress = a.printEvent
			var err error
			rep, err = export.Database(cmd.Context(), sim, opts)
			return err
		})
		if err != nil {
			return err
		}
		return a.printExport(rep)
	}
	return a.exportDay(cmd, f, opts)
}

// exportDay writes day --day straight from the generator.
func (a *app) exportDay(cmd *cobra.Command, f *exportFlags, opts export.Options) error {
	var err error
	if f.shard != "" {
		if opts.Shard, err = export.ParseShard(f.shard); err != nil {
			return err
		}
	}
	file, err := a.file()
	if err != nil {
		return err
	}
	bopts, err := f.g.options(cmd, file)
	if err != nil {
		return err
	}
	if opts.Schemas, err = a.schemas(); err != nil {
		return err
	}
	a.color = !a.json && os.Getenv("NO_COLOR") == "" && isTerminal(a.stdout)
	opts.Progress = a.printEvent
	rep, err := export.Day(cmd.Context(), bopts.Config(gen.Default()), f.day, opts)
	if err != nil {
		return err
	}
	return a.printExport(rep)
}

// printExport prints the report with --json; otherwise the progress lines
// have named every file.
func (a *app) printExport(rep *export.Report) error {
	if a.json {
		return a.writeJSON(rep)
	}
	return nil
}
