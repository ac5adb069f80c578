package cli

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	neturl "net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/config"
	"github.com/originsim/originsim/internal/extras"
	"github.com/originsim/originsim/model"
)

// extrasJSON is the machine-readable report of extras.
type extrasJSON struct {
	Out       string            `json:"out"`
	Files     []string          `json:"files"`
	Days      int               `json:"days"`
	Seed      uint64            `json:"seed"`
	StartDate string            `json:"start_date"`
	Scale     int               `json:"scale"`
	Schemas   map[string]string `json:"schemas"`
}

func (a *app) extrasCmd() *cobra.Command {
	var g genFlags
	var out, dbt, soda string
	var days int
	cmd := &cobra.Command{
		Use:   "extras",
		Short: "Write dbt sources, Soda scans, ODCS contracts, VS Code tasks and a CI workflow",
		Long: `Writes the files that go beside a pipeline using these sources, generated from
originsim's table model and generator, so they always match the data:

  dbt/sources.yml                  both systems, every table and column with its
                                   description and tests; loaded_at_field updated_at
  soda/data_source.yml, soda/day_N/SCHEMA_TABLE.yml
                                   Soda Core v4 data contracts, Day 0 through
                                   --days: the exact row count of every table,
                                   keys, and every reference (--soda v3:
                                   soda/checks_day_N.yml, SodaCL checks)
  contracts/SCHEMA_TABLE.odcs.yaml one Open Data Contract Standard v3 contract per table
  vscode/tasks.json                VS Code tasks for every operation
  github/originsim.yml             a GitHub Actions workflow: install, baseline,
                                   a day, verify

The counts follow --seed, --start-date, --scale and --deletes (as for
load-baseline, and ./originsim.yaml) and the schema names. The contracts'
servers block names the database --db (or ORIGINSIM_DB, --profile,
./originsim.yaml) would open: type, host, port, database and schema, never
a user or password. Needs no database: none is opened. Files of the same
names in the folder are replaced; the same settings give the same bytes.`,
		Example: `  originsim extras --out extras
  originsim extras --out extras --days 10 --scale 100
  originsim extras --out extras --shop-schema shop_db --crm-schema crm_db --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := gen.CheckDay(days, 0); err != nil {
				return usageError{fmt.Errorf("--days: %w", err)}
			}
			if out == "" {
				return usageError{errors.New("--out: give a folder")}
			}
			cfg, sc, err := a.generator(cmd, &g)
			if err != nil {
				return err
			}
			server, err := a.extrasServer()
			if err != nil {
				return err
			}
			if dbt != "" && !slices.Contains(extras.DBTVersions, dbt) {
				return usageError{fmt.Errorf("--dbt-version %q: use 1.10 (and later; the default), 1.9 or 1.8", dbt)}
			}
			var columnType func(model.Column) string
			if d, err := driver.DialectByName(server.Type); err == nil {
				columnType = d.ColumnType
			}
			if soda != extras.SodaV4 && soda != extras.SodaV3 {
				return usageError{fmt.Errorf("--soda %q: use v4 (data contracts for soda contract verify, the default) or v3 (SodaCL checks for soda scan)", soda)}
			}
			files, err := extras.Generate(extras.Options{Config: cfg, Schemas: sc, Days: days, Tool: originsim.Version, Server: server,
				DBT: dbt, ColumnType: columnType, Soda: soda})
			if err != nil {
				return err
			}
			if err := extras.Write(out, files); err != nil {
				return fmt.Errorf("write extras: %w", err)
			}
			rep := extrasJSON{Out: out, Days: days, Seed: cfg.Seed, StartDate: cfg.Start.Format("2006-01-02"), Scale: cfg.Scale,
				Schemas: map[string]string{"shop": sc.Shop, "crm": sc.CRM}}
			for _, f := range files {
				rep.Files = append(rep.Files, filepath.Join(out, filepath.FromSlash(f.Path)))
			}
			if a.json {
				return a.writeJSON(rep)
			}
			if !a.quiet {
				fmt.Fprintf(a.stdout, "Wrote %d files to %s for Days 0-%d (seed %d, start date %s, scale %d):\n", len(files), out, days, cfg.Seed, rep.StartDate, cfg.Scale)
				for _, f := range rep.Files {
					fmt.Fprintln(a.stdout, "  "+f)
				}
			}
			return nil
		},
	}
	g.register(cmd)
	cmd.Flags().StringVar(&out, "out", "extras", "folder to write the files into (made if needed)")
	cmd.Flags().IntVar(&days, "days", extras.DefaultDays, "write Soda scans for Day 0 through this day")
	cmd.Flags().StringVar(&soda, "soda", extras.SodaV4, "the Soda Core the scans are for: v4 (data contracts, soda contract verify) or v3 (SodaCL checks, soda scan)")
	_ = cmd.RegisterFlagCompletionFunc("soda", fixedCompletion(extras.SodaV4, extras.SodaV3))
	cmd.Flags().StringVar(&dbt, "dbt-version", "", "write sources.yml for this dbt: 1.10 (and later; the default), or 1.9 or 1.8 for the forms before config: and arguments:")
	_ = cmd.RegisterFlagCompletionFunc("dbt-version", fixedCompletion(extras.DBTVersions...))
	return cmd
}

// initJSON is the machine-readable report of init.
type initJSON struct {
	File       string `json:"file"`
	DB         string `json:"db,omitempty"` // redacted
	Profile    string `json:"profile,omitempty"`
	Target     string `json:"target,omitempty"`
	ShopSchema string `json:"shop_schema"`
	CRMSchema  string `json:"crm_schema"`
	StartDate  string `json:"start_date"`
	Scale      int    `json:"scale"`
	Seed       uint64 `json:"seed"`
}

func (a *app) initCmd() *cobra.Command {
	var g genFlags
	var force bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented originsim.yaml in this folder",
		Long: `Writes ./originsim.yaml: the database (or a dbt profile), the schema names,
the start date, scale and seed, each with a comment. Every originsim command
run in this folder then reads it; flags and environment variables still take
precedence.

The values are the flags given to init (--db or --profile/--target/
--profiles-dir, --shop-schema, --crm-schema, --start-date, --scale, --seed),
or the defaults; environment variables are not copied into the file. An
existing originsim.yaml is kept (exit 3) unless --force.`,
		Example: `  originsim init
  originsim init --db postgres://app@localhost:5432/dev --shop-schema shop_db --crm-schema crm_db
  originsim init --profile ingestion_simulator --target dev --scale 10 --force`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runInit(cmd, &g, force) },
	}
	g.register(cmd)
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing originsim.yaml")
	return cmd
}

func hasPassword(raw string) bool {
	u, err := neturl.Parse(raw)
	if err != nil {
		return strings.Contains(raw, "@")
	}
	_, ok := u.User.Password()
	return ok
}

// generator is the configuration and schema names of a command that needs
// no database: flags, then ./originsim.yaml, then the defaults.
func (a *app) generator(cmd *cobra.Command, g *genFlags) (gen.Config, model.Schemas, error) {
	f, err := a.file()
	if err != nil {
		return gen.Config{}, model.Schemas{}, err
	}
	opts, err := g.options(cmd, f)
	if err != nil {
		return gen.Config{}, model.Schemas{}, err
	}
	sc, err := a.schemas()
	if err != nil {
		return gen.Config{}, model.Schemas{}, err
	}
	if err := sc.Validate(); err != nil {
		return gen.Config{}, model.Schemas{}, usageError{err}
	}
	cfg := opts.Config(gen.Default())
	if err := cfg.Validate(); err != nil {
		return gen.Config{}, model.Schemas{}, usageError{err}
	}
	return cfg, sc, nil
}

// runInit writes ./originsim.yaml from the flags given.
func (a *app) runInit(cmd *cobra.Command, g *genFlags, force bool) error {
	path := config.FileName
	if _, err := os.Stat(path); err == nil && !force {
		return fmt.Errorf("%w: %s already exists: edit it, or run init --force to write it anew", originsim.ErrState, path)
	}
	if a.db != "" && a.profile != "" {
		return usageError{errors.New("give --db or --profile, not both")}
	}
	if a.profile == "" && (a.target != "" || a.profilesDir != "") {
		return usageError{errors.New("--target and --profiles-dir choose within a dbt profile: give --profile NAME too")}
	}
	if a.db != "" {
		// Every later command would refuse it: refuse it now.
		u, err := driver.ParseURL(a.db)
		if err != nil {
			return fmt.Errorf("--db: %w", err)
		}
		if u.Ephemeral() {
			return usageError{fmt.Errorf("--db: %s is an in-memory database, which would vanish when each command exits: give a file, such as %s", u.Redacted(), originsim.DefaultURL)}
		}
	}
	opts, err := g.options(cmd, nil)
	if err != nil {
		return err
	}
	cfg := opts.Config(gen.Default())
	sc := model.Schemas{Shop: cmp.Or(a.shop, model.DefaultSchemas.Shop), CRM: cmp.Or(a.crm, model.DefaultSchemas.CRM)}
	if err := sc.Validate(); err != nil {
		return usageError{err}
	}
	f := config.File{Profile: a.profile, Target: a.target, ProfilesDir: a.profilesDir,
		ShopSchema: sc.Shop, CRMSchema: sc.CRM, Start: cfg.Start, Scale: cfg.Scale, Seed: cfg.Seed}
	if a.profile == "" {
		f.DB = cmp.Or(a.db, originsim.DefaultURL)
	}
	err = writeOut("init", path, force, func(w io.Writer) error {
		_, err := w.Write(config.Render(f))
		return err
	})
	if err != nil {
		return err
	}
	rep := initJSON{File: path, DB: driver.Redact(f.DB), Profile: f.Profile, Target: f.Target,
		ShopSchema: sc.Shop, CRMSchema: sc.CRM, StartDate: cfg.Start.Format("2006-01-02"), Scale: cfg.Scale, Seed: cfg.Seed}
	if a.json {
		return a.writeJSON(rep)
	}
	if a.quiet {
		return nil
	}
	from := "database " + rep.DB
	if f.Profile != "" {
		from = "dbt profile " + strings.TrimSuffix(f.Profile+" target "+f.Target, " target ")
	}
	fmt.Fprintf(a.stdout, "Wrote %s: %s, schemas %s and %s, start date %s, scale %d, seed %d.\n",
		path, from, sc.Shop, sc.CRM, rep.StartDate, cfg.Scale, cfg.Seed)
	if hasPassword(f.DB) {
		fmt.Fprintf(a.stderr, "note: %s holds a password: keep it out of version control, or set %s instead\n", path, envDB)
	}
	return nil
}

// extrasServer is the database the contracts name: the one --db and its
// fallbacks give, read from its URL without connecting.
func (a *app) extrasServer() (driver.Server, error) {
	raw, _, err := a.dbURL()
	if err != nil {
		return driver.Server{}, err
	}
	s, err := driver.ServerOf(raw)
	if err != nil {
		return s, usageError{err}
	}
	return s, nil
}
