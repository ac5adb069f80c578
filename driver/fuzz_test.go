package driver

import (
	"errors"
	"strings"
	"testing"
)

func isAlnum(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// disguise rotates the letters and digits after a URL's scheme (rot13, and
// digits by five), keeping every other character and the scheme.
func disguise(raw string) string {
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok {
		return raw
	}
	return scheme + ":" + strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return 'a' + (r-'a'+13)%26
		case r >= 'A' && r <= 'Z':
			return 'A' + (r-'A'+13)%26
		case r >= '0' && r <= '9':
			return '0' + (r-'0'+5)%10
		}
		return r
	}, rest)
}

// ParseURL and Redact must never panic, and a password that the URL
// carries must never survive redaction.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"duckdb:data/x.duckdb", "duckdb::memory:", "postgres://u:secret@h:5432/db?sslmode=disable",
		"mysql://root@127.0.0.1:3306/", "mariadb://a:b@c/", "postgres://u:p@ss:w/rd@h/db", "x://[::1",
		"", ":", "://", "postgres://h/db?password=hunter2&x=1", "sqlserver://sa:pw@h?database=d",
		"Postgres://u:hunter#2x@127.0.0.1:5432/test", "mysql://u:pa ss@h/", "postgres://u:123/x@h/db", "testfile::memory:",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		red := Redact(raw)
		u, err := ParseURL(raw)
		if err != nil {
			if !errors.Is(err, ErrURL) {
				t.Fatalf("ParseURL(%q): error not ErrURL: %v", raw, err)
			}
			// The message says nothing of what follows the scheme but its
			// form: the same URL with other letters and digits in the
			// same places, if refused too, gets the same message.
			if _, err2 := ParseURL(disguise(raw)); err2 != nil && err2.Error() != err.Error() {
				t.Fatalf("ParseURL's message depends on the URL's letters or digits, so it shows some:\n%q: %v\n%q: %v", raw, err, disguise(raw), err2)
			}
			return
		}
		_ = u.Ephemeral()
		if u.Scheme == "" || strings.ContainsAny(u.Scheme, "/ .") {
			t.Fatalf("ParseURL(%q): scheme %q", raw, u.Scheme)
		}
		if u.Parsed != nil && u.Parsed.User != nil {
			// A password of letters and digits that appears once in the URL
			// must be gone after redaction.
			if pw, ok := u.Parsed.User.Password(); ok && len(pw) >= 3 && isAlnum(pw) && strings.Count(raw, pw) == 1 && strings.Contains(red, pw) {
				t.Fatalf("Redact(%q) = %q shows the password %q", raw, red, pw)
			}
		}
	})
}
