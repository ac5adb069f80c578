package driver

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	cases := map[string]string{
		"postgres://user:s3cret@host:5432/db":                 "postgres://user:xxxxx@host:5432/db",
		"mysql://root:p%40ss@127.0.0.1:3306/":                 "mysql://root:xxxxx@127.0.0.1:3306/",
		"postgres://user@host/db":                             "postgres://user@host/db",
		"sqlserver://sa:pw@h?database=x&password=hunter2":     "sqlserver://sa:xxxxx@h?database=x&password=xxxxx",
		"postgres://u:a@b@host/db":                            "postgres://u:xxxxx@host/db",
		"postgres://app:p@ss:w/rd@host:5432/db":               "postgres://app:xxxxx@host:5432/db",
		"mysql://u:a?b#c@host/":                               "mysql://u:xxxxx@host/",
		"postgres://host:5432/db?application_name=a@b":        "postgres://host:5432/db?application_name=a@b",
		"postgres://u:123/ss@host/db":                         "postgres://u:xxxxx@host/db",
		"duckdb:data/x.duckdb":                                "duckdb:data/x.duckdb",
		"duckdb:md:analytics?motherduck_token=eyJhbGc.secret": "duckdb:md:analytics?motherduck_token=xxxxx",
		"postgres://host/db?user=u&password=top&sslmode=off":  "postgres://host/db?user=u&password=xxxxx&sslmode=off",
	}
	for in, want := range cases {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseURL(t *testing.T) {
	u, err := ParseURL("duckdb:data/x.duckdb")
	if err != nil || u.Scheme != "duckdb" || u.Path != "data/x.duckdb" {
		t.Fatalf("duckdb URL: %+v %v", u, err)
	}
	u, err = ParseURL("Postgres://u:p@h:1/db")
	if err != nil || u.Scheme != "postgres" || u.Parsed == nil || u.Parsed.Host != "h:1" {
		t.Fatalf("postgres URL: %+v %v", u, err)
	}
	for _, bad := range []string{"", "   ", "no-scheme", ":nothing", "post gres://x", "a.b:c"} {
		if _, err := ParseURL(bad); !errors.Is(err, ErrURL) {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
	_, err = ParseURL("postgres://user:hunter2@[::1")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("malformed URL error shows the password or passes: %v", err)
	}
}

func TestOpenUnknownScheme(t *testing.T) {
	_, err := Open(t.Context(), "oracle://scott:tiger@db/orcl")
	if !errors.Is(err, ErrURL) || strings.Contains(err.Error(), "tiger") || !strings.Contains(err.Error(), "unknown scheme") {
		t.Fatalf("unknown scheme: %v", err)
	}
}

// Every driver's errors go through CleanError: the password is masked as
// given, URL-escaped and query-escaped, and repeated lines are said once.
func TestCleanError(t *testing.T) {
	raw := "postgres://app:p%40ss%2Fw%20rd@host/db?password=q%26x"
	err := errors.New("dial postgres://app:p%40ss%2Fw%20rd@host/db?password=q%26x: login p@ss/w rd\nrefused for p%40ss%2Fw%20rd\nrefused for p%40ss%2Fw%20rd\nsecret=q&x extra=hunter2")
	got := CleanError(err, raw, "hunter2")
	for _, leak := range []string{"p@ss", "p%40ss", "q&x", "q%26x", "hunter2"} {
		if strings.Contains(got, leak) {
			t.Errorf("CleanError leaks %q: %s", leak, got)
		}
	}
	if strings.Count(got, "refused for") != 1 || strings.Contains(got, "\n") {
		t.Errorf("CleanError keeps repeated lines or line breaks: %s", got)
	}
}

// A name registered twice panics: two drivers would answer for one URL.
func TestRegisterTwicePanics(t *testing.T) {
	open := func(context.Context, *URL) (Target, error) { return nil, errors.New("not a database") }
	d := &Driver{Name: "regtest", Schemes: []string{"regtest"}, Open: open, Dialect: &SQL{DialectName: "regtest"}, ProfileTypes: []string{"regtest"}}
	Register(d)
	for name, again := range map[string]*Driver{
		"the same name":         {Name: "regtest", Schemes: []string{"regtest2"}, Open: open, Dialect: d.Dialect},
		"a scheme taken":        {Name: "regtest3", Schemes: []string{"REGTEST"}, Open: open, Dialect: d.Dialect},
		"a profile type taken":  {Name: "regtest4", Schemes: []string{"regtest4"}, Open: open, Dialect: d.Dialect, ProfileTypes: []string{"regtest"}},
		"a dialect name taken":  {Name: "regtest5", Schemes: []string{"regtest5"}, Open: open, Dialect: d.Dialect, DialectNames: []string{"regtest"}},
		"no opener, no dialect": {Name: "regtest6", Schemes: []string{"regtest6"}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: Register did not panic", name)
				}
			}()
			Register(again)
		}()
	}
	if got, ok := Lookup("RegTest"); !ok || got != d {
		t.Errorf("Lookup after the refused registrations: %v %v", got, ok)
	}
	if _, ok := Lookup("regtest3"); ok {
		t.Errorf("a refused driver was registered")
	}
}
