package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/feed"
	"github.com/originsim/originsim/gen"
)

func (a *app) changesCmd() *cobra.Command {
	var g genFlags
	var day int
	var format, out string
	var force bool
	cmd := &cobra.Command{
		Use:   "changes --day N",
		Short: "Print one day's row changes as events (no database needed)",
		Long: `Prints every row change of day N as an event, in the order apply-delta writes
them: one per inserted, updated or soft-deleted row, with the operation (c
create, u update, d delete), the table, the key, the full row before and
after, and the simulated time. Day 0 is the baseline, every row a create.

The events come from the same changeset apply-delta writes, so they are
exactly what a change-data-capture tool should see. A soft delete is an
update in a change log (the row stays, deleted_at is set): its op is u and
its kind soft_delete.

Formats:
  jsonl     one object per line: day, seq, op, kind, schema, table, key, ts,
            before, after
  debezium  Debezium's JSON envelope per line ({"payload": {"before", "after",
            "source", "op", "ts_ms"}}); timestamps as microseconds and dates
            as days since the epoch, decimals as strings
  csv       a header, then day, seq, op, kind, schema, table, key, ts and the
            before and after rows as JSON

--seed, --start-date and --scale are those of load-baseline (and
./originsim.yaml); --shop-schema and --crm-schema name the schemas. --out
writes the file whole or not at all and keeps an existing one (exit 3)
unless --force.`,
		Example: `  originsim changes --day 1
  originsim changes --day 1 --format debezium | kafka-console-producer ...
  originsim changes --day 2 --scale 100 --format csv --out day2.csv
  originsim changes --day 3 | jq -c 'select(.table == "orders" and .op == "u")'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runChanges(cmd, &g, day, format, out, force) },
	}
	g.register(cmd)
	f := cmd.Flags()
	f.IntVar(&day, "day", 0, "the day: 0 (the baseline) to 3650")
	f.StringVar(&format, "format", "jsonl", "output format: "+strings.Join(feed.Formats, ", "))
	f.StringVar(&out, "out", "", "write to this file instead of standard output (an existing file is kept unless --force)")
	f.BoolVar(&force, "force", false, "replace the --out file if it exists")
	return cmd
}

// runChanges writes day --day's change events in --format.
func (a *app) runChanges(cmd *cobra.Command, g *genFlags, day int, format, out string, force bool) error {
	if !cmd.Flags().Changed("day") {
		return usageError{errors.New("--day: give the day, 0 (the baseline) to " + fmt.Sprint(gen.MaxDay))}
	}
	if err := gen.CheckDay(day, 0); err != nil {
		return usageError{err}
	}
	if !slices.Contains(feed.Formats, format) {
		return usageError{fmt.Errorf("--format %q: use one of %s", format, strings.Join(feed.Formats, ", "))}
	}
	cfg, sc, err := a.generator(cmd, g)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error {
		fw, err := feed.NewWriter(w, format, originsim.Version)
		if err != nil {
			return usageError{fmt.Errorf("--format: %w", err)}
		}
		if err := feed.Day(cfg, sc, day, fw.Write); err != nil {
			return err
		}
		return fw.Flush()
	}
	if out == "" {
		return write(a.stdout)
	}
	return writeOut("--out", out, force, write)
}
