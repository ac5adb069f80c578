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
// the form; the target checks the details. The scheme is matched whatever
// its case, and Raw is rewritten with it in lower case
// (Postgres://... becomes postgres://...), so every driver sees one form.
//
// Its errors never quote the URL: a URL that does not parse may hold a
// password in a place no masking can be sure of.
func ParseURL(raw string) (*URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("%w: empty (for example duckdb:data/ingestion_simulator.duckdb)", ErrURL)
	}
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok || !validScheme(scheme) {
		return nil, fmt.Errorf("%w: expected scheme:..., such as duckdb:PATH or postgres://user@host/db", ErrURL)
	}
	scheme = strings.ToLower(scheme)
	raw = scheme + ":" + rest
	u := &URL{Raw: raw, Scheme: scheme}
	d, known := Lookup(scheme)
	switch {
	case known && d.FileURL:
		u.Path = strings.TrimPrefix(rest, "//")
	case strings.HasPrefix(rest, "//"):
		p, err := url.Parse(raw)
		if err != nil || misplacedUserInfo(rest[2:]) {
			// url.Parse's message quotes a part of the URL, which may be
			// a part of the password: say what is wrong in our words.
			return nil, fmt.Errorf("%w: %s://... does not read as %s://user:password@host:port/...: %s", ErrURL, scheme, scheme, encodeAdvice)
		}
		u.Parsed = p
		u.Raw = canonicalUserInfo(raw, scheme, rest[2:], p)
	default:
		// The driver says what it expects; Redact masks a password in
		// scheme:user:secret@host too.
		u.Path = rest
	}
	return u, nil
}

// encodeAdvice says how to write a password that a URL cannot hold as it
// is.
const encodeAdvice = "a user name or password holding @ / ? # % : or a space must be percent-encoded " +
	"(@ as %40, / as %2F, ? as %3F, # as %23, % as %25, : as %3A, a space as %20); check the host and port too"

// canonicalUserInfo rewrites the user name and password of a server URL
// escaped, as net/url reads them: a password with an unescaped @
// (u:p@ss@host) is read by the last @, but a driver parsing the URL its own
// way (pgx) may cut it at the first, and take the rest of the password for
// a host name to look up.
func canonicalUserInfo(raw, scheme, afterSlashes string, p *url.URL) string {
	if p.User == nil {
		return raw
	}
	authority := afterSlashes
	if end := strings.IndexAny(authority, "/?#"); end >= 0 {
		authority = authority[:end]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		return raw
	}
	return scheme + "://" + p.User.String() + afterSlashes[at:]
}

// validScheme: a letter, then letters, digits, + and - (RFC 3986 allows .
// too; no scheme registered has one).
func validScheme(s string) bool {
	for i, r := range s {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || !(r >= '0' && r <= '9' || r == '+' || r == '-')) {
			return false
		}
	}
	return s != ""
}

// misplacedUserInfo says whether an '@' after the authority of a server URL
// (given without its "scheme://") shows a user name or password whose
// unencoded / ? or # ended the authority early: postgres://u:12/x@h/db
// parses as host u, port 12. An '@' in the path or the fragment is always
// taken for that; in the query only when what follows it reads as a host
// (up to a / or ?), so application_name=a@b stays allowed.
func misplacedUserInfo(s string) bool {
	end := strings.IndexAny(s, "/?#")
	if end < 0 {
		return false
	}
	after := s[end:]
	path, query, fragment := after, "", ""
	if i := strings.Index(path, "#"); i >= 0 {
		path, fragment = path[:i], path[i+1:]
	}
	if i := strings.Index(path, "?"); i >= 0 {
		path, query = path[:i], path[i+1:]
	}
	if strings.Contains(path, "@") || strings.Contains(fragment, "@") {
		return true
	}
	if at := strings.LastIndex(query, "@"); at >= 0 {
		tail := query[at+1:]
		if i := strings.IndexAny(tail, "/?=&;"); i >= 0 && (tail[i] == '/' || tail[i] == '?') {
			return true
		}
	}
	return false
}

// Ephemeral says the URL names a database that lives only as long as the
// process: a file database's in-memory name (:memory:, :memory:NAME). A
// library caller may want one; a command that should leave data behind
// refuses it.
func (u *URL) Ephemeral() bool {
	if u.Parsed != nil {
		return false
	}
	if d, ok := Lookup(u.Scheme); !ok || !d.FileURL {
		return false
	}
	path, _, _ := strings.Cut(u.Path, "?")
	return strings.HasPrefix(path, ":memory:")
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
	} else if scheme, rest, ok := strings.Cut(out, ":"); ok {
		// scheme:user:secret@host, without the //: no driver reads it,
		// but it is still a password.
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			if c := strings.Index(rest, ":"); c >= 0 && c < at {
				out = scheme + ":" + rest[:c+1] + "xxxxx" + rest[at:]
			}
		}
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

// CleanError renders a driver's error on one line, without the URL's
// password in any form it may take there: the URL as given, the password
// as given, and the password escaped as a URL's user info or query holds
// it; secrets are other values to mask (a password the driver read
// elsewhere). Repeated lines (one per connection attempt) are said once.
// Every driver's messages go through it; ParseURL's own never quote the URL.
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
