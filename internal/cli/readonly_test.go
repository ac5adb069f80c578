package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// status, verify and export only read: on a mistyped DuckDB path they say
// there is no data (exit 3) and create neither the file nor its folder; on
// a file the user may only read they work.
func TestReadingCommandsWriteNothing(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{{"status"}, {"verify"}, {"export", "--out", filepath.Join(t.TempDir(), "x")}} {
		r := e.run(args...)
		if r.code != exitState || !strings.Contains(r.stderr, "load-baseline") {
			t.Errorf("%s on a missing file: exit %d %q; want exit %d and the command to run", args[0], r.code, r.stderr, exitState)
		}
		if _, err := os.Stat(filepath.Dir(e.path)); !os.IsNotExist(err) {
			t.Fatalf("%s on a missing file made its folder: %v", args[0], err)
		}
	}
	e.must("load-baseline", "-q")
	if err := os.Chmod(e.path, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(e.path), 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(filepath.Dir(e.path), 0o755) })
	if os.Geteuid() == 0 {
		// root writes whatever the modes say; the read-only open is what
		// keeps the file as it is then.
		t.Log("running as root: the modes do not stop writes, the read-only open must")
	}
	before, err := os.ReadFile(e.path)
	if err != nil {
		t.Fatal(err)
	}
	e.must("status", "-q")
	e.must("verify", "-q")
	e.must("export", "--out", filepath.Join(t.TempDir(), "csv"), "-q")
	after, err := os.ReadFile(e.path)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Errorf("a reading command changed the database file")
	}
}
