// Package driver is the contract every database implements, and the
// registry that picks an implementation by URL scheme (duckdb:,
// postgres://, mysql://, ...). SQL text comes from a Dialect: pure string
// functions that tests check without a database.
//
// Everything specific to one database lives in its own package under
// driver/ (driver/postgres, driver/duckdb, ...), which fills in a Driver
// and registers it from its init function. A program imports the drivers
// it wants (driver/all imports every one); a program that imports only
// driver/postgres builds without cgo.
//
// Adding a database is one folder and one import line:
//
//   - driver/<db>/<db>.go: an Opener returning a Target whose Tx runs
//     statements in one transaction; a Dialect (usually a *SQL with the
//     database's settings); and init calling Register with a Driver that
//     names its URL schemes, the dialect names the sql command takes, the
//     dbt profile types it reads (ProfileURL) and what it offers in place
//     of change capture it lacks (NoCapture).
//   - Optional capabilities, each a small interface a Tx or Target may
//     implement and each claim pinned by a compile-time assertion such as
//     var _ driver.Updater = (*tx)(nil): Streamer, Updater, TrustedLoader,
//     FileCopier, ExecCounter (Tx) and ChangeCaptureTarget (Target).
//   - A line in driver/all, and a conformance test in the package's tests:
//     every driver must pass internal/simtest's suite (simtest.Run), which
//     loads, plays, verifies and compares fingerprints with DuckDB's.
package driver

import (
	"context"
	"errors"
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

// FileCopier is implemented by a Tx whose database writes files itself
// (DuckDB's COPY): the rows of a table in the text forms the export
// package writes, byte for byte for CSV and JSON lines.
type FileCopier interface {
	// CopyTable writes schema.t to path in format ("csv", "jsonl" or
	// "parquet"), in key order; stored says the rows are stored in key
	// order already, so none is imposed.
	CopyTable(ctx context.Context, schema string, t *model.Table, path, format string, stored bool) error
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
// cols[1:] of the rows keyed by cols[0], and report how many rows matched
// a key. Without it, updates are rendered by the dialect's Update in
// batches.
type Updater interface {
	Update(ctx context.Context, schema string, t *model.Table, cols []string, rows [][]any) (int64, error)
}

// ExecCounter is implemented by a Tx that reports how many rows an UPDATE
// or DELETE matched (found, whether or not a value changed). A day checks
// with it that every row it changes is where the day before left it.
type ExecCounter interface {
	ExecCount(ctx context.Context, query string) (int64, error)
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
	// ErrNotFound: the database does not exist (a missing DuckDB file), and
	// the caller only reads, so nothing was created.
	ErrNotFound = errors.New("no such database")
)
