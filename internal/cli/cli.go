// Package cli is the originsim command line: flags, environment and output.
// Everything it does goes through the public originsim package. One file
// per command; open.go turns flags, environment, dbt profiles and
// ./originsim.yaml into a database URL; errors.go names the library's terms
// as flags.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/config"
	"github.com/originsim/originsim/internal/profile"
)

// Exit codes, documented in the README.
const (
	exitOK       = 0
	exitFailure  = 1 // the operation failed, or verify or check found differences
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
	// documentWritten says the command's one JSON document, its failure
	// included, is written: Main then says the error on standard error.
	documentWritten bool
	readOnly        bool // the command only reads the database (status, verify, export)
	stdout, stderr  io.Writer
	db              string
	profile         string // dbt profile, with its target and folder
	target          string
	profilesDir     string
	shop, crm       string
	json            bool
	quiet           bool
	color           bool
	connectTimeout  time.Duration
	separateDBs     bool
	workers         int
	barsOn          bool
	pbar            *progressbar.ProgressBar
	pbarTable       string
	settings        *config.File // ./originsim.yaml, once read
	settingsRead    bool
	// flagsParsed is set once the command line parsed: a.json is then
	// what was asked. Before, an error (an unknown command, a bad flag)
	// finds --json among the arguments.
	flagsParsed bool
}

// usageError marks errors in how the command was called.
type usageError struct{ error }

// Main runs the command line and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	// A reader that goes away (originsim load-baseline | head -1) must not
	// kill the process in the middle of an operation: writes to a closed
	// pipe fail with EPIPE instead, and the operation runs to its end.
	signal.Ignore(syscall.SIGPIPE)
	out := &watchedWriter{w: stdout}
	a := &app{stdout: out, stderr: stderr}
	root := a.rootCmd()
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		a.noteClosedOutput("the operation completed")
		return exitOK
	}
	code := exitCode(err)
	// A command that ran may quote what it read (a ledger's strings): its
	// message is one escaped line. One that did not parse keeps cobra's
	// lines (an unknown command's suggestions).
	msg := oneLine(message(err))
	if !a.flagsParsed {
		msg = printableLines(message(err))
	}
	if ctx.Err() != nil {
		// SIGINT or SIGTERM: the operation's transaction was rolled back.
		msg = fmt.Sprintf("interrupted: the operation was rolled back, nothing changed (%s)", msg)
		code = exitFailure
	}
	if !a.documentWritten && (a.json || !a.flagsParsed && jsonRequested(args)) {
		enc := json.NewEncoder(out)
		enc.SetIndent("", jsonIndent)
		if enc.Encode(map[string]any{"error": msg, "exit_code": code}) == nil {
			return code
		}
		// Standard output is gone: say it where it can still be read.
	}
	a.noteClosedOutput("the error follows")
	fmt.Fprintf(stderr, "originsim: %s\n", msg)
	if code == exitUsage {
		fmt.Fprintf(stderr, "(%s)\n", defaultHint)
	}
	return code
}

// jsonRequested finds --json among arguments that did not parse.
func jsonRequested(args []string) bool {
	for _, arg := range args {
		if arg == "--" {
			break
		}
		if arg == "--json" {
			return true
		}
		if v, ok := strings.CutPrefix(arg, "--json="); ok {
			b, err := strconv.ParseBool(v)
			return err == nil && b
		}
	}
	return false
}

// watchedWriter is standard output, remembering why a write failed.
type watchedWriter struct {
	w   io.Writer
	err error
}

func (o *watchedWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil && o.err == nil {
		o.err = err
	}
	return n, err
}

// noteClosedOutput says on standard error that standard output was closed
// before everything was written; what was done stays done.
func (a *app) noteClosedOutput(outcome string) {
	if o, ok := a.stdout.(*watchedWriter); ok && o.err != nil {
		what := "failed"
		if errors.Is(o.err, syscall.EPIPE) {
			what = "was closed by its reader"
		}
		fmt.Fprintf(a.stderr, "originsim: standard output %s before everything was written; %s\n", what, outcome)
	}
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
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		a.flagsParsed = true
		return a.checkGlobalFlags(cmd)
	}
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
	root.AddCommand(a.loadCmd(), a.applyCmd(), a.resetCmd(), a.statusCmd(), a.verifyCmd(), a.changesCmd(), a.exportCmd(), a.extrasCmd(), a.initCmd(), a.sqlCmd(), a.checkCmd(), a.expectCmd())
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

// checkGlobalFlags refuses a value given that would otherwise be taken for
// "not given": an empty --db or schema name, a connect timeout of zero or
// less.
func (a *app) checkGlobalFlags(cmd *cobra.Command) error {
	for _, name := range []string{"db", "shop-schema", "crm-schema", "profile", "target", "profiles-dir"} {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed && strings.TrimSpace(f.Value.String()) == "" {
			return usageError{fmt.Errorf("--%s is empty: give a value, or leave the flag out for the default", name)}
		}
	}
	if cmd.Flags().Changed("connect-timeout") && a.connectTimeout <= 0 {
		return usageError{fmt.Errorf("--connect-timeout %s: must be more than 0, such as 10s", a.connectTimeout)}
	}
	return nil
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args)}
	}
	return nil
}
