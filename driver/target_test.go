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
		"oracle:scott:tiger@db":                               "oracle:scott:xxxxx@db",
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

// A file database and a server database registered for these tests only,
// so ParseURL knows their kinds.
func init() {
	open := func(context.Context, *URL) (Target, error) { return nil, errors.New("not a database") }
	Register(&Driver{Name: "testfile", Schemes: []string{"testfile"}, FileURL: true, Open: open, Dialect: &SQL{DialectName: "testfile"}})
	Register(&Driver{Name: "testserver", Schemes: []string{"testserver"}, Open: open, Dialect: &SQL{DialectName: "testserver"}})
}

// A scheme in any case reaches its driver in one form: lower case, in Raw
// too (pgx reads "Postgres://..." as keyword=value settings, and went to
// the local socket as the OS user).
func TestParseURLCanonicalScheme(t *testing.T) {
	cases := map[string]string{
		"Postgres://u:S3cr%40t@127.0.0.1:5432/test":   "postgres://u:S3cr%40t@127.0.0.1:5432/test",
		"POSTGRESQL://u:S3cr%40t@127.0.0.1:5432/test": "postgresql://u:S3cr%40t@127.0.0.1:5432/test",
		"MySQL://root@127.0.0.1:3306/":                "mysql://root@127.0.0.1:3306/",
		"TestFile:Data/X.db":                          "testfile:Data/X.db",
		"TESTSERVER://u@h/db":                         "testserver://u@h/db",
		// The user info escaped as net/url reads it: a driver that cuts
		// at the first @ would take "ss@h" for the host.
		"postgres://app:p@ss@h:5432/db?x=a@b": "postgres://app:p%40ss@h:5432/db?x=a@b",
		"mysql://app:a:b@h:3306/":             "mysql://app:a%3Ab@h:3306/",
		"postgres://a%40b:p%2Fw@h/db":         "postgres://a%40b:p%2Fw@h/db",
	}
	for in, want := range cases {
		u, err := ParseURL(in)
		if err != nil || u.Raw != want || u.Scheme != strings.ToLower(strings.SplitN(in, ":", 2)[0]) {
			t.Errorf("ParseURL(%q) = %+v, %v; want Raw %q", in, u, err, want)
		}
	}
}

// fragments are the parts of a password between its special characters,
// of three characters or more: none may appear in a message.
func fragments(pw string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(pw, func(r rune) bool { return strings.ContainsRune("@/?#%: ", r) }) {
		if len(f) >= 3 {
			out = append(out, f)
		}
	}
	return out
}

// A URL that does not parse is refused without quoting any of it: url.Parse
// quotes a prefix of its input ("postgres://u:hunter": invalid port), and
// the prefix of a password is a password.
func TestParseURLNeverQuotesAPassword(t *testing.T) {
	for _, pw := range []string{"Kq7/Zr9x", "Wm4?Tb8v", "Hj2#Pn6c", "Lx5%Qd3w", "Ns8 Fy1k", "Vg3/Rt7?Ye2#Ub9", "Dc4%zzEo7"} {
		for _, scheme := range []string{"postgres", "Postgres", "POSTGRESQL", "mysql", "testserver", "unknownscheme"} {
			for _, raw := range []string{
				scheme + "://app:" + pw + "@127.0.0.1:5432/test",
				scheme + "://app:" + pw + "@127.0.0.1:5432/test?sslmode=disable",
				scheme + "://app:" + pw + "@127.0.0.1:1433?database=x",
			} {
				_, err := ParseURL(raw)
				if !errors.Is(err, ErrURL) {
					t.Errorf("ParseURL(%q) accepted", raw)
					continue
				}
				for _, f := range fragments(pw) {
					if strings.Contains(err.Error(), f) {
						t.Errorf("ParseURL(%q): the message shows %q: %v", raw, f, err)
					}
				}
				if !strings.Contains(err.Error(), "must be percent-encoded") {
					t.Errorf("ParseURL(%q): the message does not say how to fix it: %v", raw, err)
				}
			}
		}
	}
}

// An unencoded / ? or # in a password of digits ends the authority early
// and still parses: postgres://u:12/x@h/db is host u, port 12. An '@' left
// over after the authority gives it away.
func TestParseURLRefusesAMisplacedUserInfo(t *testing.T) {
	for _, raw := range []string{
		"postgres://u:123/xyz@h/db", "postgres://u:123#xyz@h/db", "postgres://u:123?xyz@h:5432/db",
		"testserver://u:123?xyz@h:1433?database=d", "mysql://u:pa@ss/x@h/", "postgres://u:pa@ss#x@h/db",
		"postgres://u:123?x=y@h:5432/db",
	} {
		_, err := ParseURL(raw)
		if !errors.Is(err, ErrURL) || strings.Contains(err.Error(), "123") || strings.Contains(err.Error(), "xyz") {
			t.Errorf("ParseURL(%q): %v", raw, err)
		}
	}
	for _, raw := range []string{
		"postgres://host:5432/db?application_name=a@b", "postgres://u:p%40ss@h/db?application_name=me@example.com&sslmode=disable",
		"postgres://u:pa@ss@h/db", "mysql://u:pa:ss@h:3306/", "testserver://u:p%23w@h:1433?database=d@x",
	} {
		if _, err := ParseURL(raw); err != nil {
			t.Errorf("ParseURL(%q): %v", raw, err)
		}
	}
}

// A server database's URL without // is the driver's to refuse; its
// password stays masked in the URL the driver quotes.
func TestParseURLServerWithoutSlashes(t *testing.T) {
	u, err := ParseURL("TestServer:app:Gy7Hunter@h/db")
	if err != nil || u.Parsed != nil || u.Raw != "testserver:app:Gy7Hunter@h/db" || strings.Contains(u.Redacted(), "Hunter") {
		t.Errorf("testserver: without //: %+v %v", u, err)
	}
}

func TestEphemeral(t *testing.T) {
	for raw, want := range map[string]bool{
		"testfile::memory:": true, "TestFile::memory:": true, "testfile::memory:?threads=2": true, "testfile::memory:named": true,
		"testfile:data/x.db": false, "testfile:md:db": false, "testfile:data/:memory:": false,
		"testserver://h/:memory:": false, "unknownscheme::memory:": false,
	} {
		u, err := ParseURL(raw)
		if err != nil || u.Ephemeral() != want {
			t.Errorf("ParseURL(%q).Ephemeral() = %v (%v), want %v", raw, u != nil && u.Ephemeral(), err, want)
		}
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
