// Package profile reads a dbt profiles.yml and turns one of its targets into
// an originsim database URL, so that users of the dbt package keep the
// connection settings they already have.
//
// Supported target types: duckdb, postgres, mysql (also mysql5, mariadb)
// and sqlserver. Jinja in the file is limited to env_var: {{ env_var('X') }}
// and {{ env_var('X', 'default') }}, optionally followed by a type filter
// such as | int.
//
// The profile's schema (where dbt builds models) is not used: the two source
// systems keep their own schema names (--shop-schema, --crm-schema).
package profile

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// FileName is the name dbt gives its profiles file.
const FileName = "profiles.yml"

// EnvDir is the environment variable dbt reads for the profiles folder.
const EnvDir = "DBT_PROFILES_DIR"

// ErrProfile is wrapped by every error about the profiles file or its
// contents: a missing file, profile or target, a bad field, an unset
// variable, an unsupported type.
var ErrProfile = errors.New("dbt profile")

// Request names the profile to read.
type Request struct {
	Profile string // the profile name (required)
	Target  string // the output; empty: the profile's target: key
	// Dir is the folder holding profiles.yml. Empty: $DBT_PROFILES_DIR,
	// then the working folder if it has a profiles.yml, then ~/.dbt, the
	// order dbt searches.
	Dir string
	// LookupEnv reads environment variables; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
}

// Resolved is the database a profile target points at.
type Resolved struct {
	URL     string // the originsim database URL; may hold a password: print it only through driver.Redact
	File    string // the profiles.yml read
	Profile string
	Target  string
	Type    string // the dbt adapter type
}

// Supported lists the target types originsim reads.
var Supported = []string{"duckdb", "mysql", "postgres", "sqlserver"}

// Resolve reads the profiles file and returns the URL of the requested
// target.
func Resolve(r Request) (*Resolved, error) {
	if r.LookupEnv == nil {
		r.LookupEnv = os.LookupEnv
	}
	if r.Profile == "" {
		return nil, fmt.Errorf("%w: no profile name given", ErrProfile)
	}
	file, err := Find(r.Dir, r.LookupEnv)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProfile, err)
	}
	return resolve(r, file, data)
}

// Find returns the profiles.yml to read, searching where dbt does.
func Find(dir string, lookupEnv func(string) (string, bool)) (string, error) {
	if dir == "" {
		if d, ok := lookupEnv(EnvDir); ok && d != "" {
			dir = d
		}
	}
	if dir == "" {
		if _, err := os.Stat(FileName); err == nil {
			return FileName, nil
		}
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("%w: no --profiles-dir, no %s, no %s here, and no home folder: %v", ErrProfile, EnvDir, FileName, err)
		}
		dir = filepath.Join(home, ".dbt")
	}
	file := filepath.Join(dir, FileName)
	if _, err := os.Stat(file); err != nil {
		return "", fmt.Errorf("%w: %s not found: give its folder with --profiles-dir or %s", ErrProfile, file, EnvDir)
	}
	return file, nil
}

func resolve(r Request, file string, data []byte) (*Resolved, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrProfile, file, err)
	}
	raw, ok := doc[r.Profile]
	prof, isMap := raw.(map[string]any)
	if !ok || !isMap || r.Profile == "config" {
		return nil, fmt.Errorf("%w: %s has no profile %q (profiles: %s)", ErrProfile, file, r.Profile, list(profileNames(doc)))
	}
	where := fmt.Sprintf("%s, profile %s", file, r.Profile)
	outputs, _ := prof["outputs"].(map[string]any)
	tgt := r.Target
	if tgt == "" {
		s, err := field(prof, "target", where, r.LookupEnv)
		if err != nil {
			return nil, err
		}
		// dbt's own default when a profile names no target.
		tgt = cmpOr(s, "default")
	}
	out, ok := outputs[tgt].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: %s has no target %q (targets: %s)", ErrProfile, where, tgt, list(keys(outputs)))
	}
	where += ", target " + tgt
	typ, err := field(out, "type", where, r.LookupEnv)
	if err != nil {
		return nil, err
	}
	f := fields{m: out, where: where, env: r.LookupEnv}
	var u string
	switch typ {
	case "duckdb":
		u, err = duckdbURL(f)
	case "postgres":
		u, err = postgresURL(f)
	case "mysql", "mysql5", "mariadb":
		u, err = mysqlURL(f, typ)
	case "sqlserver":
		u, err = sqlserverURL(f)
	case "":
		err = fmt.Errorf("%w: %s has no type", ErrProfile, where)
	default:
		err = fmt.Errorf("%w: %s is of type %s, which originsim does not support yet (supported: %s); use --db with a URL instead",
			ErrProfile, where, typ, strings.Join(Supported, ", "))
	}
	if err != nil {
		return nil, err
	}
	return &Resolved{URL: u, File: file, Profile: r.Profile, Target: tgt, Type: typ}, nil
}

// fields reads one output's settings, rendering env_var as it goes.
type fields struct {
	m     map[string]any
	where string
	env   func(string) (string, bool)
}

// get returns the first of the named fields that is set.
func (f fields) get(names ...string) (string, error) {
	for _, n := range names {
		if _, ok := f.m[n]; ok {
			return field(f.m, n, f.where, f.env)
		}
	}
	return "", nil
}

func (f fields) need(names ...string) (string, error) {
	v, err := f.get(names...)
	if err == nil && v == "" {
		err = fmt.Errorf("%w: %s: %s is not set", ErrProfile, f.where, strings.Join(names, " or "))
	}
	return v, err
}

// field renders one scalar field of m. Lists and maps are refused: none of
// the fields read are one.
func field(m map[string]any, name, where string, env func(string) (string, bool)) (string, error) {
	v, ok := m[name]
	if !ok || v == nil {
		return "", nil
	}
	switch v.(type) {
	case map[string]any, []any:
		return "", fmt.Errorf("%w: %s: %s must be a single value", ErrProfile, where, name)
	}
	s, err := Render(fmt.Sprint(v), env)
	if err != nil {
		return "", fmt.Errorf("%w: %s, field %s: %w", ErrProfile, where, name, err)
	}
	return strings.TrimSpace(s), nil
}

func duckdbURL(f fields) (string, error) {
	path, err := f.get("path")
	if err != nil {
		return "", err
	}
	if path == "" || path == ":memory:" {
		return "", fmt.Errorf("%w: %s: path is %s, an in-memory database that would vanish when originsim exits; give the target a file path",
			ErrProfile, f.where, cmpOr(path, "not set (dbt-duckdb then uses :memory:)"))
	}
	// A relative path is relative to the working folder, as for dbt;
	// md: and motherduck: paths go to DuckDB as they are.
	return "duckdb:" + path, nil
}

func postgresURL(f fields) (string, error) {
	host, err := f.need("host")
	if err != nil {
		return "", err
	}
	port, user, pass, err := f.server("5432", "user")
	if err != nil {
		return "", err
	}
	db, err := f.need("dbname", "database")
	if err != nil {
		return "", err
	}
	q := url.Values{}
	for _, k := range []string{"sslmode", "connect_timeout"} {
		if v, err := f.get(k); err != nil {
			return "", err
		} else if v != "" {
			q.Set(k, v)
		}
	}
	return build("postgres", host, port, user, pass, "/"+db, q), nil
}

func mysqlURL(f fields, typ string) (string, error) {
	host, err := f.need("server", "host")
	if err != nil {
		return "", err
	}
	port, user, pass, err := f.server("3306", "username", "user")
	if err != nil {
		return "", err
	}
	scheme := "mysql"
	if typ == "mariadb" {
		scheme = "mariadb"
	}
	// The profile's schema is where dbt builds models; the connection
	// needs no default database.
	return build(scheme, host, port, user, pass, "/", nil), nil
}

func sqlserverURL(f fields) (string, error) {
	host, err := f.need("server", "host")
	if err != nil {
		return "", err
	}
	if auth, err := f.get("authentication"); err != nil {
		return "", err
	} else if auth != "" && !strings.EqualFold(auth, "sql") {
		return "", fmt.Errorf("%w: %s: authentication %s is not supported yet, only sql (user and password)", ErrProfile, f.where, auth)
	}
	port, user, pass, err := f.server("1433", "user", "username")
	if err != nil {
		return "", err
	}
	db, err := f.need("database")
	if err != nil {
		return "", err
	}
	q := url.Values{"database": {db}}
	for setting, param := range map[string]string{"encrypt": "encrypt", "trust_cert": "TrustServerCertificate"} {
		if v, err := f.get(setting); err != nil {
			return "", err
		} else if v != "" {
			q.Set(param, v)
		}
	}
	return build("sqlserver", host, port, user, pass, "", q), nil
}

// server reads the settings every server type has: port (with a default),
// user (under one of the given names) and password (also pass).
func (f fields) server(defPort string, userNames ...string) (port, user, pass string, err error) {
	if port, err = f.get("port"); err != nil {
		return
	}
	if user, err = f.need(userNames...); err != nil {
		return
	}
	pass, err = f.get("password", "pass")
	return cmpOr(port, defPort), user, pass, err
}

// build assembles a server URL with net/url, so any character in the user
// name or password is escaped.
func build(scheme, host, port, user, pass, path string, q url.Values) string {
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port), Path: path, RawQuery: q.Encode()}
	if pass != "" {
		u.User = url.UserPassword(user, pass)
	} else {
		u.User = url.User(user)
	}
	return u.String()
}

func profileNames(doc map[string]any) []string {
	var names []string
	for k, v := range doc {
		if _, ok := v.(map[string]any); ok && k != "config" {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
