package duckdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// queryText runs a query of one text column in a transaction of db.
func queryText(t *testing.T, db driver.Target, q string) string {
	t.Helper()
	w := begin(t, db)
	defer w.Rollback()
	var got string
	err := w.Query(context.Background(), q, []model.Kind{model.Text}, func(r []any) error {
		got = fmt.Sprint(r[0])
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return got
}

// lockdownQuery asks DuckDB for the extension settings originsim locks;
// lockdown is their answer.
const lockdownQuery = `SELECT current_setting('autoinstall_known_extensions') || ' ' || current_setting('autoload_known_extensions')
 || ' ' || current_setting('allow_community_extensions') || ' ' || current_setting('lock_configuration')`

const lockdown = "false false false true"

// DuckDB installs and loads no extension on its own, whatever it opens: a
// SQLite file (which DuckDB would read through sqlite_scanner, downloaded)
// is refused before DuckDB sees it, with a message that says what it is;
// any other file that is not DuckDB's too. Every database originsim opens
// has auto-install and auto-load off, locked, beside the URL's own
// settings, and the URL cannot switch them on. No test here reaches the
// network: the settings are checked first, nothing is installed, and the
// one remote path is a closed loopback port.
func TestNoExtensionIsInstalledOrLoaded(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, url := range []string{"duckdb::memory:?memory_limit=1GB", "duckdb:" + filepath.Join(dir, "new.duckdb") + "?memory_limit=1GB"} {
		db := open(t, url)
		if got := queryText(t, db, lockdownQuery); got != lockdown {
			// Stop before anything below could reach for the network.
			t.Fatalf("%s: autoinstall, autoload, community extensions, locked: %s, want %s", url, got, lockdown)
		}
		if got := queryText(t, db, "SELECT current_setting('memory_limit')"); got != "953.6 MiB" {
			t.Errorf("%s: memory_limit %s: the URL's settings no longer reach DuckDB", url, got)
		}
		w := begin(t, db)
		for _, q := range []string{
			"SET autoinstall_known_extensions = true",
			"SET autoload_known_extensions = true",
			// httpfs is not built in: asking for it would load it.
			"SELECT count(*) FROM read_csv('http://127.0.0.1:1/x.csv')",
		} {
			if err := w.Exec(ctx, q); err == nil {
				t.Errorf("%s: %s worked", url, q)
			}
		}
		w.Rollback()
		if got := queryText(t, db, "SELECT count(*)::VARCHAR FROM duckdb_extensions() WHERE loaded AND install_mode <> 'STATICALLY_LINKED'"); got != "0" {
			t.Errorf("%s: %s extensions were loaded that are not built in", url, got)
		}
		db.Close()
	}
	lite := filepath.Join(dir, "shop.sqlite")
	header := append([]byte(sqliteHeader), make([]byte, 4080)...)
	if err := os.WriteFile(lite, header, 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "notes.txt")
	writeFile(t, other, "not a database, and longer than a DuckDB header's first bytes")
	for _, c := range []struct{ path, want string }{{lite, "is a SQLite database"}, {other, "is not a DuckDB database"}} {
		for _, opts := range [][]driver.OpenOption{nil, {driver.WithReadOnly()}} {
			_, err := driver.Open(ctx, "duckdb:"+c.path, opts...)
			if !errors.Is(err, driver.ErrConnect) || !strings.Contains(fmt.Sprint(err), c.want) {
				t.Errorf("%s (read-only %v): %v, want ErrConnect saying it %s", filepath.Base(c.path), opts != nil, err, c.want)
			}
			msg := strings.ReplaceAll(fmt.Sprint(err), dir, "DIR")
			if strings.Contains(msg, "INSTALL") || strings.Contains(msg, ".duckdb_extension") || strings.Contains(msg, "http") {
				t.Errorf("%s: DuckDB went looking for an extension: %v", filepath.Base(c.path), err)
			}
			noStage(t, c.path)
		}
	}
	if b, _ := os.ReadFile(lite); string(b) != string(header) {
		t.Error("the SQLite file changed")
	}

	for _, s := range locked {
		if _, err := driver.Open(ctx, "duckdb:"+filepath.Join(dir, "x.duckdb")+"?"+s[0]+"=true"); !errors.Is(err, driver.ErrURL) {
			t.Errorf("?%s=true in the URL: %v, want ErrURL", s[0], err)
		}
	}
}

// A caller that only reads creates nothing: a missing file is ErrNotFound
// (no folder, no file made), as is an empty one, and staging leftovers
// beside a file, originsim's or not, stay. An existing file is opened
// read-only, so a file the user cannot write is read.
func TestReadOnlyCreatesAndRemovesNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo", "ingestion.duckdb")
	_, err := driver.Open(ctx, "duckdb:"+missing, driver.WithReadOnly())
	if !errors.Is(err, driver.ErrNotFound) || !errors.Is(err, driver.ErrConnect) || !strings.Contains(fmt.Sprint(err), "does not exist") {
		t.Errorf("a missing file: %v, want ErrNotFound (and ErrConnect) saying it does not exist", err)
	}
	if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the folder of a missing file was made: %v", err)
	}
	empty := filepath.Join(dir, "empty.duckdb")
	writeFile(t, empty, "")
	if _, err := driver.Open(ctx, "duckdb:"+empty, driver.WithReadOnly()); !errors.Is(err, driver.ErrNotFound) {
		t.Errorf("an empty file: %v, want ErrNotFound", err)
	}
	if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
		t.Errorf("the empty file changed: %v", err)
	}

	path := filepath.Join(dir, "loaded.duckdb")
	db := open(t, "duckdb:"+path)
	w := begin(t, db)
	fill(t, w, 4)
	commitAndClose(t, w, db)
	leftover(t, path)
	writeFile(t, path+".originsim-new", "the user's")
	theirs := []string{path + ".originsim-new", filepath.Join(stageDirOf(path), stageDB), filepath.Join(stageDirOf(path), stageMarker)}
	before := contents(t, theirs)
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	// Root writes any file it may not: only an immutable one is out of its
	// reach.
	if os.Geteuid() == 0 {
		if out, err := exec.Command("chattr", "+i", path).CombinedOutput(); err != nil {
			t.Logf("chattr +i is not available here (%v: %s): the file is only mode 0444", err, out)
		} else {
			t.Cleanup(func() { _ = exec.Command("chattr", "-i", path).Run() })
		}
	}
	db, err = driver.Open(ctx, "duckdb:"+path, driver.WithReadOnly())
	if err != nil {
		t.Fatalf("a read-only file, opened to read: %v", err)
	}
	if got := queryText(t, db, "SELECT count(*)::VARCHAR || ' ' || current_setting('access_mode') FROM t"); got != "4 read_only" {
		t.Errorf("rows and access mode: %s, want 4 read_only", got)
	}
	if got := queryText(t, db, lockdownQuery); got != lockdown {
		t.Errorf("extension settings read-only: %s, want %s", got, lockdown)
	}
	w = begin(t, db)
	if err := w.Exec(ctx, "DELETE FROM t"); err == nil {
		t.Error("a read-only session deleted rows")
	}
	w.Rollback()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if after := contents(t, theirs); !slicesEqual(after, before) {
		t.Errorf("files beside the database changed: %q, were %q", after, before)
	}
}

func slicesEqual(a, b []string) bool { return strings.Join(a, "\x00") == strings.Join(b, "\x00") }

// Within one process, a reader joins a writer that has the file open (DuckDB
// shares one database between them, which must keep its settings); a
// writer cannot join readers.
func TestReadOnlyBesideAWriterOfThisProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.duckdb")
	writer := open(t, "duckdb:"+path)
	reader, err := driver.Open(ctx, "duckdb:"+path, driver.WithReadOnly())
	if err != nil {
		t.Fatalf("a reader beside a writer: %v", err)
	}
	reader.Close()
	writer.Close()

	reader, err = driver.Open(ctx, "duckdb:"+path, driver.WithReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	if _, err := driver.Open(ctx, "duckdb:"+path); !errors.Is(err, driver.ErrBusy) {
		t.Errorf("a writer beside a reader: %v, want ErrBusy", err)
	}
}
