package cli

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	neturl "net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/internal/config"
	"github.com/originsim/originsim/internal/profile"
	"github.com/originsim/originsim/model"
)

// open builds the simulator from the flags, the environment, a dbt profile
// and ./originsim.yaml (see dbURL and schemas for the precedence).
func (a *app) open(cmd *cobra.Command) (*originsim.Simulator, error) {
	a.color = !a.json && os.Getenv("NO_COLOR") == "" && isTerminal(a.stdout)
	a.barsOn = !a.json && !a.quiet && isTerminal(a.stderr)
	raw, from, err := a.dbURL()
	if err != nil {
		return nil, err
	}
	sc, err := a.schemas()
	if err != nil {
		return nil, err
	}
	u, err := driver.ParseURL(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", from, err)
	}
	if u.Ephemeral() {
		return nil, usageError{fmt.Errorf("%s: %s is an in-memory database, which would vanish when originsim exits: give a file, such as %s",
			from, u.Redacted(), originsim.DefaultURL)}
	}
	url := withConnectTimeout(u.Raw, a.connectTimeout)
	if a.separateDBs {
		if url, err = withSeparateDatabases(url); err != nil {
			return nil, err
		}
	}
	opts := []originsim.Option{originsim.WithSchemas(sc), originsim.WithProgress(a.printEvent)}
	if a.readOnly {
		opts = append(opts, originsim.ReadOnly())
	}
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

// dbURL is the database URL and where it came from, for messages.
// Precedence, highest first:
//
//	--db > ORIGINSIM_DB > --profile (with --target, --profiles-dir) >
//	profile: in ./originsim.yaml (with its target:, profiles_dir:;
//	--target and --profiles-dir still beat those) > db: in ./originsim.yaml >
//	the embedded default.
//
// A value given empty is an error, never the next in line.
func (a *app) dbURL() (url, from string, err error) {
	if a.db != "" {
		return a.db, "--db", nil
	}
	if u, ok, err := fromEnv(envDB, "a database URL"); ok || err != nil {
		return u, envDB, err
	}
	f, err := a.file()
	if err != nil {
		return "", "", err
	}
	req := profile.Request{Profile: a.profile, Target: a.target, Dir: a.profilesDir}
	if req.Profile == "" && f != nil && f.Profile != "" {
		req.Profile, req.Target, req.Dir = f.Profile, cmp.Or(a.target, f.Target), cmp.Or(a.profilesDir, f.ProfilesDir)
	}
	if req.Profile == "" {
		if a.target != "" || a.profilesDir != "" {
			return "", "", usageError{errors.New("--target and --profiles-dir choose within a dbt profile: give --profile NAME too")}
		}
		if f != nil && f.DB != "" {
			return f.DB, "db: in " + f.Path, nil
		}
		return originsim.DefaultURL, "the default database", nil
	}
	r, err := profile.Resolve(req)
	if err != nil {
		return "", "", usageError{err}
	}
	return r.URL, fmt.Sprintf("dbt profile %s (target %s in %s)", r.Profile, r.Target, r.File), nil
}

// fromEnv reads an environment variable that is set: set but empty (or
// blank) is an error naming it, not "unset".
func fromEnv(name, what string) (string, bool, error) {
	v, ok := os.LookupEnv(name)
	if ok && strings.TrimSpace(v) == "" {
		return "", true, usageError{fmt.Errorf("%s is set but empty: give %s, or unset it for the default", name, what)}
	}
	return v, ok, nil
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
	shop, _, err := fromEnv(envShop, "a schema name")
	if err != nil && a.shop == "" {
		return fromFile, err
	}
	crm, _, err := fromEnv(envCRM, "a schema name")
	if err != nil && a.crm == "" {
		return fromFile, err
	}
	return model.Schemas{
		Shop: cmp.Or(a.shop, shop, fromFile.Shop, model.DefaultSchemas.Shop),
		CRM:  cmp.Or(a.crm, crm, fromFile.CRM, model.DefaultSchemas.CRM),
	}, nil
}

func isTerminal(w io.Writer) bool {
	if o, ok := w.(*watchedWriter); ok {
		w = o.w
	}
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

// withStatus runs an operation that ends with a status, and prints it
// once the database is closed: closing can still fail the operation, and
// a failed operation must print its error alone (one JSON document under
// --json), not a status and then an error.
func (a *app) withStatus(cmd *cobra.Command, op func(*originsim.Simulator) (*originsim.Status, error)) error {
	var st *originsim.Status
	err := a.withSim(cmd, func(sim *originsim.Simulator) error {
		var err error
		st, err = op(sim)
		return err
	})
	if err != nil {
		return err
	}
	return a.printStatus(st)
}
