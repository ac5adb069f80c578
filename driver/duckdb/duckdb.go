// Package duckdb is the embedded default target: a DuckDB file, through
// github.com/duckdb/duckdb-go/v2, loaded with DuckDB's Appender.
//
// URL forms: duckdb:PATH (relative or absolute; the parent folder is
// created, unless the caller only reads) and duckdb::memory: for a
// database that lives only as long as the process.
//
// DuckDB installs and loads extensions it needs from the network on its
// own (a SQLite file would fetch sqlite_scanner): originsim switches that
// off, and locks DuckDB's configuration so nothing switches it back on.
// The extensions built into the library (parquet, json, icu) are all it
// uses. duckdb:md: URLs are the exception: DuckDB needs its motherduck
// extension for them, and installs it.
package duckdb

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

type db struct {
	*handle        // the file named by the URL
	path    string // "" in memory
	dsn     string
	query   string // the DuckDB settings, for the staging database too
	key     string // the file's absolute path, for the files this process has open
	// mayStage is set when the file may be new and can be built in a
	// staging folder (stage.go).
	mayStage bool
	stage    *stage
	checked  bool // whether the file was checked for being new
}

// Open opens the DuckDB file named by the URL, creating it unless the
// caller only reads.
func Open(ctx context.Context, u *driver.URL) (driver.Target, error) {
	path := u.Path
	if path == "" {
		return nil, fmt.Errorf("%w %q: give a file, such as duckdb:data/ingestion_simulator.duckdb", driver.ErrURL, u.Raw)
	}
	if strings.HasPrefix(path, "md:") {
		// A MotherDuck database: its options (motherduck_token=...) are
		// DuckDB's business, there is no local file, and DuckDB installs
		// the motherduck extension it needs.
		d := &db{path: strings.SplitN(path, "?", 2)[0], dsn: path}
		var err error
		if d.handle, err = connect(ctx, path); err != nil {
			return nil, openErr(d.path, err)
		}
		return d, nil
	}
	path, query, _ := strings.Cut(path, "?")
	opts, err := options(query)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", driver.ErrURL, u.Redacted(), err)
	}
	if path == ":memory:" {
		d := &db{dsn: ":memory:?" + opts.Encode()}
		if d.handle, err = connect(ctx, d.dsn); err != nil {
			return nil, openErr(path, err)
		}
		return d, nil
	}
	d := &db{path: path}
	if d.key, err = filepath.Abs(path); err != nil {
		return nil, fmt.Errorf("%w to duckdb:%s: %v", driver.ErrConnect, path, err)
	}
	readOnly, err := hold(d.key, path, u.ReadOnly)
	if err != nil {
		return nil, err
	}
	if err := d.prepare(ctx, u.ReadOnly, opts.Encode()); err != nil {
		d.release()
		return nil, err
	}
	if readOnly {
		opts.Set("access_mode", "READ_ONLY")
	}
	d.query = opts.Encode()
	d.dsn = path + "?" + d.query
	if d.handle, err = connect(ctx, d.dsn); err != nil {
		d.release()
		return nil, openErr(path, err)
	}
	return d, nil
}

// prepare checks what is at the path before DuckDB opens it. A caller that
// only reads finds a database or an error, and nothing is made or removed.
// One that writes gets the folder and, made in one step, a new file; a
// file that is not a DuckDB database is refused either way.
func (d *db) prepare(ctx context.Context, readOnly bool, query string) error {
	kind, size := kindOf(d.path)
	switch {
	case kind == sqliteFile:
		return fmt.Errorf("%w to duckdb:%s: the file is a SQLite database, not a DuckDB one; originsim opens DuckDB files only, and lets DuckDB load no extension (such as sqlite) to read others", driver.ErrConnect, d.path)
	case kind == otherFile:
		return fmt.Errorf("%w to duckdb:%s: the file is not a DuckDB database", driver.ErrConnect, d.path)
	case readOnly && kind == noFile:
		return fmt.Errorf("%w to duckdb:%s: %w: the file does not exist (reading creates none)", driver.ErrConnect, d.path, driver.ErrNotFound)
	case readOnly && kind == unfinished && size == 0:
		return fmt.Errorf("%w to duckdb:%s: %w: the file is empty (0 bytes)", driver.ErrConnect, d.path, driver.ErrNotFound)
	case readOnly && kind == unfinished:
		return fmt.Errorf("%w to duckdb:%s: %w: the file holds no database yet (%d bytes: its creation was cut short)", driver.ErrConnect, d.path, driver.ErrNotFound, size)
	case readOnly:
		return nil
	}
	if dir := filepath.Dir(d.path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("%w to duckdb:%s: create folder: %v", driver.ErrConnect, d.path, err)
		}
	}
	if canStage {
		switch kind {
		case noFile:
			if err := create(ctx, d.path, query, false); err != nil {
				return err
			}
		case unfinished:
			// Replaced only when nobody has it open: DuckDB, in another
			// process, may be writing its headers right now.
			if busy, err := lockedElsewhere(d.path); err == nil && !busy && soleHolder(d.key) {
				if err := create(ctx, d.path, query, true); err != nil {
					return err
				}
			}
		default:
			sweepStage(d.path)
		}
	}
	d.mayStage = canStage && mayBeNew(d.path)
	return nil
}

func (d *db) release() {
	if d.key != "" {
		release(d.key)
	}
}

// handle is one DuckDB database and the single connection originsim uses.
type handle struct {
	db   *sql.DB
	conn *sql.Conn
}

func connect(ctx context.Context, dsn string) (*handle, error) {
	c, err := duckdb.NewConnector(dsn, nil)
	if err != nil {
		return nil, err
	}
	sdb := sql.OpenDB(c)
	conn, err := sdb.Conn(ctx)
	if err != nil {
		sdb.Close()
		return nil, err
	}
	return &handle{db: sdb, conn: conn}, nil
}

func (h *handle) close() error {
	err := h.conn.Close()
	return errors.Join(err, h.db.Close())
}

// Settings a duckdb: URL may give (duckdb:PATH?memory_limit=1GB&threads=4),
// passed to DuckDB as they are.
var settings = []string{"memory_limit", "threads", "temp_directory", "max_temp_directory_size"}

// locked are the settings originsim gives every DuckDB database it opens
// (but MotherDuck's): no extension is installed or loaded unless asked for
// by name (a SQLite file or an s3:// path would have DuckDB download and
// load one), no community extension ever, and the configuration locked so
// that no statement changes that.
var locked = [][2]string{
	{"autoinstall_known_extensions", "false"},
	{"autoload_known_extensions", "false"},
	{"allow_community_extensions", "false"},
	{"lock_configuration", "true"},
}

// options checks the URL's settings and adds the locked ones and the block
// size, which applies when the file is created: DuckDB's default 256 KiB
// blocks make a file of a few thousand rows 11 MB, and every checkpoint
// (one per command, at close) rewrites much of it; 16 KiB blocks make it
// 1.2 MB and the Day 0-3 cycle about 1.8x faster (BENCHMARKS.md). A file
// that exists keeps the block size it was made with.
func options(query string) (url.Values, error) {
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, err
	}
	for k, v := range q {
		if !slices.Contains(settings, k) {
			return nil, fmt.Errorf("unknown setting %q; a duckdb: URL takes %s", k, strings.Join(settings, ", "))
		}
		if len(v) != 1 || v[0] == "" {
			return nil, fmt.Errorf("setting %q needs exactly one value", k)
		}
	}
	q.Set("default_block_size", "16384")
	for _, s := range locked {
		q.Set(s[0], s[1])
	}
	return q, nil
}

func openErr(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock") {
		return fmt.Errorf("%w (duckdb:%s is open in another process): %v", driver.ErrBusy, path, err)
	}
	return fmt.Errorf("%w to duckdb:%s: %v", driver.ErrConnect, path, err)
}

func (d *db) Dialect() driver.Dialect { return Dialect }

// Close closes the database, and removes a staging file that no operation
// committed to (see stage.go).
func (d *db) Close() error {
	var err error
	if d.stage != nil {
		err = d.dropStage()
	}
	if d.handle != nil {
		err = errors.Join(err, d.handle.close())
	}
	d.release()
	return err
}

// Begin starts a transaction on the single connection. DuckDB's own file
// lock already keeps other processes out while it is open. On a new,
// empty file the transaction runs on the staging file instead.
func (d *db) Begin(ctx context.Context) (driver.Tx, error) {
	h, st, err := d.active(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := h.conn.ExecContext(ctx, "BEGIN TRANSACTION"); err != nil {
		return nil, err
	}
	return &tx{d: d, h: h, staged: st != nil}, nil
}

type tx struct {
	d    *db
	h    *handle
	done bool
	// staged is set when the transaction runs on a staging file: it then
	// commits every chunkRows appended rows, its commit puts the file in
	// place, and its failure after a part was committed removes it.
	staged   bool
	appended int  // rows appended since the last commit
	wrote    bool // whether a statement or an append ran
	partial  bool // whether it has committed part of its work
}

func (t *tx) Exec(ctx context.Context, query string) error {
	t.wrote = true
	_, err := t.h.conn.ExecContext(ctx, query)
	return err
}

// ExecCount runs a statement and reports the rows it changed.
func (t *tx) ExecCount(ctx context.Context, query string) (int64, error) {
	t.wrote = true
	res, err := t.h.conn.ExecContext(ctx, query)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *tx) Query(ctx context.Context, query string, kinds []model.Kind, fn func(row []any) error) error {
	rows, err := t.h.conn.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	return driver.ScanRows(ctx, rows, kinds, fn)
}

// Insert appends through DuckDB's Appender, which writes into the open
// transaction: a rollback discards the rows.
func (t *tx) Insert(ctx context.Context, schema string, tb *model.Table, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if err := t.appendRows(schema, tb.Name, driver.Kinds(tb), rows); err != nil {
		return err
	}
	return t.commitPart(ctx, len(rows))
}

func (t *tx) appendRows(schema, table string, kinds []model.Kind, rows [][]any) error {
	t.wrote = true
	return t.h.conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(sqldriver.Conn), schema, table)
		if err != nil {
			return err
		}
		vals := make([]sqldriver.Value, len(kinds))
		for _, row := range rows {
			for i, k := range kinds {
				vals[i] = appendValue(k, row[i])
			}
			if err := a.AppendRow(vals...); err != nil {
				a.Close()
				return fmt.Errorf("append to %s.%s: %w", schema, table, err)
			}
		}
		return a.Close()
	})
}

// updateTable is the scratch table Update loads new values into. It lives
// only inside the operation's transaction.
const updateTable = "originsim_update"

// Update is the bulk path for updates: the new values go into a scratch
// table through the Appender, then one UPDATE ... FROM joins them in. Many
// thousands of rows rendered as VALUES literals would be parsed and planned
// one statement at a time instead.
func (t *tx) Update(ctx context.Context, schema string, tb *model.Table, cols []string, rows [][]any) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	d := Dialect
	scratch := &model.Table{Name: updateTable}
	kinds := make([]model.Kind, len(cols))
	set := make([]string, 0, len(cols)-1)
	for i, c := range cols {
		col := tb.Columns[tb.Col(c)]
		col.Nullable = true
		scratch.Columns = append(scratch.Columns, col)
		kinds[i] = col.Kind
		if i > 0 {
			set = append(set, fmt.Sprintf("%s = v.%s", d.Quote(c), d.Quote(c)))
		}
	}
	if err := t.Exec(ctx, d.CreateTable(schema, scratch)); err != nil {
		return 0, err
	}
	if err := t.appendRows(schema, updateTable, kinds, rows); err != nil {
		return 0, err
	}
	key := d.Quote(cols[0])
	n, err := t.ExecCount(ctx, fmt.Sprintf("UPDATE %s.%s AS t SET %s FROM %s.%s AS v WHERE t.%s = v.%s",
		d.Quote(schema), d.Quote(tb.Name), strings.Join(set, ", "), d.Quote(schema), d.Quote(updateTable), key, key))
	if err != nil {
		return 0, err
	}
	return n, t.Exec(ctx, d.DropTable(schema, scratch))
}

func appendValue(k model.Kind, v any) sqldriver.Value {
	if v == nil {
		return nil
	}
	switch k {
	case model.Int:
		return int32(v.(int64))
	case model.Decimal:
		// DECIMAL(10,2) is stored as an int64 of hundredths: the Appender
		// takes the cents as they are, with no big.Int per value.
		return int64(v.(model.Cents))
	case model.Date, model.Timestamp:
		return v.(time.Time)
	}
	return v
}

func (t *tx) Commit() error {
	t.done = true
	if _, err := t.h.conn.ExecContext(context.Background(), "COMMIT"); err != nil {
		return errors.Join(err, t.ended(false))
	}
	return t.ended(true)
}

// Rollback is safe to call after Commit (it does nothing then), so callers
// can defer it.
func (t *tx) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	_, err := t.h.conn.ExecContext(context.Background(), "ROLLBACK")
	return errors.Join(err, t.ended(false))
}
