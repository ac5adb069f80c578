// Package crashtest kills real originsim processes in the middle of their
// work and checks that the database is at the previous state or the
// completed one, never in between, and that the next run succeeds.
//
// The program is built with the crashtest tag, which lets
// ORIGINSIM_CRASHTEST=kill:POINT (or pause:POINT) stop it at a named state
// of the DuckDB driver (driver/duckdb/crashpoint_crashtest.go): those
// kills land where they are meant to on any machine, however busy. Kills
// after a delay sample the rest.
package crashtest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const scale = 300

var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "originsim-crash")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "originsim")
	build := exec.Command("go", "build", "-tags", "crashtest", "-o", bin, "github.com/originsim/originsim/cmd/originsim")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "crashtest: cannot build originsim:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// db is one database the tests point originsim at.
type db struct {
	t     *testing.T
	args  []string // --db and schema flags
	scale int64    // the scale the counts are checked at
	file  string   // a DuckDB database's file
}

func (d db) command(args ...string) *exec.Cmd {
	return exec.Command(bin, append(append([]string{}, d.args...), args...)...)
}

func (d db) run(args ...string) (int, string, string) {
	d.t.Helper()
	cmd := d.command(args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		d.t.Fatal(err)
	}
	return code, out.String(), errb.String()
}

// day is the recorded day, or -1 when there is no originsim data; the row
// counts must be exactly that day's at this scale.
func (d db) day() int {
	d.t.Helper()
	if d.file != "" {
		if _, err := os.Stat(d.file); os.IsNotExist(err) {
			return -1 // no file, nothing in it
		}
	}
	code, out, errOut := d.run("status", "--json")
	// A server goes on running the statement of a client that was killed
	// until it notices, holding the operation's lock meanwhile: status
	// waits for it (10 s a try) and says busy. The lock goes with the
	// session; wait for that state, not for a time. (A DuckDB file's lock
	// goes with the process.)
	for try := 1; d.file == "" && code == 3 && strings.Contains(out, "another originsim operation is running") && try < 12; try++ {
		d.t.Logf("status after the kill: busy, the killed session still holds the lock (try %d)", try)
		code, out, errOut = d.run("status", "--json")
	}
	if code == 3 && strings.Contains(out, "run load-baseline first") {
		return -1
	}
	if code != 0 {
		d.t.Fatalf("status after the kill: exit %d %s %s", code, out, errOut)
	}
	var st struct {
		Day    int              `json:"day"`
		Tables map[string]int64 `json:"tables"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		d.t.Fatal(err)
	}
	want := map[int]map[string]int64{
		0: {"customers": 100, "orders": 500, "order_items": 1200, "payments": 0, "email_activity": 100, "web_sessions": 150},
		1: {"customers": 125, "orders": 560, "order_items": 1303, "payments": 272, "email_activity": 150, "web_sessions": 200},
	}[st.Day]
	for k, v := range st.Tables {
		name := k[strings.Index(k, ".")+1:]
		if w, ok := want[name]; ok && v != w*d.scale {
			d.t.Fatalf("day %d, but %s has %d rows, want %d: a partial state", st.Day, k, v, w*d.scale)
		}
	}
	return st.Day
}

func (d db) verify() {
	d.t.Helper()
	if code, out, errOut := d.run("verify", "-q"); code != 0 {
		d.t.Fatalf("verify after the kill: exit %d %s %s", code, out, errOut)
	}
}

// killAfter starts originsim and kills it with sig after the delay (or
// lets it finish if it is faster).
func (d db) killAfter(delay time.Duration, sig syscall.Signal, args ...string) (exited bool, stderr string) {
	d.t.Helper()
	cmd := d.command(args...)
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return true, errb.String()
	case <-time.After(delay):
	}
	_ = cmd.Process.Signal(sig)
	<-done
	return false, errb.String()
}

// delays spread kills over an operation that takes about total.
func delays(total time.Duration) []time.Duration {
	out := []time.Duration{20 * time.Millisecond}
	for _, f := range []float64{0.25, 0.6, 0.9} {
		out = append(out, time.Duration(float64(total)*f*(0.9+0.2*rand.Float64())))
	}
	return out
}

// timed runs originsim once to learn how long an operation takes here.
func timed(d db, args ...string) time.Duration {
	start := time.Now()
	if code, out, errOut := d.run(args...); code != 0 {
		d.t.Fatalf("%v: exit %d %s %s", args, code, out, errOut)
	}
	return time.Since(start)
}

func duckdbAt(t *testing.T, path string) db {
	return db{t: t, args: []string{"--db", "duckdb:" + path, "-q"}, scale: scale, file: path}
}

// killedAt runs originsim with ORIGINSIM_CRASHTEST=kill:point and checks
// that it reached the point and died of the SIGKILL there.
func (d db) killedAt(point string, args ...string) {
	d.t.Helper()
	cmd := d.command(args...)
	cmd.Env = append(os.Environ(), "ORIGINSIM_CRASHTEST=kill:"+point)
	var errb strings.Builder
	cmd.Stderr = &errb
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || !strings.Contains(errb.String(), "crashtest: kill at "+point) {
		d.t.Fatalf("%v did not stop at %s: %v %s", args, point, err, errb.String())
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		d.t.Fatalf("%v at %s: %v, want killed by SIGKILL", args, point, err)
	}
}

// noStage checks that no staging folder is left beside a DuckDB file.
func (d db) noStage() {
	d.t.Helper()
	if _, err := os.Lstat(d.file + ".originsim-stage"); !os.IsNotExist(err) {
		d.t.Errorf("the staging folder of %s is left behind (%v)", filepath.Base(d.file), err)
	}
}

// A load into a new file killed at each state it goes through on the way:
// while the file is made (in the staging folder, then linked into place),
// once the load runs in the staging database, after a part of it was
// committed, after it all was, and after the staging database was renamed
// into place. Before the rename nothing is there (no file, or an empty
// database); after it, everything. Never a file DuckDB refuses, which a
// kill between DuckDB's creating a file and writing its headers left; the
// next load succeeds, verifies, and leaves no staging folder.
func TestKilledLoadAtEveryStep(t *testing.T) {
	dir := t.TempDir()
	// A load commits in parts at scale 300 only; the other states come at
	// any scale.
	points := []struct {
		name       string
		scale, day int
	}{
		{"create-stage", 1, -1}, {"create-file", 1, -1}, {"create-placed", 1, -1},
		{"stage-open", 1, -1}, {"stage-part", scale, -1}, {"stage-committed", 1, -1}, {"stage-placed", 1, 0},
	}
	for _, p := range points {
		d := duckdbAt(t, filepath.Join(dir, p.name, "new.duckdb"))
		d.scale = int64(p.scale)
		d.killedAt(p.name, "load-baseline", "--scale", fmt.Sprint(p.scale))
		_, err := os.Stat(d.file)
		got := d.day()
		t.Logf("killed at %s: file there: %v, day %d", p.name, err == nil, got)
		if got != p.day {
			t.Fatalf("killed at %s: day %d, want %d", p.name, got, p.day)
		}
		if code, out, errOut := d.run("load-baseline", "--scale", fmt.Sprint(p.scale)); code != 0 {
			t.Fatalf("load-baseline after a kill at %s: exit %d %s %s", p.name, code, out, errOut)
		}
		d.verify()
		d.noStage()
	}
}

// SIGINT and SIGTERM roll back and say so.
func TestInterruptRollsBack(t *testing.T) {
	dir := t.TempDir()
	took := timed(duckdbAt(t, filepath.Join(dir, "probe.duckdb")), "load-baseline", "--scale", fmt.Sprint(scale))
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		d := duckdbAt(t, filepath.Join(dir, sig.String()+".duckdb"))
		finished, stderr := d.killAfter(took/2, sig, "load-baseline", "--scale", fmt.Sprint(scale))
		if finished {
			t.Logf("%s: the load finished first", sig)
			continue
		}
		if !strings.Contains(stderr, "interrupted: the operation was rolled back") {
			t.Errorf("%s: stderr %q", sig, stderr)
		}
		if got := d.day(); got != -1 {
			t.Errorf("%s: day %d after an interrupted load", sig, got)
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// While one process writes, a second one is told so, clearly, and waits
// for nothing: DuckDB's own file lock, in originsim's words. The writer is
// held in the middle of its load (paused after a part was committed) for
// as long as the second one runs.
func TestSecondProcessIsToldBusy(t *testing.T) {
	d := duckdbAt(t, filepath.Join(t.TempDir(), "busy.duckdb"))
	cmd := d.command("load-baseline", "--scale", fmt.Sprint(scale))
	cmd.Env = append(os.Environ(), "ORIGINSIM_CRASHTEST=pause:stage-part")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	line, err := bufio.NewReader(stderr).ReadString('\n')
	if err != nil || !strings.Contains(line, "crashtest: pause at stage-part") {
		t.Fatalf("the load did not pause in the middle: %q %v", line, err)
	}
	code, _, errOut := d.run("status")
	if code != 3 || !strings.Contains(errOut, "another originsim operation is running") {
		t.Errorf("status while a load runs: exit %d %q", code, errOut)
	}
}

// The same kills against PostgreSQL, in schemas of the test's own.
func TestKilledOperationsOnPostgres(t *testing.T) {
	url := os.Getenv("ORIGINSIM_TEST_POSTGRES_URL")
	if url == "" {
		if os.Getenv("ORIGINSIM_TEST_REQUIRE_SERVERS") == "1" {
			t.Fatal("ORIGINSIM_TEST_POSTGRES_URL is not set and ORIGINSIM_TEST_REQUIRE_SERVERS=1")
		}
		t.Skip("ORIGINSIM_TEST_POSTGRES_URL is not set")
	}
	suffix := fmt.Sprintf("%d_%d", os.Getpid(), rand.IntN(1e6))
	shop, crm := "crash_shop_"+suffix, "crash_crm_"+suffix
	d := db{t: t, args: []string{"--db", url, "--shop-schema", shop, "--crm-schema", crm, "-q"}, scale: scale}
	t.Cleanup(func() {
		psql := exec.Command("psql", url, "-qc", fmt.Sprintf("DROP SCHEMA IF EXISTS %s CASCADE; DROP SCHEMA IF EXISTS %s CASCADE", shop, crm))
		if out, err := psql.CombinedOutput(); err != nil {
			t.Logf("cleanup: %v %s", err, out)
		}
	})
	took := timed(d, "load-baseline", "--scale", fmt.Sprint(scale))
	// Killed loads: nothing or everything.
	for _, delay := range delays(took) {
		psql := exec.Command("psql", os.Getenv("ORIGINSIM_TEST_POSTGRES_URL"), "-qc", fmt.Sprintf("DROP SCHEMA %s CASCADE; DROP SCHEMA %s CASCADE", shop, crm))
		if out, err := psql.CombinedOutput(); err != nil {
			t.Fatalf("drop: %v %s", err, out)
		}
		finished, _ := d.killAfter(delay, syscall.SIGKILL, "load-baseline", "--scale", fmt.Sprint(scale))
		got := d.day()
		t.Logf("load-baseline: SIGKILL after %s (finished: %v): day %d", delay, finished, got)
		if got != -1 && got != 0 {
			t.Fatalf("day %d after a killed load", got)
		}
		if got == -1 {
			timed(d, "load-baseline", "--scale", fmt.Sprint(scale))
		}
		d.verify()
	}
	timed(d, "reset", "--yes") // back to Day 0 for the delta kills
	for _, delay := range delays(took) {
		finished, _ := d.killAfter(delay, syscall.SIGKILL, "apply-delta", "1")
		got := d.day()
		t.Logf("SIGKILL after %s (finished: %v): day %d", delay, finished, got)
		if got != 0 && got != 1 {
			t.Fatalf("day %d after a killed apply-delta 1", got)
		}
		d.verify()
		if got == 1 {
			timed(d, "reset", "--yes")
		}
	}
	for _, delay := range delays(took) {
		finished, _ := d.killAfter(delay, syscall.SIGKILL, "reset", "--yes")
		got := d.day()
		t.Logf("reset: SIGKILL after %s (finished: %v): day %d", delay, finished, got)
		if got != 0 {
			t.Fatalf("day %d after a killed reset of Day 0", got)
		}
		d.verify()
	}
}

// Many callers at once: each either does its work or fails clearly (exit
// 3), days are never applied twice, and the result verifies.
func TestManySimultaneousCallers(t *testing.T) {
	targets := map[string]func(t *testing.T) db{
		"duckdb": func(t *testing.T) db {
			d := duckdbAt(t, filepath.Join(t.TempDir(), "many.duckdb"))
			d.scale = 1
			return d
		},
	}
	if url := os.Getenv("ORIGINSIM_TEST_POSTGRES_URL"); url != "" {
		targets["postgres"] = func(t *testing.T) db {
			suffix := fmt.Sprintf("%d_%d", os.Getpid(), rand.IntN(1e6))
			shop, crm := "many_shop_"+suffix, "many_crm_"+suffix
			t.Cleanup(func() {
				_ = exec.Command("psql", url, "-qc", fmt.Sprintf("DROP SCHEMA IF EXISTS %s CASCADE; DROP SCHEMA IF EXISTS %s CASCADE", shop, crm)).Run()
			})
			return db{t: t, args: []string{"--db", url, "--shop-schema", shop, "--crm-schema", crm, "-q"}, scale: 1}
		}
	}
	for name, mk := range targets {
		t.Run(name, func(t *testing.T) {
			d := mk(t)
			if code, out, errOut := d.run("load-baseline"); code != 0 {
				t.Fatalf("load-baseline: %d %s %s", code, out, errOut)
			}
			calls := [][]string{{"apply-delta", "1"}, {"apply-delta", "1"}, {"apply-delta", "1"}, {"load-baseline"}, {"load-baseline"}, {"status"}}
			type result struct {
				code   int
				stderr string
			}
			results := make(chan result, len(calls))
			for _, c := range calls {
				go func() {
					code, _, stderr := d.run(c...)
					results <- result{code, stderr}
				}()
			}
			for range calls {
				r := <-results
				switch {
				case r.code == 0:
				case r.code == 3 && (strings.Contains(r.stderr, "another originsim operation is running") ||
					strings.Contains(r.stderr, "already applied") || strings.Contains(r.stderr, "run reset")):
				default:
					t.Errorf("a caller failed unclearly: exit %d %q", r.code, r.stderr)
				}
			}
			got := d.day()
			if got != 0 && got != 1 {
				t.Fatalf("day %d after the callers", got)
			}
			d.verify()
		})
	}
}
