// Package config reads and writes originsim.yaml, the settings file every
// command reads from the working folder: the database (or a dbt profile),
// the schema names and what the generator makes (start date, scale, seed).
// Flags and environment variables take precedence over it.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/template"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// FileName is the settings file looked for in the working folder.
const FileName = "originsim.yaml"

// ErrConfig is wrapped by every error about the file's contents.
var ErrConfig = errors.New("invalid settings file")

// File holds the settings; empty fields are not set.
type File struct {
	Path        string // where it was read from
	DB          string
	Profile     string
	Target      string
	ProfilesDir string
	ShopSchema  string
	CRMSchema   string
	Start       time.Time
	Scale       int
	Seed        uint64
}

// Keys are the settings the file may hold, in the order init writes them.
var Keys = []string{"db", "profile", "target", "profiles_dir", "shop_schema", "crm_schema", "start_date", "scale", "seed"}

// Load reads dir/originsim.yaml. A missing file is no error: it returns
// nil.
func Load(dir string) (*File, error) {
	path := filepath.Join(dir, FileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	return Parse(path, data)
}

// Parse reads the file's contents. Unknown keys, repeated keys and bad
// values are errors naming the file, the line and the key.
func Parse(path string, data []byte) (*File, error) {
	f := &File{Path: path}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrConfig, path, err)
	}
	if len(doc.Content) == 0 {
		return f, nil // empty, or only comments
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%w %s: expected key: value lines (%s)", ErrConfig, path, strings.Join(Keys, ", "))
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		bad := func(format string, a ...any) error {
			return fmt.Errorf("%w %s line %d: %s: %s", ErrConfig, path, k.Line, k.Value, fmt.Sprintf(format, a...))
		}
		if seen[k.Value] {
			return nil, bad("given twice")
		}
		seen[k.Value] = true
		if v.Kind != yaml.ScalarNode {
			return nil, bad("expected a single value")
		}
		if v.Tag == "!!null" {
			continue
		}
		if strings.TrimSpace(v.Value) == "" {
			// "" is given, not unset: taking it for the default would
			// quietly use another database or schema than the file says.
			return nil, bad("empty: give a value, or remove the line to use the default")
		}
		if err := f.set(k.Value, v.Value); err != nil {
			return nil, bad("%v", err)
		}
	}
	if f.DB != "" && f.Profile != "" {
		return nil, fmt.Errorf("%w %s: give db or profile, not both", ErrConfig, path)
	}
	if f.Profile == "" && (f.Target != "" || f.ProfilesDir != "") {
		return nil, fmt.Errorf("%w %s: target and profiles_dir need a profile", ErrConfig, path)
	}
	return f, nil
}

func (f *File) set(key, val string) error {
	switch key {
	case "db":
		f.DB = val
	case "profile":
		f.Profile = val
	case "target":
		f.Target = val
	case "profiles_dir":
		f.ProfilesDir = expandHome(val)
	case "shop_schema", "crm_schema":
		if err := model.ValidateSchemaName(val); err != nil {
			return err
		}
		if key == "shop_schema" {
			f.ShopSchema = val
		} else {
			f.CRMSchema = val
		}
	case "start_date":
		t, err := gen.ParseStart(val)
		if err != nil {
			return err
		}
		f.Start = t
	case "scale":
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 || n > gen.MaxScale {
			return fmt.Errorf("%q: must be a whole number between 1 and %d", val, gen.MaxScale)
		}
		f.Scale = n
	case "seed":
		n, err := strconv.ParseUint(val, 10, 64)
		if err != nil || n == 0 {
			return fmt.Errorf("%q: must be a whole number from 1", val)
		}
		f.Seed = n
	default:
		return fmt.Errorf("unknown key (known: %s)", strings.Join(Keys, ", "))
	}
	return nil
}

func expandHome(p string) string {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, rest)
		}
	}
	return p
}

// Render writes a commented settings file holding f's values. Every value
// is quoted by the YAML encoder, so the file parses back to f.
func Render(f File) []byte {
	var b bytes.Buffer
	q := func(v any) string {
		if v == "" {
			return ""
		}
		out, _ := yaml.Marshal(v)
		return strings.TrimSuffix(string(out), "\n")
	}
	data := map[string]string{
		"DB": q(f.DB), "Profile": q(f.Profile), "Target": q(f.Target), "ProfilesDir": q(f.ProfilesDir),
		"Shop": q(f.ShopSchema), "CRM": q(f.CRMSchema), "Start": q(f.Start.Format("2006-01-02")),
		"Scale": q(f.Scale), "Seed": q(f.Seed),
	}
	if err := fileTemplate.Execute(&b, data); err != nil {
		panic(err) // the template and its data are fixed
	}
	return b.Bytes()
}

var fileTemplate = template.Must(template.New(FileName).Parse(`# originsim.yaml: the settings every originsim command reads when it runs in
# this folder. Command-line flags and the environment variables ORIGINSIM_DB,
# ORIGINSIM_SHOP_SCHEMA and ORIGINSIM_CRM_SCHEMA take precedence over it.
# Unknown keys are an error. Made by 'originsim init'.

# The database, as a URL:
#   duckdb:PATH                                 a DuckDB file (relative to this folder)
#   postgres://user:password@host:5432/dbname   PostgreSQL
#   mysql://user:password@host:3306/            MySQL or MariaDB
# A password is better kept out of this file: in ORIGINSIM_DB, or in a dbt
# profile.
{{if .Profile}}# db: duckdb:data/ingestion_simulator.duckdb{{else}}db: {{.DB}}{{end}}

# Or read the database from a dbt profiles.yml instead of db: the profile,
# its target (default: the profile's target: key) and the folder holding
# profiles.yml (default: $DBT_PROFILES_DIR, then this folder, then ~/.dbt).
{{if .Profile}}profile: {{.Profile}}
{{if .Target}}target: {{.Target}}{{else}}# target: dev{{end}}
{{if .ProfilesDir}}profiles_dir: {{.ProfilesDir}}{{else}}# profiles_dir: ~/.dbt{{end}}{{else}}# profile: ingestion_simulator
# target: dev
# profiles_dir: ~/.dbt{{end}}

# The schemas (on MySQL: databases) of the two systems.
shop_schema: {{.Shop}}
crm_schema: {{.CRM}}

# What load-baseline, reset and extras generate; the same three values give
# the same data, byte for byte.
# The simulated date of Day 0, YYYY-MM-DD.
start_date: {{.Start}}
# Size factor: 1 is the documented contract (100 customers and 500 orders at
# Day 0); products and campaigns do not grow.
scale: {{.Scale}}
# Random seed, from 1.
seed: {{.Seed}}
`))
