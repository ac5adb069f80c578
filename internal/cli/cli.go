// Package cli is the originsim command line: flags, environment and output.
// Everything it does goes through the public originsim package.
package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	neturl "net/url"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/config"
	"github.com/originsim/originsim/internal/profile"
	"github.com/originsim/originsim/model"
)

// Exit codes, documented in the README.
const (
	exitOK       = 0
	exitFailure  = 1 // the operation failed, or verify found differences
	exitUsage    = 2 // bad flags or arguments
	exitState    = 3 // state conflict: wrong day, foreign tables, another operation running
	exitConnect  = 4 // cannot reach or open the database
	envDB        = "ORIGINSIM_DB"
	envShop      = "ORIGINSIM_SHOP_SCHEMA"
	envCRM       = "ORIGINSIM_CRM_SCHEMA"
	defaultHint  = "see 'originsim --help'"
	jsonIndent   = "  "
	exampleBlock = `  originsim load-baseline
  originsim apply-delta --day 1
  originsim status
  originsim verify
  originsim reset
  originsim --profile ingestion_simulator load-baseline   # the database of a dbt profile
  originsim init                                          # write ./originsim.yaml
  originsim extras --out extras                           # dbt sources, Soda scans, contracts`
)

// app holds one invocation's flags and writers.
type app struct {
	stdout, stderr io.Writer
	db             string
	profile        string // dbt profile, with its target and folder
	target         string
	profilesDir    string
	shop, crm      string
	json           bool
	quiet          bool
	color          bool
	connectTimeout time.Duration
	separateDBs    bool
	workers        int
	barsOn         bool
	pbar           *progressbar.ProgressBar
	pbarTable      string
	settings       *config.File // ./originsim.yaml, once read
	settingsRead   bool
}

// usageError marks errors in how the command was called.
type usageError struct{ error }

// Main runs the command line and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr}
	root := a.rootCmd()
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	msg := message(err)
	if ctx.Err() != nil {
		// SIGINT or SIGTERM: the operation's transaction was rolled back.
		msg = fmt.Sprintf("interrupted: the operation was rolled back, nothing changed (%s)", msg)
		code = exitFailure
	}
	if a.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", jsonIndent)
		_ = enc.Encode(map[string]any{"error": msg, "exit_code": code})
	} else {
		fmt.Fprintf(stderr, "originsim: %s\n", msg)
		if code == exitUsage {
			fmt.Fprintf(stderr, "(%s)\n", defaultHint)
		}
	}
	return code
}

func exitCode(err error) int {
	var ue usageError
	switch {
	case errors.As(err, &ue), errors.Is(err, originsim.ErrUsage), errors.Is(err, originsim.ErrURL),
		strings.HasPrefix(err.Error(), "unknown command"), strings.HasPrefix(err.Error(), "accepts "):
		return exitUsage
	case errors.Is(err, originsim.ErrState), errors.Is(err, originsim.ErrBusy), errors.Is(err, originsim.ErrNotLoaded):
		return exitState
	case errors.Is(err, originsim.ErrConnect):
		return exitConnect
	}
	return exitFailure
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "originsim",
		Short: "Realistic source systems for data pipelines, played forward one business day at a time",
		Long: `originsim creates two source systems in a database: an e-commerce ERP
(jaffle_shop: customers, products, orders, order_items, payments) and a
marketing CRM (jaffle_crm: campaigns, email_activity, web_sessions). It loads
a deterministic Day 0 baseline, then plays business days forward: new rows,
order status transitions, email changes, price changes and soft deletes.
Same input, same bytes, every time.

The database is chosen by URL:
  duckdb:PATH                     a DuckDB file (default duckdb:data/ingestion_simulator.duckdb)
  postgres://user:pass@host:5432/db?sslmode=disable   PostgreSQL: the systems are schemas
  mysql://user:pass@host:3306/    MySQL or MariaDB (also mariadb://): the systems are databases
  sqlserver://user:pass@host:1433?database=db   SQL Server (also azuresql://): the systems are schemas,
                                  or databases with --separate-databases

or read from a dbt profiles.yml (--profile NAME [--target T] [--profiles-dir DIR];
types duckdb, postgres, mysql, sqlserver). Precedence, highest first: --db,
ORIGINSIM_DB, --profile, profile: in ./originsim.yaml, db: in ./originsim.yaml,
the default. Every command reads ./originsim.yaml when it exists (see init);
flags and environment variables beat it.`,
		Example:       exampleBlock,
		Version:       fmt.Sprintf("%s (ledger format %d, data version %d)", originsim.Version, originsim.LedgerFormat, gen.Version),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&a.db, "db", "", "database URL (env "+envDB+", default "+originsim.DefaultURL+")")
	pf.StringVar(&a.shop, "shop-schema", "", "schema of the ERP system (env "+envShop+", default jaffle_shop)")
	pf.StringVar(&a.crm, "crm-schema", "", "schema of the CRM system (env "+envCRM+", default jaffle_crm)")
	pf.BoolVar(&a.json, "json", false, "print the result as JSON on standard output, for scripts")
	pf.BoolVarP(&a.quiet, "quiet", "q", false, "print nothing but errors")
	pf.DurationVar(&a.connectTimeout, "connect-timeout", 0, "how long to try to reach a database server (default 10s; the URL's connect_timeout also works)")
	// A global flag, not a load-baseline one: every command must find the
	// tables where load-baseline put them.
	pf.BoolVar(&a.separateDBs, "separate-databases", false, "SQL Server: each system is a database of its own (existing; tables in dbo) instead of a schema of the URL's database (the URL's separate_databases=true also works)")
	pf.StringVar(&a.profile, "profile", "", "read the database from this dbt profile (when --db and "+envDB+" are not set)")
	pf.StringVar(&a.target, "target", "", "the dbt profile's target (default: the profile's target: key)")
	pf.StringVar(&a.profilesDir, "profiles-dir", "", "folder of the dbt profiles.yml (default: $"+profile.EnvDir+", then ./profiles.yml, then ~/.dbt)")
	root.AddCommand(a.loadCmd(), a.applyCmd(), a.resetCmd(), a.statusCmd(), a.verifyCmd(), a.changesCmd(), a.exportCmd(), a.extrasCmd(), a.initCmd(), a.sqlCmd())
	// The completion scripts are written to the writer set when the
	// command is made.
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Example = completionExample
		}
	}
	return root
}

const completionExample = `  source <(originsim completion bash)                       # this shell
  originsim completion bash > /etc/bash_completion.d/originsim
  originsim completion zsh > "${fpath[1]}/_originsim"
  originsim completion fish > ~/.config/fish/completions/originsim.fish
  originsim completion powershell | Out-String | Invoke-Expression`

// open builds the simulator from the flags, the environment, a dbt profile
// and ./originsim.yaml (see dbURL and schemas for the precedence).
func (a *app) open(cmd *cobra.Command) (*originsim.Simulator, error) {
	a.color = !a.json && os.Getenv("NO_COLOR") == "" && isTerminal(a.stdout)
	a.barsOn = !a.json && !a.quiet && isTerminal(a.stderr)
	raw, err := a.dbURL()
	if err != nil {
		return nil, err
	}
	sc, err := a.schemas()
	if err != nil {
		return nil, err
	}
	url := withConnectTimeout(raw, a.connectTimeout)
	if a.separateDBs {
		if url, err = withSeparateDatabases(url); err != nil {
			return nil, err
		}
	}
	opts := []originsim.Option{originsim.WithSchemas(sc), originsim.WithProgress(a.printEvent)}
	if a.workers != 0 {
		opts = append(opts, originsim.WithWorkers(a.workers))
	}
	return originsim.Open(cmd.Context(), url, opts...)
}

// withConnectTimeout adds --connect-timeout to a server URL as its
// connect_timeout parameter, unless the URL sets one itself. File URLs and
// URLs that do not parse are left for Open to judge.
func withConnectTimeout(raw string, d time.Duration) string {
	if d <= 0 || !strings.Contains(raw, "://") {
		return raw
	}
	u, err := neturl.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	if !q.Has("connect_timeout") {
		q.Set("connect_timeout", strconv.FormatFloat(d.Seconds(), 'f', -1, 64))
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// withSeparateDatabases adds separate_databases=true to the URL of a
// database whose systems may each be a database of their own; on any other
// the flag is a usage error.
func withSeparateDatabases(raw string) (string, error) {
	scheme, _, _ := strings.Cut(raw, ":")
	if d, ok := driver.Lookup(scheme); !ok || !d.SeparateDatabases {
		return "", usageError{fmt.Errorf("--separate-databases applies to %s; on %s the layout is fixed: %s",
			separateDatabases(), strings.ToLower(scheme), layouts())}
	}
	u, err := neturl.Parse(raw)
	if err != nil {
		return raw, nil // Open says what is wrong with it
	}
	q := u.Query()
	q.Set("separate_databases", "true")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// separateDatabases names the databases whose systems may each be a
// database of their own, with their URL schemes.
func separateDatabases() string {
	var names, schemes []string
	for _, d := range driver.Drivers() {
		if d.SeparateDatabases {
			names = append(names, d.Title)
			for _, sc := range d.Schemes {
				schemes = append(schemes, sc+"://")
			}
		}
	}
	return fmt.Sprintf("%s only (%s)", strings.Join(names, " or "), strings.Join(schemes, ", "))
}

// layouts says how the others lay out the two systems.
func layouts() string {
	var out []string
	for _, d := range driver.Drivers() {
		if d.Layout != "" {
			out = append(out, d.Layout)
		}
	}
	return strings.Join(out, ", ")
}

// dbURL is the database URL. Precedence, highest first:
//
//	--db > ORIGINSIM_DB > --profile (with --target, --profiles-dir) >
//	profile: in ./originsim.yaml (with its target:, profiles_dir:;
//	--target and --profiles-dir still beat those) > db: in ./originsim.yaml >
//	the embedded default.
func (a *app) dbURL() (string, error) {
	if u := firstOf(a.db, os.Getenv(envDB)); u != "" {
		return u, nil
	}
	f, err := a.file()
	if err != nil {
		return "", err
	}
	req := profile.Request{Profile: a.profile, Target: a.target, Dir: a.profilesDir}
	if req.Profile == "" && f != nil && f.Profile != "" {
		req.Profile, req.Target, req.Dir = f.Profile, firstOf(a.target, f.Target), firstOf(a.profilesDir, f.ProfilesDir)
	}
	if req.Profile == "" {
		if a.target != "" || a.profilesDir != "" {
			return "", usageError{errors.New("--target and --profiles-dir choose within a dbt profile: give --profile NAME too")}
		}
		if f != nil && f.DB != "" {
			return f.DB, nil
		}
		return originsim.DefaultURL, nil
	}
	r, err := profile.Resolve(req)
	if err != nil {
		return "", usageError{err}
	}
	return r.URL, nil
}

// file is ./originsim.yaml, read once; nil when there is none.
func (a *app) file() (*config.File, error) {
	if !a.settingsRead {
		f, err := config.Load(".")
		if err != nil {
			return nil, usageError{err}
		}
		a.settings, a.settingsRead = f, true
	}
	return a.settings, nil
}

// schemas are the two systems' names: flag, then environment, then
// ./originsim.yaml, then default.
func (a *app) schemas() (model.Schemas, error) {
	var fromFile model.Schemas
	f, err := a.file()
	if err != nil {
		return fromFile, err
	}
	if f != nil {
		fromFile = model.Schemas{Shop: f.ShopSchema, CRM: f.CRMSchema}
	}
	return model.Schemas{
		Shop: firstOf(a.shop, os.Getenv(envShop), fromFile.Shop, model.DefaultSchemas.Shop),
		CRM:  firstOf(a.crm, os.Getenv(envCRM), fromFile.CRM, model.DefaultSchemas.CRM),
	}, nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// withSim opens the simulator, runs fn and closes it.
func (a *app) withSim(cmd *cobra.Command, fn func(*originsim.Simulator) error) error {
	sim, err := a.open(cmd)
	if err != nil {
		return err
	}
	err = fn(sim)
	// Closing can still fail the operation: a new DuckDB file is put in
	// place only then.
	if cerr := sim.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close the database: %w", cerr)
	}
	return err
}

var dayArgRE = regexp.MustCompile(`(?i)\bday\s*:\s*(-?\d+)`)

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

func (a *app) resetCmd() *cobra.Command {
	o := baselineFlags{app: a}
	var yes bool
	cmd := &cobra.Command{
		Use:     "reset",
		Aliases: []string{"origin_reset"},
		Short:   "Empty every table and reload the Day 0 baseline",
		Long: `Empties every table of both systems (custom rows included) and reloads Day 0,
in one transaction. Tables are emptied in reverse foreign-key order. Only
tables whose ledger says originsim made them are touched.

Without options the recorded seed, start date and scale are kept. On a
terminal it asks for confirmation first, unless --yes; never elsewhere.`,
		Example: `  originsim reset
  originsim reset --yes --start-date 2025-03-01`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes && isTerminal(os.Stdin) && !a.json {
				sc, err := a.schemas()
				if err != nil {
					return err
				}
				if !confirm(os.Stdin, a.stderr, fmt.Sprintf("reset empties every table of %s and %s, custom rows included, and reloads Day 0", sc.Shop, sc.CRM)) {
					return errors.New("reset cancelled: nothing changed")
				}
			}
			return a.baselineRun(&o, (*originsim.Simulator).Reset)(cmd, args)
		},
	}
	o.register(cmd)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation (it is asked only on a terminal)")
	return cmd
}

// confirm asks a yes/no question; only "y" or "yes" is a yes.
func confirm(in io.Reader, out io.Writer, what string) bool {
	fmt.Fprintf(out, "%s. Continue? [y/N] ", what)
	answer, _ := bufio.NewReader(in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return true
	}
	return false
}

func (a *app) applyCmd() *cobra.Command {
	var day, through int
	var compat string
	cmd := &cobra.Command{
		Use:     "apply-delta [DAY]",
		Aliases: []string{"origin_apply_delta"},
		Short:   "Play the next business day (new rows, updates and soft deletes)",
		Long: `Applies one business day: new customers, orders, order items and payments,
order status transitions, customer email changes, soft deletes (customers
leaving, orders cancelled), product price changes on Day 2, and new CRM
activity. Days 1-3 are exactly the documented counts.

Days apply in order and only once: the day must be the recorded day + 1.
Anything else is refused and nothing changes.`,
		Example: `  originsim apply-delta --day 1
  originsim apply-delta 2
  originsim origin_apply_delta --args '{day: 3}'
  originsim apply-delta --through 30     # every pending day up to 30, one transaction each`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("through") {
				if len(args) > 0 || cmd.Flags().Changed("day") || cmd.Flags().Changed("args") {
					return usageError{errors.New("--through plays every pending day: give it alone, without a day")}
				}
				return a.withSim(cmd, func(sim *originsim.Simulator) error {
					st, err := sim.ApplyThrough(cmd.Context(), through)
					if err != nil {
						return err
					}
					return a.printStatus(st)
				})
			}
			n, err := pickDay(cmd, day, compat, args)
			if err != nil {
				return err
			}
			return a.withSim(cmd, func(sim *originsim.Simulator) error {
				st, err := sim.ApplyDelta(cmd.Context(), n)
				if err != nil {
					return err
				}
				return a.printStatus(st)
			})
		},
	}
	cmd.Flags().IntVar(&day, "day", 0, "the day to apply: the recorded day + 1")
	cmd.Flags().StringVar(&compat, "args", "", "the dbt package's form, '{day: N}'")
	cmd.Flags().IntVar(&through, "through", 0, "apply every pending day up to this one, each in its own transaction")
	return cmd
}

// pickDay takes the day from exactly one of --day, a positional argument or
// --args.
func pickDay(cmd *cobra.Command, day int, compat string, args []string) (int, error) {
	var given []int
	if cmd.Flags().Changed("day") {
		given = append(given, day)
	}
	if len(args) == 1 {
		n, err := strconv.Atoi(args[0])
		if err != nil {
			return 0, usageError{fmt.Errorf("day %q is not a number: use apply-delta --day N", args[0])}
		}
		given = append(given, n)
	}
	if cmd.Flags().Changed("args") {
		m := dayArgRE.FindStringSubmatch(compat)
		if m == nil {
			return 0, usageError{fmt.Errorf("--args %q: expected '{day: N}'", compat)}
		}
		n, _ := strconv.Atoi(m[1])
		given = append(given, n)
	}
	switch {
	case len(given) == 0:
		return 0, usageError{errors.New("which day? use apply-delta --day N (N is the recorded day + 1; originsim status shows it)")}
	case len(given) > 1 && (given[0] != given[1] || len(given) > 2 && given[1] != given[2]):
		return 0, usageError{fmt.Errorf("the day is given twice with different values (%v)", given)}
	}
	return given[0], nil
}

func (a *app) statusCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "status",
		Aliases: []string{"origin_status"},
		Short:   "Show the recorded day and the live row count of every table",
		Long: `Shows the recorded day and live row counts (SELECT COUNT(*), never cached).
Read-only. With --json: {"day": N, "tables": {"jaffle_shop.customers": 100, ...}}.`,
		Example: `  originsim status
  originsim status --json | jq .tables`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withSim(cmd, func(sim *originsim.Simulator) error {
				st, err := sim.Status(cmd.Context())
				if err != nil {
					return err
				}
				return a.printStatus(st)
			})
		},
	}
}

func (a *app) verifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Prove the database holds exactly the recorded day",
		Long: `Checks the database against what the generator says the recorded day must be:
row counts and id ranges, every rule of the data model (keys, references,
timestamps, payments adding up, ...), and a content fingerprint of each table
(SHA-256 of the canonical text of every row in key order).

Exits 0 when everything matches, 1 when anything differs. Read-only.`,
		Example: `  originsim verify
  originsim verify --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withSim(cmd, func(sim *originsim.Simulator) error {
				rep, err := sim.Verify(cmd.Context())
				if err != nil {
					return err
				}
				a.printReport(sim.Schemas(), rep)
				if !rep.OK {
					return fmt.Errorf("%w: the database differs from day %d (see above)", originsim.ErrMismatch, rep.Day)
				}
				return nil
			})
		},
	}
}

// baselineRun runs load-baseline or reset with the baseline flags.
func (a *app) baselineRun(o *baselineFlags, op func(*originsim.Simulator, context.Context, originsim.BaselineOptions) (*originsim.Status, error)) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		opts, err := o.options(cmd)
		if err != nil {
			return err
		}
		return a.withSim(cmd, func(sim *originsim.Simulator) error {
			st, err := op(sim, cmd.Context(), opts)
			if err != nil {
				return err
			}
			return a.printStatus(st)
		})
	}
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args)}
	}
	return nil
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
	if g.start != "" {
		t, err := gen.ParseStart(g.start)
		if err != nil {
			return opts, usageError{err}
		}
		opts.Start = t
	}
	return opts, nil
}
