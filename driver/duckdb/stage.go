package duckdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/originsim/originsim/driver"
)

// A new database is built in a staging folder next to the file the URL
// names and renamed into its place once an operation has committed, so a
// load into a new file is all or nothing even though it commits in parts.
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
//
// The staging folder is PATH.originsim-stage. It is originsim's when it
// holds the marker file stageMarker, which the process using the folder
// keeps locked (flock) until it removes the folder: so a folder found
// marked and unlocked was left by a killed process and is removed, and
// a file or folder of that name that is not originsim's is never touched
// (the database is then written in place). The folder also makes a new
// file in one step (create.go).

// chunkRows is how many appended rows a staged transaction commits at a
// time (a variable for tests).
var chunkRows = 500_000

// stageDirOf is the staging folder of the file at path.
func stageDirOf(path string) string { return path + ".originsim-stage" }

const (
	// stageDB is the database in the staging folder; DuckDB names the
	// files it keeps beside it (its write-ahead log, its temporary folder)
	// after it.
	stageDB = "db.duckdb"
	// stageMarker is the file that says the folder is originsim's.
	stageMarker = "originsim-stage.lock"
	markerText  = "originsim builds a new DuckDB database in this folder, and removes the folder when it is done, or at its next run if it was killed.\n"
)

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
	n        int  // Targets of this process that have the file open
	staging  bool // one of them is building it in its staging folder
	readOnly bool // DuckDB has it open read-only (all openers share one database)
}

// hold records that a Target of this process opens the file at key, and
// tells whether DuckDB is to open it read-only: when the Target only
// reads, unless another Target of this process has it open for writing
// (DuckDB hands them the database already open, which must be opened with
// the same settings). A Target that writes cannot join ones that opened it
// read-only.
func hold(key, path string, readOnly bool) (bool, error) {
	opened.Lock()
	defer opened.Unlock()
	u := opened.files[key]
	if u == nil {
		u = &use{readOnly: readOnly}
		opened.files[key] = u
	}
	if u.staging {
		return false, fmt.Errorf("%w (duckdb:%s is being created by another operation of this process)", driver.ErrBusy, path)
	}
	if u.readOnly && !readOnly {
		return false, fmt.Errorf("%w (duckdb:%s is open read-only in this process)", driver.ErrBusy, path)
	}
	u.n++
	return u.readOnly, nil
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

// soleHolder tells whether only one Target of this process has the file
// open.
func soleHolder(key string) bool {
	opened.Lock()
	defer opened.Unlock()
	u := opened.files[key]
	return u != nil && u.n == 1
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
	dir *stageDir
	dsn string
}

// active is the database a transaction runs on: the staging database when
// the file the URL names is found empty at the first transaction.
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
	if d.checked || !d.mayStage || !setStaging(d.key, true) {
		return d.handle, nil, nil
	}
	d.checked = true
	if empty, err := isEmpty(ctx, d.handle); err != nil || !empty {
		setStaging(d.key, false)
		return d.handle, nil, err
	}
	// This process holds DuckDB's lock on the file the URL names, and only
	// the process holding it stages it: a staging folder found here was
	// left by a killed operation, and claimStage empties it. Or another
	// process is finishing making the file (create.go), or the name is
	// someone else's: the file is then written in place.
	sd, err := claimStage(d.path, true)
	if errors.Is(err, driver.ErrBusy) {
		err = nil
	}
	if err != nil || sd == nil {
		setStaging(d.key, false)
		return d.handle, nil, err
	}
	dsn := sd.db() + "?" + d.query
	h, err := connect(ctx, dsn)
	if err != nil {
		setStaging(d.key, false)
		return nil, nil, errors.Join(openErr(sd.db(), err), sd.remove())
	}
	d.stage = &stage{handle: h, dir: sd, dsn: dsn}
	crashPoint("stage-open")
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

// publish puts the staging database, which a transaction has just
// committed to, in place of the file the URL names. Until the rename, the
// file the URL names stays locked by this process; then the staging
// folder is gone, and later transactions run on the file in place.
func (d *db) publish(ctx context.Context) error {
	s := d.stage
	d.stage = nil
	// Everything into the file, none of it left in a write-ahead log.
	_, err := s.conn.ExecContext(ctx, "CHECKPOINT")
	err = errors.Join(err, s.close())
	if err == nil {
		if _, statErr := os.Stat(s.dir.db() + ".wal"); statErr == nil {
			err = errors.New("its write-ahead log is still there after the checkpoint")
		} else {
			crashPoint("stage-committed")
			err = os.Rename(s.dir.db(), d.path)
		}
	}
	if err != nil {
		setStaging(d.key, false)
		return errors.Join(fmt.Errorf("put the new database in place of duckdb:%s: %w", d.path, err), s.dir.remove())
	}
	crashPoint("stage-placed")
	err = s.dir.remove()
	// The handle on the empty file goes, and the file in place is opened
	// by the next transaction: DuckDB would hand the same path the
	// database it already has open.
	err = errors.Join(err, d.handle.close())
	d.handle = nil
	setStaging(d.key, false)
	return err
}

// dropStage closes and removes the staging database; the next transaction
// starts from the empty file again.
func (d *db) dropStage() error {
	s := d.stage
	d.stage, d.checked = nil, false
	err := errors.Join(s.close(), s.dir.remove())
	setStaging(d.key, false)
	return err
}

// stageDir is a staging folder this process holds: marked as originsim's
// and locked by this process (flock on the marker), so no other process
// uses or removes it meanwhile.
type stageDir struct {
	dir  string
	lock *os.File
}

func (s *stageDir) db() string { return filepath.Join(s.dir, stageDB) }

// claimStage takes the staging folder of the file at path for this
// process: it makes it (when make is set), or takes one left by a killed
// process and empties it. It returns nil when there is no folder to take
// (make unset), or when the name is someone else's: a file, or a folder
// without the marker that holds anything. An empty folder of that name,
// which a process killed before marking it leaves, is removed. Another
// process using the folder makes it ErrBusy.
func claimStage(path string, make bool) (*stageDir, error) {
	dir := stageDirOf(path)
	for range 3 {
		if make {
			err := os.Mkdir(dir, 0o755)
			if err == nil {
				return markStage(path, dir)
			}
			if !errors.Is(err, fs.ErrExist) {
				return nil, stageErr(dir, err)
			}
		}
		fi, err := os.Lstat(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if !make {
				return nil, nil
			}
			continue // removed meanwhile
		case err != nil:
			return nil, stageErr(dir, err)
		case !fi.IsDir():
			return nil, nil
		}
		marker := filepath.Join(dir, stageMarker)
		if fi, err := os.Lstat(marker); errors.Is(err, fs.ErrNotExist) {
			if os.Remove(dir) != nil { // not empty: not originsim's
				return nil, nil
			}
			continue
		} else if err != nil || !fi.Mode().IsRegular() {
			return nil, nil
		}
		f, err := os.OpenFile(marker, os.O_RDWR, 0)
		if err != nil {
			return nil, stageErr(dir, err)
		}
		if got, err := tryLock(f); err != nil || !got {
			f.Close()
			if err != nil {
				return nil, stageErr(dir, err)
			}
			return nil, stageBusy(path)
		}
		s := &stageDir{dir: dir, lock: f}
		if err := s.clear(); err != nil {
			return nil, errors.Join(err, s.unlock())
		}
		return s, nil
	}
	return nil, stageBusy(path)
}

// markStage marks and locks a folder this process has just made. Another
// process that takes the marker's lock first, or removes the folder while
// it is still empty, makes it ErrBusy.
func markStage(path, dir string) (*stageDir, error) {
	f, err := os.OpenFile(filepath.Join(dir, stageMarker), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, stageBusy(path)
	}
	got, err := tryLock(f)
	if err == nil && !got {
		err = stageBusy(path)
	}
	if err == nil {
		_, err = f.WriteString(markerText)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return &stageDir{dir: dir, lock: f}, nil
}

// clear removes the staging database and the files DuckDB keeps beside it;
// anything else in the folder stays.
func (s *stageDir) clear() error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return stageErr(s.dir, err)
	}
	var errs []error
	// The write-ahead log before the database: a log without its database
	// is never left.
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return -strings.Compare(a.Name(), b.Name()) })
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), stageDB) {
			if err := os.RemoveAll(filepath.Join(s.dir, e.Name())); err != nil {
				errs = append(errs, stageErr(s.dir, err))
			}
		}
	}
	return errors.Join(errs...)
}

// remove empties and removes the staging folder and lets go of it. The
// marker goes last but one: a process killed before the folder is gone
// leaves it marked, or empty.
func (s *stageDir) remove() error {
	err := s.clear()
	if err == nil {
		err = os.Remove(filepath.Join(s.dir, stageMarker))
		if err == nil {
			// Not empty: someone put files of their own in it, which stay.
			_ = os.Remove(s.dir)
		}
	}
	if err != nil {
		err = stageErr(s.dir, err)
	}
	return errors.Join(err, s.unlock())
}

func (s *stageDir) unlock() error { return s.lock.Close() }

// sweepStage removes a staging folder a killed process left beside the
// file at path; one in use, or not originsim's, stays. It is a courtesy:
// what it cannot remove changes nothing for the operation.
func sweepStage(path string) {
	if s, _ := claimStage(path, false); s != nil {
		_ = s.remove()
	}
}

func stageErr(dir string, err error) error {
	return fmt.Errorf("%w: the staging folder %s: %v", driver.ErrConnect, dir, err)
}

func stageBusy(path string) error {
	return fmt.Errorf("%w (duckdb:%s is being created by another process)", driver.ErrBusy, path)
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
	crashPoint("stage-part")
	st := t.d.stage
	if err := st.close(); err != nil {
		return err
	}
	h, err := connect(ctx, st.dsn)
	if err != nil {
		return openErr(st.dir.db(), err)
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
