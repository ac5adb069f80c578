package sqlscript_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2" // database/sql driver "duckdb", to run DuckDB scripts

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	_ "github.com/originsim/originsim/driver/all"
	"github.com/originsim/originsim/driver/duckdb"
	"github.com/originsim/originsim/driver/mysql"
	"github.com/originsim/originsim/driver/postgres"
	"github.com/originsim/originsim/driver/sqlserver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/simtest"
	"github.com/originsim/originsim/model"
	"github.com/originsim/originsim/sqlscript"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// scriptDays is the last day the script tests play, from the baseline.
const scriptDays = 2

// TestScriptGolden pins the script of day 1 in every dialect.
func TestScriptGolden(t *testing.T) {
	for _, name := range []string{"duckdb", "postgres", "mysql", "sqlserver"} {
		t.Run(name, func(t *testing.T) {
			d, err := driver.DialectByName(name)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := sqlscript.Write(&b, d, model.DefaultSchemas, gen.Default(), 1); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "script_"+name+"_day1.golden")
			if *update {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test . -run TestScriptGolden -update to write it)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("the %s script of day 1 differs from %s; if the change is meant, rerun with -update and review the diff", name, path)
			}
		})
	}
}

func TestScriptBadInput(t *testing.T) {
	cases := []struct {
		sc  model.Schemas
		cfg gen.Config
		day int
	}{
		{model.DefaultSchemas, gen.Default(), -1},
		{model.DefaultSchemas, gen.Default(), gen.MaxDay + 1},
		{model.Schemas{Shop: `x"; DROP SCHEMA y; --`, CRM: "crm"}, gen.Default(), 0},
		{model.Schemas{Shop: "same", CRM: "same"}, gen.Default(), 0},
		{model.DefaultSchemas, gen.Config{Seed: 1, Start: gen.DefaultStart, Scale: 0}, 1},
	}
	for _, c := range cases {
		var b bytes.Buffer
		err := sqlscript.Write(&b, postgres.Dialect, c.sc, c.cfg, c.day)
		if !errors.Is(err, originsim.ErrUsage) {
			t.Errorf("%+v day %d: got %v, want a usage error", c.sc, c.day, err)
		}
		if b.Len() != 0 {
			t.Errorf("%+v day %d: wrote %d bytes before refusing", c.sc, c.day, b.Len())
		}
	}
}

// A write error stops the script at once, however much is left to generate.
func TestScriptWriteError(t *testing.T) {
	w := &failWriter{after: 1 << 17}
	err := sqlscript.Write(w, duckdb.Dialect, model.DefaultSchemas, gen.Config{Seed: 1, Start: gen.DefaultStart, Scale: 1000}, 0)
	if !errors.Is(err, errFull) {
		t.Fatalf("got %v, want the writer's error", err)
	}
}

var errFull = errors.New("disk full")

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after -= len(p); w.after < 0 {
		return 0, errFull
	}
	return len(p), nil
}

// verified runs Verify and returns the table fingerprints, or an error
// unless the database is exactly the given day.
func verified(ctx context.Context, sim *originsim.Simulator, day int) ([]string, error) {
	rep, err := sim.Verify(ctx)
	if err != nil {
		return nil, err
	}
	if !rep.OK || rep.Day != day {
		return nil, fmt.Errorf("verify: ok %v at day %d, want day %d: %+v", rep.OK, rep.Day, day, rep.Tables)
	}
	return simtest.Fingerprints(rep), nil
}

// runScripts runs the scripts of days 0 to scriptDays with run, and checks
// after each that the database at url verifies with the direct path's
// fingerprints.
func runScripts(t *testing.T, d driver.Dialect, url string, sc model.Schemas, run func(script io.Reader) error) {
	t.Helper()
	ref := simtest.Reference(t) // the direct path's, on a DuckDB file
	for day := 0; day <= scriptDays; day++ {
		if err := run(script(d, sc, day)); err != nil {
			t.Fatalf("day %d script: %v", day, err)
		}
		// Opened for each check: DuckDB allows one configuration per file
		// in a process, and the script runner opens it too.
		sim := openSim(t, url, sc)
		fp, err := verified(t.Context(), sim, day)
		sim.Close()
		if err != nil {
			t.Fatalf("after the day %d script: %v", day, err)
		}
		if !slices.Equal(fp, ref[day]) {
			t.Fatalf("after the day %d script the fingerprints are\n%v\nthe direct path's\n%v", day, fp, ref[day])
		}
	}
}

func openSim(t *testing.T, url string, sc model.Schemas) *originsim.Simulator {
	t.Helper()
	sim, err := originsim.Open(t.Context(), url, originsim.WithSchemas(sc), originsim.WithProgress(func(originsim.Event) {}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim
}

// script streams the script of a day, as a pipe into a client does.
func script(d driver.Dialect, sc model.Schemas, day int) io.Reader {
	return scriptOf(d, sc, gen.Default(), day)
}

// scriptOf streams the script of a day of cfg.
func scriptOf(d driver.Dialect, sc model.Schemas, cfg gen.Config, day int) io.Reader {
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(sqlscript.Write(pw, d, sc, cfg, day)) }()
	return pr
}

// psql runs a script with psql on the database at url, stopping at the
// first error.
func psql(url string) func(stdin io.Reader) error {
	return func(stdin io.Reader) error {
		return runClient(stdin, "psql", "-v", "ON_ERROR_STOP=1", "-q", "-X", "-d", url)
	}
}

// newSchemas are fresh schema names for one test, dropped with the client
// run when it ends (drop has %s for a quoted schema).
func newSchemas(t *testing.T, d driver.Dialect, drop string, run func(script io.Reader) error) model.Schemas {
	sc := simtest.UniqueSchemas(t)
	t.Cleanup(func() {
		q := fmt.Sprintf(drop, d.Quote(sc.Shop)) + fmt.Sprintf(drop, d.Quote(sc.CRM))
		if err := run(strings.NewReader(q)); err != nil {
			t.Errorf("drop %s and %s: %v", sc.Shop, sc.CRM, err)
		}
	})
	return sc
}

// TestScriptDuckDB runs the DuckDB scripts through the database/sql driver,
// which runs a script of many statements in one Exec.
func TestScriptDuckDB(t *testing.T) {
	path := filepath.Join(t.TempDir(), "script.duckdb")
	sc := model.Schemas{Shop: "shop_db", CRM: "crm_db"}
	runScripts(t, duckdb.Dialect, "duckdb:"+path, sc, func(r io.Reader) error {
		q, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		db, err := sql.Open("duckdb", path)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.ExecContext(t.Context(), string(q))
		return err
	})
}

// TestScriptPostgres pipes the PostgreSQL scripts of days 0-2 into psql:
// each leaves what the direct path leaves on DuckDB, apply-delta continues
// from there, and a script run twice changes nothing.
func TestScriptPostgres(t *testing.T) {
	url := simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL")
	psql := psql(url)
	sc := newSchemas(t, postgres.Dialect, "DROP SCHEMA IF EXISTS %s CASCADE;", psql)
	runScripts(t, postgres.Dialect, url, sc, psql)
	sim := openSim(t, url, sc)

	// The guard: the day 2 script again, or day 1's, writes nothing.
	for _, day := range []int{scriptDays, 1} {
		err := psql(script(postgres.Dialect, sc, day))
		if err == nil || !strings.Contains(err.Error(), "operation") {
			t.Errorf("the day %d script on a database at day %d: got %v, want the ledger row refused", day, scriptDays, err)
		}
	}
	if _, err := verified(t.Context(), sim, scriptDays); err != nil {
		t.Fatalf("after the refused scripts: %v", err)
	}
	if _, err := sim.ApplyDelta(t.Context(), scriptDays+1); err != nil {
		t.Fatalf("apply-delta after the scripts: %v", err)
	}
	if _, err := verified(t.Context(), sim, scriptDays+1); err != nil {
		t.Fatalf("apply-delta after the scripts: %v", err)
	}
}

// TestScriptMySQL pipes the MySQL scripts of days 0-2 into the mariadb
// client.
func TestScriptMySQL(t *testing.T) {
	url := simtest.ServerURL(t, "ORIGINSIM_TEST_MYSQL_URL")
	client := "mariadb"
	if _, err := exec.LookPath(client); err != nil {
		client = "mysql"
	}
	args, password, err := mysqlArgs(url)
	if err != nil {
		t.Fatal(err)
	}
	run := func(stdin io.Reader) error {
		cmd := exec.Command(client, args...)
		if password != "" {
			cmd.Env = append(os.Environ(), "MYSQL_PWD="+password)
		}
		return runCmd(cmd, stdin)
	}
	sc := newSchemas(t, mysql.Dialect, "DROP DATABASE IF EXISTS %s;", run)
	runScripts(t, mysql.Dialect, url, sc, run)
	sim := openSim(t, url, sc)
	if err := run(script(mysql.Dialect, sc, scriptDays)); err == nil {
		t.Errorf("the day %d script ran twice", scriptDays)
	}
	if _, err := verified(t.Context(), sim, scriptDays); err != nil {
		t.Fatalf("after the refused script: %v", err)
	}
}

// mysqlArgs are the mariadb client's arguments for a mysql:// URL; the
// password goes through the environment, never the command line.
func mysqlArgs(raw string) ([]string, string, error) {
	u, err := neturl.Parse(raw)
	if err != nil {
		return nil, "", err
	}
	args := []string{"--batch", "--host", u.Hostname(), "--port", firstNonEmpty(u.Port(), "3306"), "--user", u.User.Username()}
	password, _ := u.User.Password()
	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		args = append(args, db)
	}
	return args, password, nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func runClient(stdin io.Reader, name string, args ...string) error {
	return runCmd(exec.Command(name, args...), stdin)
}

// runCmd runs a client with the script on its standard input; its error
// output becomes the error.
func runCmd(cmd *exec.Cmd, stdin io.Reader) error {
	var stderr bytes.Buffer
	cmd.Stdin, cmd.Stderr = stdin, &stderr
	err := cmd.Run()
	if c, ok := stdin.(io.Closer); ok {
		c.Close() // a client that stopped early leaves the script's writer blocked
	}
	if err != nil {
		return fmt.Errorf("%s: %w: %s", cmd.Path, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// TestScriptHardDeletesPostgres pipes the hard-delete scripts of days 0-3
// into psql: each day verifies (the deleted rows are gone, children first,
// or psql stops), and a soft script is refused on a hard database.
func TestScriptHardDeletesPostgres(t *testing.T) {
	url := simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL")
	psql := psql(url)
	sc := newSchemas(t, postgres.Dialect, "DROP SCHEMA IF EXISTS %s CASCADE;", psql)
	cfg := gen.Default()
	cfg.HardDeletes = true
	sim := openSim(t, url, sc)
	for day := 0; day <= 3; day++ {
		if day == 2 {
			if err := psql(scriptOf(postgres.Dialect, sc, gen.Default(), day)); err == nil || !strings.Contains(err.Error(), "operation") {
				t.Errorf("a soft script on a hard database: got %v, want the ledger row refused", err)
			}
		}
		if err := psql(scriptOf(postgres.Dialect, sc, cfg, day)); err != nil {
			t.Fatalf("day %d: %v", day, err)
		}
		rep, err := sim.Verify(t.Context())
		if err != nil || !rep.OK || rep.Day != day {
			t.Fatalf("day %d with hard deletes after psql: %v %+v", day, err, rep)
		}
	}
	if err := sqlscript.Write(io.Discard, duckdb.Dialect, sc, cfg, 1); !errors.Is(err, originsim.ErrUsage) {
		t.Errorf("a DuckDB script with hard deletes: %v, want a usage error", err)
	}
}

// With --enable-cdc the PostgreSQL script of day 0, piped into psql,
// leaves the capture load-baseline --enable-cdc leaves (replica identity
// full on the eight tables, all in the publication); the day 1 script
// with it again changes nothing of the capture and still verifies. Other
// dialects' captures: SQL Server's statements are EnableCapture's; DuckDB
// and MySQL have none.
func TestScriptCapture(t *testing.T) {
	tables := func(sc model.Schemas) []driver.SchemaTable {
		var out []driver.SchemaTable
		for _, tb := range model.Tables() {
			out = append(out, driver.SchemaTable{Schema: sc.Of(tb.System), Table: tb})
		}
		return out
	}
	var b strings.Builder
	if err := sqlscript.WriteWith(&b, sqlserver.Dialect, model.DefaultSchemas, gen.Default(), 0, driver.ChangeTracking); err != nil {
		t.Fatal(err)
	}
	want, _ := driver.CaptureScript(sqlserver.Dialect, driver.ChangeTracking, tables(model.DefaultSchemas))
	if len(want) != model.NumTables+1 || !strings.Contains(b.String(), want[0]) || !strings.Contains(b.String(), want[len(want)-1]) ||
		strings.Index(b.String(), want[0]) < strings.LastIndex(b.String(), "COMMIT") {
		t.Fatalf("the SQL Server script lacks EnableCapture's statements after its commit")
	}
	for _, d := range []driver.Dialect{duckdb.Dialect, mysql.Dialect} {
		if err := sqlscript.WriteWith(io.Discard, d, model.DefaultSchemas, gen.Default(), 0, driver.CDC); !errors.Is(err, originsim.ErrUsage) {
			t.Errorf("%s with cdc: %v, want a usage error", d.Name(), err)
		}
	}

	url := simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL")
	run := psql(url)
	sc := newSchemas(t, postgres.Dialect, "DROP SCHEMA IF EXISTS %s CASCADE;", run)
	t.Cleanup(func() {
		q := "DROP PUBLICATION IF EXISTS " + postgres.Dialect.Quote(postgres.Publication(sc.Shop)) + ";"
		if err := run(strings.NewReader(q)); err != nil {
			t.Errorf("drop the publication: %v", err)
		}
	})
	for day := 0; day <= 1; day++ {
		pr, pw := io.Pipe()
		go func() {
			pw.CloseWithError(sqlscript.WriteWith(pw, postgres.Dialect, sc, gen.Default(), day, driver.CDC))
		}()
		if err := run(pr); err != nil {
			t.Fatalf("day %d script with cdc: %v", day, err)
		}
		sim := openSim(t, url, sc)
		st, err := sim.Status(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if st.Capture != "cdc" {
			t.Fatalf("after the day %d script with cdc, the capture is %q", day, st.Capture)
		}
		if _, err := verified(t.Context(), sim, day); err != nil {
			t.Fatal(err)
		}
		sim.Close()
	}
}
