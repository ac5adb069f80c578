package duckdb

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
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
	if _, err := os.Lstat(stageDirOf(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s is left behind (%v)", filepath.Base(stageDirOf(path)), err)
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
		if _, err := os.Stat(filepath.Join(stageDirOf(path), stageDB)); err != nil {
			t.Fatalf("no staging database while the load runs: %v", err)
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

// leftover makes the staging folder a process killed in the middle of a
// load leaves: marked, with a database and its write-ahead log.
func leftover(t *testing.T, path string) {
	t.Helper()
	dir := stageDirOf(path)
	files := map[string]string{stageMarker: markerText, stageDB: "left by a killed load", stageDB + ".wal": "its log"}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A staging folder left by a killed process is removed, not used: before
// a load into the file, and beside a loaded file.
func TestLeftoverStageIsRemoved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.duckdb")
	leftover(t, path)
	db := open(t, "duckdb:"+path)
	w := begin(t, db)
	if !w.(*tx).staged {
		t.Error("the load was not staged")
	}
	fill(t, w, 4)
	commitAndClose(t, w, db)
	if n := rowsOf(t, path); n != 4 {
		t.Errorf("%d rows, want 4", n)
	}
	noStage(t, path)

	leftover(t, path)
	open(t, "duckdb:"+path).Close()
	noStage(t, path)
	if n := rowsOf(t, path); n != 4 {
		t.Errorf("%d rows, want 4", n)
	}
}

// Files and folders of the user's named like the staging folder are never
// touched, by a load or by anything else: a file PATH.originsim-new (the
// name of the staging file of earlier versions), a file or a folder that
// is not originsim's named PATH.originsim-stage, and a database of the
// user's among them. The load then writes in place, in one transaction.
func TestOthersFilesBesideTheDatabaseAreKept(t *testing.T) {
	smallChunks(t)
	ctx := context.Background()
	cases := map[string]func(path string) []string{
		"a file named PATH.originsim-new": func(path string) []string {
			writeFile(t, path+".originsim-new", "the user's notes")
			return []string{path + ".originsim-new"}
		},
		"a database named PATH.originsim-new": func(path string) []string {
			db := open(t, "duckdb:"+path+".originsim-new")
			w := begin(t, db)
			fill(t, w, 2)
			commitAndClose(t, w, db)
			return []string{path + ".originsim-new"}
		},
		"a file named PATH.originsim-stage": func(path string) []string {
			writeFile(t, stageDirOf(path), "the user's notes")
			return []string{stageDirOf(path)}
		},
		"a folder named PATH.originsim-stage": func(path string) []string {
			os.Mkdir(stageDirOf(path), 0o755)
			f := filepath.Join(stageDirOf(path), stageDB)
			writeFile(t, f, "the user's own file of that name")
			return []string{f}
		},
	}
	for name, make := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "new.duckdb")
			theirs := make(path)
			before := contents(t, theirs)
			for _, readOnly := range []bool{true, false} {
				if readOnly {
					// Nothing to read yet; nothing is removed either.
					if _, err := driver.Open(ctx, "duckdb:"+path, driver.WithReadOnly()); !errors.Is(err, driver.ErrNotFound) {
						t.Fatalf("read-only: %v, want ErrNotFound", err)
					}
					continue
				}
				db := open(t, "duckdb:"+path)
				w := begin(t, db)
				fill(t, w, 10)
				staged := w.(*tx).staged
				commitAndClose(t, w, db)
				if n := rowsOf(t, path); n != 10 {
					t.Errorf("%d rows, want 10", n)
				}
				if strings.Contains(name, "originsim-stage") && staged {
					t.Error("staged, in a folder that is not originsim's")
				}
			}
			if after := contents(t, theirs); !reflect.DeepEqual(after, before) {
				t.Errorf("the user's files changed: %q, were %q", after, before)
			}
		})
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// contents reads files; a missing one is "(missing)".
func contents(t *testing.T, files []string) []string {
	t.Helper()
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			b = []byte("(missing)")
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// A staging folder another process is using (its marker locked) is left
// alone, and a load into the file then is told busy.
func TestStageInUseIsBusy(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.duckdb")
	leftover(t, path)
	f, err := os.Open(filepath.Join(stageDirOf(path), stageMarker))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, err := tryLock(f); !got || err != nil {
		t.Fatalf("lock the marker: %v %v", got, err)
	}
	if _, err := driver.Open(ctx, "duckdb:"+path); !errors.Is(err, driver.ErrBusy) {
		t.Errorf("creating the file while its staging folder is in use: %v, want ErrBusy", err)
	}
	if _, err := os.Stat(filepath.Join(stageDirOf(path), stageDB)); err != nil {
		t.Errorf("the staging database in use was touched: %v", err)
	}
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
