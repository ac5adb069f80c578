// Package driver is the one small interface every database implements, and
// the registry that picks an implementation by URL scheme (duckdb:,
// postgres://, mysql://, ...). SQL text comes from a Dialect: pure string
// functions that tests check without a database.
package driver

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/originsim/originsim/model"
)

// Target is an open connection to one database.
type Target interface {
	// Dialect renders this database's SQL.
	Dialect() Dialect
	// Begin starts the transaction one operation runs in. It also takes the
	// database's cross-process lock where the database needs one, so two
	// operations never interleave.
	Begin(ctx context.Context) (Tx, error)
	// Close releases the connection.
	Close() error
}

// Tx is one transaction: everything an operation does happens in it or not
// at all.
type Tx interface {
	// Exec runs a statement.
	Exec(ctx context.Context, query string) error
	// Query runs a query and calls fn for each row with its values
	// normalised to the given kinds (see model.Normalize). The row slice is
	// reused between calls.
	Query(ctx context.Context, query string, kinds []model.Kind, fn func(row []any) error) error
	// Insert appends rows (values in column order) to schema.table through
	// the database's bulk path.
	Insert(ctx context.Context, schema string, t *model.Table, rows [][]any) error
	Commit() error
	Rollback() error
}

// Streamer is implemented by a Tx whose bulk path can take all of a
// table's rows as one stream: next returns the batches in order and nil at
// the end. The database works on one batch while the next is made.
// Without it, each batch is an Insert.
type Streamer interface {
	InsertStream(ctx context.Context, schema string, t *model.Table, next func() ([][]any, error)) error
}

// TrustedLoader is implemented by a Tx that can copy rows into a table
// whose foreign keys are already declared without the database checking
// each row against them. A load whose rows satisfy their foreign keys by
// construction uses it to declare a table's foreign keys while the table
// is still empty (the server's check of the existing rows is then
// instant) instead of after its rows (a check that joins every row). The
// keys are ordinary validated constraints afterwards, enforced on every
// later write.
type TrustedLoader interface {
	// TrustedLoad reports whether this session may load that way. It
	// changes nothing; false is no error (the load then adds the keys
	// after the rows, checked by the database).
	TrustedLoad(ctx context.Context) (bool, error)
	// Unchecked runs fn, which copies rows, with the row-by-row foreign
	// key checks off, and switches them back on before it returns. When
	// fn fails the operation rolls back, and the setting with it.
	Unchecked(ctx context.Context, fn func() error) error
}

// InTx runs fn in a transaction of tg and commits it; an error from fn
// rolls it back.
func InTx(ctx context.Context, tg Target, fn func(tx Tx) error) error {
	tx, err := tg.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Updater is implemented by a Tx with a bulk path for updates: set columns
// cols[1:] of the rows keyed by cols[0]. Without it, updates are rendered by
// the dialect's Update in batches.
type Updater interface {
	Update(ctx context.Context, schema string, t *model.Table, cols []string, rows [][]any) error
}

// Opener opens a target from a parsed URL.
type Opener func(ctx context.Context, u *URL) (Target, error)

type registry struct {
	mu      sync.RWMutex
	openers map[string]Opener
}

// The registry is filled by the target packages' init functions, the way
// database/sql drivers register themselves; it is not changed afterwards.
var drivers = registry{openers: map[string]Opener{}}

// Register makes a target available under the given URL schemes.
func Register(open Opener, schemes ...string) {
	drivers.mu.Lock()
	defer drivers.mu.Unlock()
	for _, s := range schemes {
		drivers.openers[s] = open
	}
}

// Schemes lists the registered URL schemes.
func Schemes() []string {
	drivers.mu.RLock()
	defer drivers.mu.RUnlock()
	var out []string
	for s := range drivers.openers {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// DefaultConnectTimeout bounds connecting to a server when the URL sets no
// connect_timeout.
const DefaultConnectTimeout = 10 * time.Second

// LockWait is how long an operation on a server waits for another one to
// finish before it gives up with ErrBusy.
const LockWait = 10 * time.Second

// Errors callers branch on.
var (
	ErrURL     = errors.New("invalid database URL")
	ErrConnect = errors.New("cannot connect")
	ErrBusy    = errors.New("another originsim operation is running on this database")
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
}

// Redacted returns the URL with any password masked.
func (u *URL) Redacted() string { return Redact(u.Raw) }

// ParseURL splits a target URL into its scheme and the rest. It checks only
// the form; the target checks the details.
func ParseURL(raw string) (*URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("%w: empty; set --db or ORIGINSIM_DB (for example duckdb:data/ingestion_simulator.duckdb)", ErrURL)
	}
	scheme, rest, ok := strings.Cut(raw, ":")
	if !ok || scheme == "" || strings.ContainsAny(scheme, "/\\ .") {
		return nil, fmt.Errorf("%w %q: expected scheme:..., such as duckdb:PATH or postgres://user@host/db", ErrURL, Redact(raw))
	}
	scheme = strings.ToLower(scheme)
	u := &URL{Raw: raw, Scheme: scheme}
	if strings.HasPrefix(rest, "//") && scheme != "duckdb" {
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

// Open parses the URL and opens the registered target for its scheme.
func Open(ctx context.Context, raw string) (Target, error) {
	u, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	drivers.mu.RLock()
	open, ok := drivers.openers[u.Scheme]
	drivers.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q: unknown scheme %q; supported: %s", ErrURL, u.Redacted(), u.Scheme, strings.Join(Schemes(), ", "))
	}
	return open(ctx, u)
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

// Capture is a database's own change capture.
type Capture string

const (
	// CDC is change data capture: the changes of every row, read from
	// change tables.
	CDC Capture = "cdc"
	// ChangeTracking records which rows changed, not their values.
	ChangeTracking Capture = "change_tracking"
)

// CaptureState is which capture is on for the simulator's tables.
type CaptureState struct {
	Tables int // the tables asked about
	// CDC and ChangeTracking count the tables each is on for.
	CDC, ChangeTracking int
}

// On reports whether capture c is on for at least one table.
func (s CaptureState) On(c Capture) bool {
	if c == CDC {
		return s.CDC > 0
	}
	return s.ChangeTracking > 0
}

// String is "cdc", "change_tracking", both joined by ", ", a count when
// only some tables have it, or "" when none is on.
func (s CaptureState) String() string {
	var parts []string
	for _, c := range []struct {
		name string
		n    int
	}{{string(CDC), s.CDC}, {string(ChangeTracking), s.ChangeTracking}} {
		switch {
		case c.n == 0:
		case c.n == s.Tables:
			parts = append(parts, c.name)
		default:
			parts = append(parts, fmt.Sprintf("%s (%d of %d tables)", c.name, c.n, s.Tables))
		}
	}
	return strings.Join(parts, ", ")
}

// ChangeCaptureTarget is implemented by a Target that can switch on its
// database's own change capture for the simulator's tables. Both methods
// run outside any operation's transaction (SQL Server refuses to enable
// CDC inside one), after the tables exist.
type ChangeCaptureTarget interface {
	// Captures lists the captures the target can switch on; others are
	// refused before anything changes.
	Captures() []Capture
	// EnableCapture turns c on for the database(s) and for each table
	// (schema names the system's schema, or database, as elsewhere). It
	// does nothing for what is on already.
	EnableCapture(ctx context.Context, c Capture, tables []SchemaTable) error
	// CaptureState reports which capture is on for the tables.
	CaptureState(ctx context.Context, tables []SchemaTable) (CaptureState, error)
}

// SchemaTable is one table of a system.
type SchemaTable struct {
	Schema string
	Table  *model.Table
}
