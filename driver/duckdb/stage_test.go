package duckdb

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

var small = &model.Table{Name: "t", Columns: []model.Column{{Name: "i", Kind: model.Int}}}

// smallChunks makes a staged transaction commit every three rows.
func smallChunks(t *testing.T) {
	old := chunkRows
	chunkRows = 3
	t.Cleanup(func() { chunkRows = old })
}

func open(t *testing.T, url string) driver.Target {
	t.Helper()
	db, err := driver.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func begin(t *testing.T, db driver.Target) driver.Tx {
	t.Helper()
	w, err := db.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func commitAndClose(t *testing.T, w driver.Tx, db driver.Target) {
	t.Helper()
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// fill creates table t and appends n rows in batches of two.
func fill(t *testing.T, w driver.Tx, n int) {
	t.Helper()
	ctx := context.Background()
	if err := w.Exec(ctx, "CREATE TABLE IF NOT EXISTS t (i INTEGER PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i += 2 {
		rows := [][]any{{int64(i)}, {int64(i + 1)}}
		if err := w.Insert(ctx, "main", small, rows); err != nil {
			t.Fatal(err)
		}
	}
}

// rowsOf is the row count of table t, or -1 when there is no table t.
func rowsOf(t *testing.T, path string) int64 {
	t.Helper()
	db := open(t, "duckdb:"+path)
	defer db.Close()
	ctx := context.Background()
	w := begin(t, db)
	defer w.Rollback()
	n := int64(-1)
	err := w.Query(ctx, "SELECT (SELECT count(*) FROM duckdb_tables() WHERE table_name = 't')", []model.Kind{model.Int}, func(r []any) error {
		if r[0].(int64) == 1 {
			n = 0
		}
		return nil
	})
	if err == nil && n == 0 {
		err = w.Query(ctx, "SELECT count(*) FROM t", []model.Kind{model.Int}, func(r []any) error {
			n = r[0].(int64)
			return nil
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func noStage(t *testing.T, path string) {
	t.Helper()
	for _, f := range []string{stagePath(path), stagePath(path) + ".wal"} {
		if _, err := os.Stat(f); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is left behind (%v)", filepath.Base(f), err)
		}
	}
}

// A new file is built in parts in the staging file and put in place when
// the transaction commits; a failure after some parts were committed
// leaves it as empty as it was.
func TestStagedInParts(t *testing.T) {
	smallChunks(t)
	for _, commit := range []bool{true, false} {
		path := filepath.Join(t.TempDir(), "new.duckdb")
		db := open(t, "duckdb:"+path)
		w := begin(t, db)
		fill(t, w, 10)
		if !w.(*tx).partial {
			t.Fatal("10 rows in chunks of 3 were not committed in parts")
		}
		if _, err := os.Stat(stagePath(path)); err != nil {
			t.Fatalf("no staging file while the load runs: %v", err)
		}
		want := int64(10)
		if commit {
			if err := w.Commit(); err != nil {
				t.Fatal(err)
			}
		} else {
			want = -1 // no table
			if err := w.Rollback(); err != nil {
				t.Fatal(err)
			}
		}
		// Done at once, before Close: the next transaction runs on the
		// file in place (committed) or on a new staging file (failed).
		noStage(t, path)
		next := begin(t, db)
		if got := next.(*tx).staged; got == commit {
			t.Errorf("commit %v: the next transaction is staged: %v", commit, got)
		}
		next.Rollback()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if n := rowsOf(t, path); n != want {
			t.Errorf("commit %v: %d rows, want %d", commit, n, want)
		}
		noStage(t, path)
		// Opened again, the file left empty is staged again, and the
		// loaded one is not.
		db = open(t, "duckdb:"+path)
		again := begin(t, db)
		if got := again.(*tx).staged; got == commit {
			t.Errorf("commit %v: reopened, staged: %v", commit, got)
		}
		again.Rollback()
		db.Close()
	}
}

// A file that holds anything is written in place, in one transaction: a
// rollback takes back every row, however many.
func TestExistingFileIsNotStaged(t *testing.T) {
	smallChunks(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.duckdb")
	db := open(t, "duckdb:"+path)
	w := begin(t, db)
	fill(t, w, 2)
	commitAndClose(t, w, db)

	db = open(t, "duckdb:"+path)
	w = begin(t, db)
	if err := w.Exec(ctx, "DELETE FROM t"); err != nil {
		t.Fatal(err)
	}
	fill(t, w, 10)
	if w.(*tx).partial {
		t.Error("a transaction on a file with data committed in parts")
	}
	noStage(t, path)
	w.Rollback()
	db.Close()
	if n := rowsOf(t, path); n != 2 {
		t.Errorf("%d rows after the rollback, want the 2 from before", n)
	}
}

// A staging file left by a killed process is removed, not used.
func TestLeftoverStageIsRemoved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.duckdb")
	for _, f := range []string{stagePath(path), stagePath(path) + ".wal"} {
		if err := os.WriteFile(f, []byte("left by a killed load"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	db := open(t, "duckdb:"+path)
	w := begin(t, db)
	fill(t, w, 4)
	commitAndClose(t, w, db)
	if n := rowsOf(t, path); n != 4 {
		t.Errorf("%d rows, want 4", n)
	}
	noStage(t, path)
}

// A session that only reads a new file publishes nothing.
func TestReadOnlyStagePublishesNothing(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.duckdb")
	db := open(t, "duckdb:"+path)
	w := begin(t, db)
	if err := w.Query(ctx, "SELECT 1", []model.Kind{model.Int}, func([]any) error { return nil }); err != nil {
		t.Fatal(err)
	}
	commitAndClose(t, w, db)
	if n := rowsOf(t, path); n != -1 {
		t.Errorf("table t with %d rows in a file that was only read", n)
	}
	noStage(t, path)
}

// The URL's settings reach the staging file, where the work happens.
func TestStageTakesTheURLSettings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.duckdb")
	db := open(t, "duckdb:"+path+"?memory_limit=1GB")
	defer db.Close()
	w := begin(t, db)
	defer w.Rollback()
	if !w.(*tx).staged {
		t.Fatal("a new file is not staged")
	}
	var got string
	err := w.Query(ctx, "SELECT current_setting('memory_limit')", []model.Kind{model.Text}, func(r []any) error {
		got = r[0].(string)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != "953.6 MiB" {
		t.Errorf("memory_limit %s, want 953.6 MiB", got)
	}
}

// Within one process DuckDB shares a file's database between its openers,
// so a file another Target has open is written in place, and a file being
// staged cannot be opened again until it is in place.
func TestStageWithinOneProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.duckdb")
	a, b := open(t, "duckdb:"+path), open(t, "duckdb:"+path)
	w := begin(t, a)
	if w.(*tx).staged {
		t.Error("a file two Targets have open was staged")
	}
	w.Rollback()
	b.Close()

	// a is now the only one: its next transaction is staged.
	w = begin(t, a)
	if !w.(*tx).staged {
		t.Fatal("a new file one Target has open was not staged")
	}
	fill(t, w, 4)
	if _, err := driver.Open(ctx, "duckdb:"+path); !errors.Is(err, driver.ErrBusy) {
		t.Errorf("opening a file being staged: %v, want ErrBusy", err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	c := open(t, "duckdb:"+path) // in place: no longer busy
	c.Close()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if n := rowsOf(t, path); n != 4 {
		t.Errorf("%d rows, want 4", n)
	}
}
