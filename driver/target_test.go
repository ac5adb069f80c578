package driver

import (
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
