package driver

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// URL is a parsed target URL. Raw is what the user gave; Redacted() is safe
// to print.
type URL struct {
	Raw    string
	Scheme string
	// Path is the part after "scheme:" for file databases (duckdb:PATH).
	Path string
	// Parsed is set for server URLs (scheme://user:pass@host/...).
	Parsed *url.URL
	// LockScope names what an operation's lock covers: the shop schema of
	// the pair of systems the caller works on. Operations on other pairs
	// of the same database or server do not wait for each other. Empty:
	// the whole database.
	LockScope string
	// ReadOnly says the caller only reads: the driver must not create,
	// change or remove anything (a missing DuckDB file stays missing).
	ReadOnly bool
}

// OpenOption sets what a caller tells a driver beside the URL.
type OpenOption func(*URL)

// WithLockScope sets URL.LockScope.
func WithLockScope(name string) OpenOption { return func(u *URL) { u.LockScope = name } }

// WithReadOnly sets URL.ReadOnly.
func WithReadOnly() OpenOption { return func(u *URL) { u.ReadOnly = true } }

// Redacted returns the URL with any password masked.
func (u *URL) Redacted() string { return Redact(u.Raw) }

// ParseURL splits a target URL into its scheme and the rest. It checks only
// the form; the target checks the details.
func ParseURL(raw string) (*URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("%w: empty (for example duckdb:data/ingestion_simulator.duckdb)", ErrURL)
	}
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok || scheme == "" || strings.ContainsAny(scheme, "/\\ .") {
		return nil, fmt.Errorf("%w %q: expected scheme:..., such as duckdb:PATH or postgres://user@host/db", ErrURL, Redact(raw))
	}
	scheme = strings.ToLower(scheme)
	u := &URL{Raw: raw, Scheme: scheme}
	if d, ok := Lookup(scheme); strings.HasPrefix(rest, "//") && !(ok && d.FileURL) {
		p, err := url.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %v", ErrURL, Redact(raw), redactErr(err, raw))
		}
		u.Parsed = p
	} else {
		u.Path = strings.TrimPrefix(rest, "//")
	}
	return u, nil
}

// Redact masks the password of a URL (user:secret@ becomes user:xxxxx@) and
// password= parameters, so it can be shown in messages.
func Redact(raw string) string {
	out := raw
	if i := strings.Index(out, "://"); i >= 0 {
		rest := out[i+3:]
		// A well-formed URL: the user info ends at the last '@' of the
		// authority. A malformed one (a password with an unencoded '/',
		// '?', '#' or '@'): the password may run to the last '@' anywhere,
		// so mask that far; too much rather than too little.
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		at := strings.LastIndex(rest[:end], "@")
		if p, err := url.Parse(raw); err != nil || strings.Contains(p.Path, "@") {
			at = strings.LastIndex(rest, "@")
		}
		if c := strings.Index(rest, ":"); at >= 0 && c >= 0 && c < at {
			rest = rest[:c+1] + "xxxxx" + rest[at:]
		}
		out = out[:i+3] + rest
	}
	for _, key := range []string{"password=", "pwd=", "PASSWORD=", "Password=", "token="} {
		for from := 0; ; {
			i := strings.Index(out[from:], key)
			if i < 0 {
				break
			}
			i += from + len(key)
			j := strings.IndexAny(out[i:], "&;")
			if j < 0 {
				j = len(out) - i
			}
			out = out[:i] + "xxxxx" + out[i+j:]
			from = i + 5
		}
	}
	return out
}

// redactErr removes the raw URL from an error message, since url.Parse
// quotes its input.
func redactErr(err error, raw string) string {
	return strings.ReplaceAll(err.Error(), raw, Redact(raw))
}

// CleanError renders a driver's error on one line, without the URL's
// password in any form it may take there: the URL as given, the password
// as given, and the password escaped as a URL's user info or query holds
// it; secrets are other values to mask (a password the driver read
// elsewhere). Repeated lines (one per connection attempt) are said once.
// Every driver's messages go through it; redactErr is for ParseURL's own.
func CleanError(err error, raw string, secrets ...string) string {
	msg := strings.ReplaceAll(err.Error(), raw, Redact(raw))
	for _, p := range passwords(raw, secrets...) {
		msg = strings.ReplaceAll(msg, p, "xxxxx")
	}
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}

// passwords are the forms the password of a URL may take in a message:
// decoded, and escaped for the user info and for a query.
func passwords(raw string, secrets ...string) []string {
	var out []string
	add := func(p string) {
		if p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	for _, s := range secrets {
		add(s)
		add(url.QueryEscape(s))
		add(url.PathEscape(s))
	}
	if p, err := url.Parse(raw); err == nil && p.User != nil {
		if pw, ok := p.User.Password(); ok {
			add(pw)
			add(url.QueryEscape(pw))
			add(url.PathEscape(pw))
			if _, rest, ok := strings.Cut(p.User.String(), ":"); ok {
				add(rest)
			}
		}
		for _, key := range []string{"password", "pwd", "PASSWORD", "Password", "token"} {
			for _, v := range p.Query()[key] {
				add(v)
				add(url.QueryEscape(v))
			}
		}
	}
	// Longest first, so a password is masked before a part of it.
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}
