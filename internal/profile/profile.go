// Package profile reads a dbt profiles.yml and turns one of its targets into
// an originsim database URL, so that users of the dbt package keep the
// connection settings they already have.
//
// The target types read are those of the registered drivers, each of which
// reads its own settings (driver.Driver.ProfileURL). Jinja in the file is limited to env_var: {{ env_var('X') }}
// and {{ env_var('X', 'default') }}, optionally followed by a type filter
// such as | int.
//
// The profile's schema (where dbt builds models) is not used: the two source
// systems keep their own schema names (--shop-schema, --crm-schema).
package profile

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/originsim/originsim/driver"
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
		tgt = cmp.Or(s, "default")
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
	var u string
	switch drv, ok := driver.ForProfileType(typ); {
	case typ == "":
		err = fmt.Errorf("%w: %s has no type", ErrProfile, where)
	case !ok:
		err = fmt.Errorf("%w: %s is of type %s, which originsim does not support yet (supported: %s); use --db with a URL instead",
			ErrProfile, where, typ, strings.Join(driver.ProfileTypes(), ", "))
	default:
		u, err = drv.ProfileURL(fields{m: out, where: where, env: r.LookupEnv, typ: typ})
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
	typ   string
}

var _ driver.Profile = fields{}

func (f fields) Type() string { return f.typ }

// Errorf reports a setting a driver cannot use.
func (f fields) Errorf(format string, a ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrProfile, f.where, fmt.Sprintf(format, a...))
}

// get returns the first of the named fields that is set.
func (f fields) Get(names ...string) (string, error) {
	for _, n := range names {
		if _, ok := f.m[n]; ok {
			return field(f.m, n, f.where, f.env)
		}
	}
	return "", nil
}

func (f fields) Need(names ...string) (string, error) {
	v, err := f.Get(names...)
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
	if err != nil && secret(name) && !errors.Is(err, ErrEnv) {
		// Render's message quotes the expression, which is a part of the
		// secret's value.
		return "", fmt.Errorf("%w: %s, field %s: holds Jinja that originsim does not render (only {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }}); its value is not shown", ErrProfile, where, name)
	}
	if err != nil {
		return "", fmt.Errorf("%w: %s, field %s: %w", ErrProfile, where, name, err)
	}
	return strings.TrimSpace(s), nil
}

// secret says whether a field's value must never be shown: passwords,
// tokens, keys.
func secret(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "pass") || strings.Contains(n, "secret") || strings.Contains(n, "token") || strings.Contains(n, "key")
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
