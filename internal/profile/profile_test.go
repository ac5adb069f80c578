package profile

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

const profiles = `
config:
  send_anonymous_usage_stats: false
ingestion_simulator:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: "{{ env_var('MY_DB_PATH') }}"
      threads: 4
    defaulted:
      type: duckdb
      path: "{{ env_var('UNSET_PATH', 'data/fallback.duckdb') }}"
    memory:
      type: duckdb
      path: ":memory:"
    nopath:
      type: duckdb
    motherduck:
      type: duckdb
      path: 'md:'
      token: "{{ env_var('MOTHERDUCK_TOKEN') }}"
    pg:
      type: postgres
      host: db.example.com
      port: "{{ env_var('PG_PORT', '5433') | int }}"
      user: app
      pass: "{{ env_var('PG_PASSWORD') }}"
      dbname: analytics
      schema: dbt_dev
      sslmode: require
    my:
      type: mysql
      server: "{{ env_var('MY_HOST') }}"
      username: root
      password: "p@ss:w/rd?#"
      schema: dbt
    maria:
      type: mariadb
      host: localhost
      user: me
    azure:
      type: sqlserver
      server: "{{ env_var('SQL_SERVER') }}.database.windows.net"
      port: 1433
      database: "{{ env_var('SQL_DATABASE', 'jaffle_shop') }}"
      schema: dbo
      authentication: sql
      user: "{{ env_var('SQL_USER') }}"
      password: "{{ env_var('SQL_PASSWORD') }}"
      encrypt: true
      trust_cert: false
    aad:
      type: sqlserver
      server: s
      database: d
      user: u
      authentication: ActiveDirectoryPassword
    databricks:
      type: databricks
      host: x
    jinja:
      type: duckdb
      path: "{{ var('path') }}"
    pgnohost:
      type: postgres
      user: app
      dbname: x
other:
  outputs:
    prod:
      type: postgres
      host: h
      user: u
      dbname: d
`

func write(t *testing.T, content string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

var env = envOf(map[string]string{
	"MY_DB_PATH": "/tmp/x/sim.duckdb", "MOTHERDUCK_TOKEN": "tok", "PG_PASSWORD": "s3cr et/&",
	"MY_HOST": "mysql.internal", "SQL_SERVER": "acme", "SQL_USER": "sa", "SQL_PASSWORD": "Pa;ss=1",
})

func TestTargets(t *testing.T) {
	dir := write(t, profiles)
	cases := []struct{ target, url string }{
		{"", "duckdb:/tmp/x/sim.duckdb"}, // the profile's target: key
		{"dev", "duckdb:/tmp/x/sim.duckdb"},
		{"defaulted", "duckdb:data/fallback.duckdb"},
		{"motherduck", "duckdb:md:"},
		{"pg", "postgres://app:s3cr%20et%2F&@db.example.com:5433/analytics?sslmode=require"},
		{"my", "mysql://root:p%40ss%3Aw%2Frd%3F%23@mysql.internal:3306/"},
		{"maria", "mariadb://me@localhost:3306/"},
		{"azure", "sqlserver://sa:Pa;ss=1@acme.database.windows.net:1433?TrustServerCertificate=false&database=jaffle_shop&encrypt=true"},
	}
	for _, c := range cases {
		r, err := Resolve(Request{Profile: "ingestion_simulator", Target: c.target, Dir: dir, LookupEnv: env})
		if err != nil {
			t.Errorf("target %q: %v", c.target, err)
			continue
		}
		if r.URL != c.url {
			t.Errorf("target %q: URL %s, want %s", c.target, r.URL, c.url)
		}
		if want := c.target; want != "" && r.Target != want {
			t.Errorf("target %q resolved as %q", c.target, r.Target)
		}
	}
	// Passwords survive the round trip through the URL.
	r, _ := Resolve(Request{Profile: "ingestion_simulator", Target: "my", Dir: dir, LookupEnv: env})
	u, err := url.Parse(r.URL)
	if p, _ := u.User.Password(); err != nil || p != "p@ss:w/rd?#" {
		t.Errorf("password after parsing the URL: %q, %v", p, err)
	}
	// A profile without target: uses dbt's "default".
	if _, err := Resolve(Request{Profile: "other", Dir: dir, LookupEnv: env}); err == nil || !strings.Contains(err.Error(), `no target "default" (targets: prod)`) {
		t.Errorf("profile without a target key: %v", err)
	}
}

func TestErrors(t *testing.T) {
	dir := write(t, profiles)
	cases := []struct {
		profile, target string
		says            []string
	}{
		{"nope", "", []string{"has no profile \"nope\"", "profiles: ingestion_simulator, other", dir}},
		{"config", "", []string{"has no profile \"config\""}},
		{"ingestion_simulator", "prod", []string{"no target \"prod\"", "targets: aad, azure, databricks, defaulted, dev,"}},
		{"ingestion_simulator", "memory", []string{"in-memory", "give the target a file path"}},
		{"ingestion_simulator", "nopath", []string{"in-memory", ":memory:"}},
		{"ingestion_simulator", "databricks", []string{"type databricks", "does not support yet", "supported: duckdb, mysql, postgres, sqlserver"}},
		{"ingestion_simulator", "jinja", []string{"{{ var('path') }} is not supported", "field path"}},
		{"ingestion_simulator", "aad", []string{"authentication ActiveDirectoryPassword is not supported"}},
		{"ingestion_simulator", "pgnohost", []string{"host is not set"}},
	}
	for _, c := range cases {
		_, err := Resolve(Request{Profile: c.profile, Target: c.target, Dir: dir, LookupEnv: env})
		if !errors.Is(err, ErrProfile) {
			t.Errorf("%s/%s: %v, want an ErrProfile", c.profile, c.target, err)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s/%s: %q should say %q", c.profile, c.target, err, s)
			}
		}
	}
	// An unset variable names itself and the field, and never a value.
	_, err := Resolve(Request{Profile: "ingestion_simulator", Target: "azure", Dir: dir, LookupEnv: envOf(map[string]string{"SQL_SERVER": "acme", "SQL_USER": "sa"})})
	if !errors.Is(err, ErrEnv) || !strings.Contains(err.Error(), "SQL_PASSWORD") || !strings.Contains(err.Error(), "field password") {
		t.Errorf("unset variable: %v", err)
	}
	if _, err := Resolve(Request{Profile: "x", Dir: t.TempDir(), LookupEnv: env}); !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), "profiles.yml not found") {
		t.Errorf("missing file: %v", err)
	}
	bad := write(t, "a: [unclosed\n")
	if _, err := Resolve(Request{Profile: "a", Dir: bad, LookupEnv: env}); !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), bad) {
		t.Errorf("malformed YAML: %v", err)
	}
}

// A secret's value is never shown, not even the part of it that is Jinja
// originsim does not render; other fields name the expression.
func TestSecretFieldsAreNeverEchoed(t *testing.T) {
	for _, pw := range []string{"{{ something_unsupported() }}", "Zq8{{ vault('Kx7pw') }}", "{{ env_var('PW') | upper }}", "{% if x %}Rb5sec{% endif %}", "Mn4{{ env_var('PW')"} {
		for _, field := range []string{"password", "pass"} {
			dir := write(t, fmt.Sprintf("p:\n  target: t\n  outputs:\n    t:\n      type: postgres\n      host: 127.0.0.1\n      user: app\n      %s: %q\n      dbname: d\n", field, pw))
			_, err := Resolve(Request{Profile: "p", Dir: dir, LookupEnv: envOf(map[string]string{"PW": "x"})})
			if !errors.Is(err, ErrProfile) || !strings.Contains(err.Error(), "field "+field) {
				t.Errorf("%s %q: %v", field, pw, err)
				continue
			}
			for _, leak := range []string{"something_unsupported", "vault", "Kx7pw", "Zq8", "upper", "Rb5sec", "Mn4"} {
				if strings.Contains(err.Error(), leak) {
					t.Errorf("%s %q: the error shows %q: %v", field, pw, leak, err)
				}
			}
		}
	}
	// An unset variable is named: its name is no secret.
	dir := write(t, "p:\n  target: t\n  outputs:\n    t:\n      type: postgres\n      host: h\n      user: u\n      password: \"{{ env_var('NO_SUCH_PW') }}\"\n      dbname: d\n")
	if _, err := Resolve(Request{Profile: "p", Dir: dir, LookupEnv: envOf(nil)}); !errors.Is(err, ErrEnv) || !strings.Contains(err.Error(), "NO_SUCH_PW") {
		t.Errorf("unset variable in a password: %v", err)
	}
}

func TestFind(t *testing.T) {
	dir := write(t, profiles)
	home := t.TempDir()
	t.Setenv("HOME", home)
	if f, err := Find("", envOf(map[string]string{EnvDir: dir})); err != nil || f != filepath.Join(dir, FileName) {
		t.Errorf("DBT_PROFILES_DIR: %s %v", f, err)
	}
	if f, err := Find(dir, envOf(map[string]string{EnvDir: "/nowhere"})); err != nil || f != filepath.Join(dir, FileName) {
		t.Errorf("--profiles-dir beats DBT_PROFILES_DIR: %s %v", f, err)
	}
	t.Chdir(t.TempDir())
	if _, err := Find("", envOf(nil)); err == nil || !strings.Contains(err.Error(), filepath.Join(home, ".dbt", FileName)) {
		t.Errorf("no file anywhere: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(home, ".dbt"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".dbt", FileName), []byte(profiles), 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err := Find("", envOf(nil)); err != nil || f != filepath.Join(home, ".dbt", FileName) {
		t.Errorf("~/.dbt: %s %v", f, err)
	}
	// A profiles.yml in the working folder comes before ~/.dbt, as in dbt.
	if err := os.WriteFile(FileName, []byte(profiles), 0o600); err != nil {
		t.Fatal(err)
	}
	if f, err := Find("", envOf(nil)); err != nil || f != FileName {
		t.Errorf("working folder: %s %v", f, err)
	}
}

func TestRender(t *testing.T) {
	e := envOf(map[string]string{"A": "alpha", "EMPTY": "", "BRACES": "{{ x }}"})
	cases := []struct{ in, out, err string }{
		{"plain", "plain", ""},
		{"{{ env_var('A') }}", "alpha", ""},
		{`{{env_var("A")}}`, "alpha", ""},
		{"x-{{ env_var('A') }}-{{ env_var('A') }}", "x-alpha-alpha", ""},
		{"{{ env_var('B', 'dflt') }}", "dflt", ""},
		{"{{ env_var('B', '') }}", "", ""},
		{"{{ env_var('EMPTY', 'dflt') }}", "", ""},
		{"{{ env_var('A') | int }}", "alpha", ""},
		{"{{ env_var('BRACES') }}", "{{ x }}", ""},
		{"{{ env_var('B') }}", "", "B: set it"},
		{"{{ env_var('A') | upper }}", "", "filter | upper"},
		{"{{ target.name }}", "", "is not supported"},
		{"{% if x %}y{% endif %}", "", "not supported"},
		{"{{ env_var('A')", "", "never closed"},
	}
	for _, c := range cases {
		got, err := Render(c.in, e)
		switch {
		case c.err == "" && (err != nil || got != c.out):
			t.Errorf("Render(%q) = %q, %v; want %q", c.in, got, err, c.out)
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("Render(%q): error %v, want one saying %q", c.in, err, c.err)
		}
	}
}
