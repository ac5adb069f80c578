package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/config"
)

func (a *app) loadCmd() *cobra.Command {
	o := baselineFlags{app: a}
	cmd := &cobra.Command{
		Use:     "load-baseline",
		Aliases: []string{"origin_load_baseline"},
		Short:   "Create both systems and load the Day 0 baseline",
		Long: `Creates the two schemas and their eight tables (with primary and foreign keys)
and loads the deterministic Day 0 baseline, in one transaction. (A new DuckDB
file is built beside its path in parts and renamed into place once complete:
all or nothing as well, in less memory.)

On a database already at Day 0 it does nothing and says so. At a later day it
refuses: use reset. It never writes into tables it did not make.

--enable-cdc then switches on the database's own change capture for the
eight tables, once the load has committed: on SQL Server change data capture
(--change-tracking: change tracking), on PostgreSQL logical replication
(REPLICA IDENTITY FULL and a publication). On a database already at Day 0 it
only does that. Other targets refuse the flags, before changing anything, and
say what comes nearest.

--deletes hard makes each day's departures and cancellations real DELETEs
(children first) for log-based CDC; it is recorded, and reset keeps it.
Not on DuckDB.`,
		Example: `  originsim load-baseline
  originsim load-baseline --start-date 2024-06-01 --seed 7
  originsim load-baseline --db duckdb:/tmp/demo.duckdb --shop-schema shop_db --crm-schema crm_db
  originsim load-baseline --db "sqlserver://sa:pass@127.0.0.1:1433?database=sources" --enable-cdc`,
		Args: noArgs,
		RunE: a.baselineRun(&o, (*originsim.Simulator).LoadBaseline),
	}
	o.register(cmd)
	return cmd
}

// baselineRun runs load-baseline or reset with the baseline flags.
func (a *app) baselineRun(o *baselineFlags, op func(*originsim.Simulator, context.Context, originsim.BaselineOptions) (*originsim.Status, error)) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		opts, err := o.options(cmd)
		if err != nil {
			return err
		}
		return a.withStatus(cmd, func(sim *originsim.Simulator) (*originsim.Status, error) {
			return op(sim, cmd.Context(), opts)
		})
	}
}

// baselineFlags are the options of load-baseline and reset.
type baselineFlags struct {
	app            *app
	adopt          bool
	enableCDC      bool
	changeTracking bool
	genFlags
}

func (o *baselineFlags) register(cmd *cobra.Command) {
	o.genFlags.register(cmd)
	f := cmd.Flags()
	f.BoolVar(&o.adopt, "adopt", false, "take over tables made by the dbt package (same names and columns, no ledger): they are made anew")
	f.IntVar(&o.app.workers, "workers", 0, "goroutines generating rows in parallel (default: the number of CPUs)")
	f.BoolVar(&o.enableCDC, "enable-cdc", false, "switch on the database's change data capture for the eight tables (PostgreSQL: logical replication; SQL Server: CDC); other targets say what comes nearest")
	f.BoolVar(&o.changeTracking, "change-tracking", false, "switch on change tracking instead of CDC (SQL Server)")
}

func (o *baselineFlags) options(cmd *cobra.Command) (originsim.BaselineOptions, error) {
	if cmd.Flags().Changed("workers") && o.app.workers < 1 {
		return originsim.BaselineOptions{}, usageError{fmt.Errorf("--workers %d: must be at least 1", o.app.workers)}
	}
	f, err := o.app.file()
	if err != nil {
		return originsim.BaselineOptions{}, err
	}
	opts, err := o.genFlags.options(cmd, f)
	opts.Adopt, opts.EnableCDC, opts.ChangeTracking = o.adopt, o.enableCDC, o.changeTracking
	return opts, err
}

// genFlags fix the generated data: --seed, --start-date, --scale.
type genFlags struct {
	seed    uint64
	start   string
	scale   int
	deletes string
}

func (g *genFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Uint64Var(&g.seed, "seed", 0, fmt.Sprintf("random seed; the same seed gives the same data (default %d)", gen.DefaultSeed))
	f.StringVar(&g.start, "start-date", "", "simulated date of Day 0, YYYY-MM-DD (default "+gen.DefaultStart.Format("2006-01-02")+")")
	f.IntVar(&g.scale, "scale", 0, "size factor; 1 is the documented contract (default 1)")
	f.StringVar(&g.deletes, "deletes", "", "soft (default: deleted_at is set) or hard: a departing customer and a cancelled order are deleted, children first, for log-based CDC (not on DuckDB)")
}

// options are the flags given, then the settings file's values; what
// neither sets stays zero (the default, or for reset the recorded value).
func (g *genFlags) options(cmd *cobra.Command, f *config.File) (originsim.BaselineOptions, error) {
	var opts originsim.BaselineOptions
	if f != nil {
		opts = originsim.BaselineOptions{Seed: f.Seed, Start: f.Start, Scale: f.Scale}
	}
	if cmd.Flags().Changed("seed") {
		if g.seed == 0 {
			return opts, usageError{errors.New("--seed 0: seeds start at 1")}
		}
		opts.Seed = g.seed
	}
	if cmd.Flags().Changed("scale") {
		if g.scale < 1 || g.scale > gen.MaxScale {
			return opts, usageError{fmt.Errorf("--scale %d: must be between 1 and %d", g.scale, gen.MaxScale)}
		}
		opts.Scale = g.scale
	}
	if cmd.Flags().Changed("deletes") {
		if g.deletes != "soft" && g.deletes != "hard" {
			return opts, usageError{fmt.Errorf("--deletes %q: use soft or hard", g.deletes)}
		}
		opts.Deletes = g.deletes
	}
	if cmd.Flags().Changed("start-date") {
		t, err := gen.ParseStart(g.start)
		if err != nil {
			return opts, usageError{fmt.Errorf("--start-date: %w", err)}
		}
		opts.Start = t
	}
	return opts, nil
}
