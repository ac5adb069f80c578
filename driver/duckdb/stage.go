package duckdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"sync"

	"github.com/originsim/originsim/driver"
)

// A new database is built in a staging file next to the one the URL names
// and renamed into its place once an operation has committed, so a load
// into a new file is all or nothing even though it commits in parts.
//
// Parts bound the memory a load needs. DuckDB holds a transaction's rows
// and the indexes of its keys in memory until it commits, and keeps the
// indexes it has built in memory while the database is open; reopened, it
// reads only the parts of an index that an insert touches. So a staged
// transaction commits every chunkRows appended rows and reopens the file:
// memory then depends on the size of a part, not of the load
// (BENCHMARKS.md). Nobody sees the parts: the file the URL names stays
// empty and locked by this process until the rename, and a failed or
// killed operation leaves it as empty as it was.
//
// Only a file that has never held anything (see mayBeNew) and holds no
// table, view, sequence or schema of anyone's is staged; every other file
// is written in place in one transaction.

// chunkRows is how many appended rows a staged transaction commits at a
// time (a variable for tests).
var chunkRows = 500_000

func stagePath(path string) string { return path + ".originsim-new" }

// newFileSize is the size of a DuckDB file that holds nothing: its three
// 4 KiB headers. A file that has held anything has blocks beyond them.
const newFileSize = 3 << 12

// mayBeNew tells whether the file at path may be new, before it is opened:
// missing, or no larger than a file that holds nothing. Only then does the
// first transaction ask DuckDB whether it is empty (its write-ahead log may
// hold what the file does not yet), so a command on a loaded file pays for
// no query.
func mayBeNew(path string) bool {
	fi, err := os.Stat(path)
	return err != nil || fi.Size() <= newFileSize
}

// Within one process DuckDB hands every opener of a path the same database
// (duckdb-go's instance cache), so a file another Target of this process
// has open is not staged: the other would go on seeing the empty file the
// staging file replaces. While one is staged, opening it again here is
// refused as busy, as opening it from another process is.
var opened = struct {
	sync.Mutex
	files map[string]*use
}{files: map[string]*use{}}

type use struct {
	n       int  // Targets of this process that have the file open
	staging bool // one of them is building it in its staging file
}

// hold records that a Target of this process opens the file at key.
func hold(key, path string) error {
	opened.Lock()
	defer opened.Unlock()
	u := opened.files[key]
	if u == nil {
		u = &use{}
		opened.files[key] = u
	}
	if u.staging {
		return fmt.Errorf("%w (duckdb:%s is being created by another operation of this process)", driver.ErrBusy, path)
	}
	u.n++
	return nil
}

// release records that a Target of this process has closed the file.
func release(key string) {
	opened.Lock()
	defer opened.Unlock()
	if u := opened.files[key]; u != nil {
		if u.n--; u.n <= 0 {
			delete(opened.files, key)
		}
	}
}

// setStaging marks the file as being staged, which only its one holder in
// this process may do, or no longer; it tells whether the mark was set.
func setStaging(key string, on bool) bool {
	opened.Lock()
	defer opened.Unlock()
	u := opened.files[key]
	if u == nil || on && u.n != 1 {
		return false
	}
	u.staging = on
	return true
}

type stage struct {
	*handle
	path, dsn string
}

// active is the database a transaction runs on: the staging file when the
// file the URL names is found empty at the first transaction.
func (d *db) active(ctx context.Context) (*handle, *stage, error) {
	if d.stage != nil {
		return d.stage.handle, d.stage, nil
	}
	if d.handle == nil { // after publish
		h, err := connect(ctx, d.dsn)
		if err != nil {
			return nil, nil, openErr(d.path, err)
		}
		d.handle = h
	}
	// Windows cannot rename over a file that is open.
	if d.checked || d.stageDSN == "" || runtime.GOOS == "windows" || !setStaging(d.key, true) {
		return d.handle, nil, nil
	}
	d.checked = true
	if empty, err := isEmpty(ctx, d.handle); err != nil || !empty {
		setStaging(d.key, false)
		return d.handle, nil, err
	}
	// This process holds DuckDB's lock on the file the URL names, and only
	// the process holding it uses the staging file: a staging file found
	// here was left by an operation that was killed.
	p := stagePath(d.path)
	if err := removeStage(p); err != nil {
		setStaging(d.key, false)
		return nil, nil, err
	}
	h, err := connect(ctx, d.stageDSN)
	if err != nil {
		setStaging(d.key, false)
		return nil, nil, openErr(p, err)
	}
	d.stage = &stage{handle: h, path: p, dsn: d.stageDSN}
	return h, d.stage, nil
}

// isEmpty tells whether a database holds nothing that anyone made.
func isEmpty(ctx context.Context, h *handle) (bool, error) {
	var n int64
	err := h.conn.QueryRowContext(ctx, `SELECT
  (SELECT count(*) FROM duckdb_tables() WHERE NOT internal)
+ (SELECT count(*) FROM duckdb_views() WHERE NOT internal)
+ (SELECT count(*) FROM duckdb_sequences())
+ (SELECT count(*) FROM duckdb_schemas() WHERE NOT internal AND schema_name <> 'main')`).Scan(&n)
	return n == 0, err
}

// publish puts the staging file, which a transaction has just committed
// to, in place of the file the URL names. Until the rename, the file the
// URL names stays locked by this process; then the staging file is gone,
// and later transactions run on the file in place.
func (d *db) publish(ctx context.Context) error {
	s := d.stage
	d.stage = nil
	// Everything into the file, none of it left in a write-ahead log.
	_, err := s.conn.ExecContext(ctx, "CHECKPOINT")
	err = errors.Join(err, s.close())
	if err == nil {
		if _, statErr := os.Stat(s.path + ".wal"); statErr == nil {
			err = errors.New("its write-ahead log is still there after the checkpoint")
		} else {
			err = os.Rename(s.path, d.path)
		}
	}
	if err != nil {
		setStaging(d.key, false)
		return errors.Join(fmt.Errorf("put the new database in place of duckdb:%s: %w", d.path, err), removeStage(s.path))
	}
	// The handle on the empty file goes, and the file in place is opened
	// by the next transaction: DuckDB would hand the same path the
	// database it already has open.
	err = d.handle.close()
	d.handle = nil
	setStaging(d.key, false)
	return err
}

// dropStage closes and removes the staging file; the next transaction
// starts from the empty file again.
func (d *db) dropStage() error {
	s := d.stage
	d.stage, d.checked = nil, false
	err := errors.Join(s.close(), removeStage(s.path))
	setStaging(d.key, false)
	return err
}

// removeStage removes a staging file and its write-ahead log.
func removeStage(p string) error {
	var errs []error
	for _, f := range []string{p, p + ".wal"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("%w: remove the staging file %s: %v", driver.ErrConnect, f, err))
		}
	}
	return errors.Join(errs...)
}

// commitPart commits the rows appended so far once there are chunkRows of
// them, when the transaction may commit in parts, and reopens the staging
// file so that DuckDB lets go of what it holds.
func (t *tx) commitPart(ctx context.Context, n int) error {
	if !t.staged {
		return nil
	}
	if t.appended += n; t.appended < chunkRows {
		return nil
	}
	t.appended = 0
	t.partial = true
	if _, err := t.h.conn.ExecContext(ctx, "COMMIT"); err != nil {
		return err
	}
	st := t.d.stage
	if err := st.close(); err != nil {
		return err
	}
	h, err := connect(ctx, st.dsn)
	if err != nil {
		return openErr(st.path, err)
	}
	st.handle, t.h = h, h
	_, err = h.conn.ExecContext(ctx, "BEGIN TRANSACTION")
	return err
}

// ended puts a staging file in place when a transaction that wrote to it
// has committed, and removes it when one that committed parts of its work
// failed.
func (t *tx) ended(committed bool) error {
	switch {
	case !t.staged:
	case committed && t.wrote:
		return t.d.publish(context.Background())
	case !committed && t.partial:
		return t.d.dropStage()
	}
	return nil
}
