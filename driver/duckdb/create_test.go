//go:build !windows

package duckdb

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/originsim/originsim/driver"
)

// A new file appears whole: DuckDB makes it in the staging folder, and it
// is linked into place with its headers written. An unfinished file (what
// a process killed between DuckDB's creating a file and writing its
// headers left: empty, or part of the headers) is taken as a new one,
// unless another process has it open.
func TestNewFileAppearsWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "new.duckdb")
	db := open(t, "duckdb:"+path)
	if fi, err := os.Stat(path); err != nil || fi.Size() != newFileSize {
		t.Errorf("the new file: %v, %v bytes, want %d", err, fi, newFileSize)
	}
	noStage(t, path)
	// The staging database of the load is a file of its own, not the one
	// DuckDB made there a moment ago and that became the file in place.
	w := begin(t, db)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(stageDirOf(path), stageDB)); !w.(*tx).staged || err != nil || os.SameFile(fi, st) {
		t.Errorf("staged %v, staging database %v, the same file as the one in place: %v", w.(*tx).staged, err, err == nil && os.SameFile(fi, st))
	}
	w.Rollback()
	db.Close()

	whole, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 4096, 8192} {
		p := filepath.Join(dir, fmt.Sprintf("cut%d.duckdb", n))
		if err := os.WriteFile(p, whole[:n], 0o644); err != nil {
			t.Fatal(err)
		}
		db := open(t, "duckdb:"+p)
		w := begin(t, db)
		fill(t, w, 2)
		commitAndClose(t, w, db)
		if got := rowsOf(t, p); got != 2 {
			t.Errorf("a file of %d bytes: %d rows after a load, want 2", n, got)
		}
		noStage(t, p)
	}

	// Another process holds DuckDB's kind of lock on an unfinished file:
	// it may be writing the headers now, so the file is not replaced.
	p := filepath.Join(dir, "busy.duckdb")
	writeFile(t, p, "")
	stop := lockInAnotherProcess(t, p)
	defer stop()
	if _, err := driver.Open(context.Background(), "duckdb:"+p); err == nil {
		t.Error("an unfinished file another process has open was opened")
	}
	if fi, err := os.Stat(p); err != nil || fi.Size() != 0 {
		t.Errorf("an unfinished file another process has open was replaced: %v", err)
	}
	noStage(t, p)
}

// lockInAnotherProcess has a child process (this test binary) take a
// write lock (fcntl, as DuckDB does) on the file at path, and returns a
// function that ends it.
func lockInAnotherProcess(t *testing.T, path string) func() {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldsALock$")
	cmd.Env = append(os.Environ(), "ORIGINSIM_TEST_LOCK="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		cmd.Process.Kill()
		t.Fatalf("the helper did not take the lock: %q %v", line, err)
	}
	return func() {
		in.Close()
		cmd.Wait()
	}
}

// TestHelperHoldsALock is the child process of lockInAnotherProcess.
func TestHelperHoldsALock(t *testing.T) {
	path := os.Getenv("ORIGINSIM_TEST_LOCK")
	if path == "" {
		t.Skip("a helper process for TestNewFileAppearsWhole")
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	lk := syscall.Flock_t{Type: syscall.F_WRLCK}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk); err != nil {
		t.Fatal(err)
	}
	fmt.Println("locked")
	var b [1]byte
	os.Stdin.Read(b[:]) // until the parent closes it
}
