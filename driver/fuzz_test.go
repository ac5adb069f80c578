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

// ParseURL and Redact must never panic, and a password that the URL
// carries must never survive redaction.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"duckdb:data/x.duckdb", "duckdb::memory:", "postgres://u:secret@h:5432/db?sslmode=disable",
		"mysql://root@127.0.0.1:3306/", "mariadb://a:b@c/", "postgres://u:p@ss:w/rd@h/db", "x://[::1",
		"", ":", "://", "postgres://h/db?password=hunter2&x=1", "sqlserver://sa:pw@h?database=d",
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
			return
		}
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
