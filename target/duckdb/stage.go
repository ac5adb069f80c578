package duckdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"

	"github.com/originsim/originsim/target"
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
// Only a file that holds no table, view, sequence or schema of anyone's is
// staged; every other file is written in place in one transaction.

// chunkRows is how many appended rows a staged transaction commits at a
// time (a variable for tests).
var chunkRows = 500_000

func stagePath(path string) string { return path + ".originsim-new" }

type stage struct {
	*handle
	path, dsn string
	committed bool // a transaction that wrote has committed: publish at Close
	discard   bool // a transaction that committed parts failed: discard at Close
}

// active is the database a transaction runs on: the staging file when the
// file the URL names is found empty at the first transaction.
func (d *db) active(ctx context.Context) (*handle, *stage, error) {
	if d.stage != nil {
		return d.stage.handle, d.stage, nil
	}
	// Windows cannot rename over a file that is open.
	if d.checked || d.stageDSN == "" || runtime.GOOS == "windows" {
		return d.handle, nil, nil
	}
	d.checked = true
	if empty, err := isEmpty(ctx, d.handle); err != nil || !empty {
		return d.handle, nil, err
	}
	// This process holds DuckDB's lock on the file the URL names, and only
	// the process holding it uses the staging file: a staging file found
	// here was left by an operation that was killed.
	p := stagePath(d.path)
	if err := removeStage(p); err != nil {
		return nil, nil, err
	}
	h, err := connect(ctx, d.stageDSN)
	if err != nil {
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

// finish puts the staging file in place of the file at path if an operation
// committed on it, and removes it otherwise.
func (s *stage) finish(path string) error {
	publish := s.committed && !s.discard
	var err error
	if publish {
		// Everything into the file, none of it left in a write-ahead log.
		_, err = s.conn.ExecContext(context.Background(), "CHECKPOINT")
	}
	err = errors.Join(err, s.close())
	if publish && err == nil {
		if _, statErr := os.Stat(s.path + ".wal"); statErr == nil {
			err = errors.New("its write-ahead log is still there after the checkpoint")
		} else if err = os.Rename(s.path, path); err == nil {
			return nil
		}
		err = fmt.Errorf("put the new database in place of duckdb:%s: %w", path, err)
	}
	return errors.Join(err, removeStage(s.path))
}

// removeStage removes a staging file and its write-ahead log.
func removeStage(p string) error {
	var errs []error
	for _, f := range []string{p, p + ".wal"} {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("%w: remove the staging file %s: %v", target.ErrConnect, f, err))
		}
	}
	return errors.Join(errs...)
}

// commitPart commits the rows appended so far once there are chunkRows of
// them, when the transaction may commit in parts, and reopens the staging
// file so that DuckDB lets go of what it holds.
func (t *tx) commitPart(ctx context.Context, n int) error {
	if !t.chunks {
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
	if err := t.stage.close(); err != nil {
		return err
	}
	h, err := connect(ctx, t.stage.dsn)
	if err != nil {
		return openErr(t.stage.path, err)
	}
	t.stage.handle, t.h = h, h
	_, err = h.conn.ExecContext(ctx, "BEGIN TRANSACTION")
	return err
}

// ended records how a transaction on a staging file ended.
func (t *tx) ended(committed bool) {
	switch {
	case t.stage == nil:
	case committed && t.wrote:
		t.stage.committed = true
	case !committed && t.partial:
		t.stage.discard = true
	}
}
