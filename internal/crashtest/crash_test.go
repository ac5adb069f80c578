// Package crashtest kills real originsim processes in the middle of their
// work and checks that the database is at the previous state or the
// completed one, never in between, and that the next run succeeds.
package crashtest

import (
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
	build := exec.Command("go", "build", "-o", bin, "github.com/originsim/originsim/cmd/originsim")
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
}

func (d db) run(args ...string) (int, string, string) {
	d.t.Helper()
	cmd := exec.Command(bin, append(append([]string{}, d.args...), args...)...)
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
	code, out, errOut := d.run("status", "--json")
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
	cmd := exec.Command(bin, append(append([]string{}, d.args...), args...)...)
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
	return db{t: t, args: []string{"--db", "duckdb:" + path, "-q"}, scale: scale}
}

func TestKilledLoadLeavesNothingOrEverything(t *testing.T) {
	dir := t.TempDir()
	took := timed(duckdbAt(t, filepath.Join(dir, "probe.duckdb")), "load-baseline", "--scale", fmt.Sprint(scale))
	for i, delay := range delays(took) {
		d := duckdbAt(t, filepath.Join(dir, fmt.Sprintf("k%d.duckdb", i)))
		finished, _ := d.killAfter(delay, syscall.SIGKILL, "load-baseline", "--scale", fmt.Sprint(scale))
		got := d.day()
		t.Logf("SIGKILL after %s (finished: %v): day %d", delay, finished, got)
		if got != -1 && got != 0 {
			t.Fatalf("day %d after a killed load", got)
		}
		if code, out, errOut := d.run("load-baseline", "--scale", fmt.Sprint(scale)); code != 0 {
			t.Fatalf("load-baseline after the kill: exit %d %s %s", code, out, errOut)
		}
		d.verify()
	}
}

func TestKilledDeltaLeavesThePreviousDay(t *testing.T) {
	dir := t.TempDir()
	template := filepath.Join(dir, "day0.duckdb")
	timed(duckdbAt(t, template), "load-baseline", "--scale", fmt.Sprint(scale))
	probe := filepath.Join(dir, "probe.duckdb")
	copyFile(t, template, probe)
	took := timed(duckdbAt(t, probe), "apply-delta", "1")
	for i, delay := range delays(took) {
		path := filepath.Join(dir, fmt.Sprintf("k%d.duckdb", i))
		copyFile(t, template, path)
		d := duckdbAt(t, path)
		finished, _ := d.killAfter(delay, syscall.SIGKILL, "apply-delta", "1")
		got := d.day()
		t.Logf("SIGKILL after %s (finished: %v): day %d", delay, finished, got)
		if got != 0 && got != 1 {
			t.Fatalf("day %d after a killed apply-delta 1", got)
		}
		if got == 0 {
			if code, out, errOut := d.run("apply-delta", "1"); code != 0 {
				t.Fatalf("apply-delta after the kill: exit %d %s %s", code, out, errOut)
			}
		}
		d.verify()
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
// for nothing: DuckDB's own file lock, in originsim's words.
func TestSecondProcessIsToldBusy(t *testing.T) {
	d := duckdbAt(t, filepath.Join(t.TempDir(), "busy.duckdb"))
	cmd := exec.Command(bin, append(append([]string{}, d.args...), "load-baseline", "--scale", fmt.Sprint(scale))...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	time.Sleep(300 * time.Millisecond)
	code, _, stderr := d.run("status")
	if code != 3 || !strings.Contains(stderr, "another originsim operation is running") {
		t.Errorf("status while a load runs: exit %d %q", code, stderr)
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
