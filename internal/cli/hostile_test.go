package cli

// What a hostile tester broke (issue 14), one case each, so none comes
// back: passwords shown or sent to the wrong server, files overwritten,
// a process killed by a closed pipe, errors in plain text under --json,
// and inputs taken for something else than what was given.

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/originsim/originsim/internal/simtest"
)

// closedPort is a loopback address where nothing listens: a port taken and
// given back.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// hostilePasswords hold each character a URL's user info cannot hold as it
// is, alone and together, and digits first, where the part before / ? or #
// reads as a port.
var hostilePasswords = []string{
	"Kq7@Zr9x", "Wm4/Tb8v", "Hj2?Pn6c", "Lx5#Qd3w", "Ns8%Fy1k", "Gt6:Vb2m", "Rc3 Jw7p",
	"Dk9@Xs4/Bn5?Ql8#Ua2%Hz6:Te1 Wy3", "61234/Tq9w", "61234#Lp3z", "61234?Mv8q",
}

// hostileURL is a URL of the scheme at addr with the password pw, escaped
// as a URL must hold it or written as it is.
func hostileURL(scheme, addr, pw string, escaped bool) string {
	userinfo := "app:" + pw
	if escaped {
		userinfo = url.UserPassword("app", pw).String()
	}
	if strings.EqualFold(scheme, "sqlserver") {
		return scheme + "://" + userinfo + "@" + addr + "?database=test"
	}
	return scheme + "://" + userinfo + "@" + addr + "/test"
}

// leaks names the first part of pw (between its special characters, three
// characters or more) that out shows.
func leaks(out, pw string) string {
	for _, f := range strings.FieldsFunc(pw, func(r rune) bool { return strings.ContainsRune("@/?#%: ", r) }) {
		if len(f) >= 3 && strings.Contains(out, f) {
			return f
		}
	}
	return ""
}

// oneJSONError checks that stdout is exactly one JSON document naming the
// error and the exit code, and stderr is empty.
func oneJSONError(t *testing.T, what string, r result) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	var doc struct {
		Error    string `json:"error"`
		ExitCode *int   `json:"exit_code"`
	}
	if err := dec.Decode(&doc); err != nil || doc.Error == "" || doc.ExitCode == nil || *doc.ExitCode != r.code {
		t.Errorf("%s: stdout is not one JSON error with exit code %d (%v): %q", what, r.code, err, r.stdout)
		return
	}
	if dec.More() || r.stderr != "" {
		t.Errorf("%s: more than one JSON document, or text on stderr: %q %q", what, r.stdout, r.stderr)
	}
}

// No message shows any part of a password, whatever the URL's scheme case,
// whether the password is escaped or not, from --db, ORIGINSIM_DB or
// originsim.yaml; a URL that does not parse says how to write it; one that
// parses reaches its driver and the host it names, whatever the scheme's
// case.
func TestHostilePasswordsNeverShown(t *testing.T) {
	newEnv(t)
	addr := closedPort(t)
	for _, pw := range hostilePasswords {
		for _, escaped := range []bool{true, false} {
			lower := map[string]string{} // the message of each lower-case scheme
			for _, scheme := range []string{"postgres", "Postgres", "POSTGRESQL", "postgresql", "mysql", "MySQL", "mariadb", "sqlserver", "SQLServer"} {
				u := hostileURL(scheme, addr, pw, escaped)
				r := run(t, "status", "--db", u)
				if r.code == 0 {
					t.Errorf("%s: exit 0", u)
				}
				if f := leaks(r.stdout+r.stderr, pw); f != "" {
					t.Errorf("%s: the output shows %q: %s", u, f, r.stderr)
				}
				switch r.code {
				case exitConnect:
					// It reached the driver, which went to the host given:
					// not a Unix socket, not the OS user.
					if !strings.Contains(r.stderr, addr) || !strings.Contains(r.stderr, `as user "app"`) {
						t.Errorf("%s: did not try %s as app: %s", u, addr, r.stderr)
					}
				case exitUsage:
					if escaped || !strings.Contains(r.stderr, "must be percent-encoded") {
						t.Errorf("%s: refused without saying how to write it: %s", u, r.stderr)
					}
				default:
					t.Errorf("%s: exit %d: %s", u, r.code, r.stderr)
				}
				// A scheme in capitals reaches the driver the lower-case
				// one does, with the same result.
				if want, ok := lower[strings.ToLower(scheme)]; ok && want != r.stderr {
					t.Errorf("%s says\n%s\nits lower-case scheme says\n%s", u, r.stderr, want)
				} else if !ok {
					lower[strings.ToLower(scheme)] = r.stderr
				}
				j := run(t, "status", "--json", "--db", u)
				oneJSONError(t, u+" --json", j)
				if f := leaks(j.stdout+j.stderr, pw); f != "" || j.code != r.code {
					t.Errorf("%s --json: exit %d, shows %q: %s", u, j.code, f, j.stdout)
				}
			}
		}
	}
	// The same from the environment and from originsim.yaml, which name
	// themselves.
	t.Chdir(t.TempDir())
	for _, pw := range hostilePasswords {
		for _, escaped := range []bool{true, false} {
			u := hostileURL("Postgres", addr, pw, escaped)
			t.Setenv("ORIGINSIM_DB", u)
			r := run(t, "status")
			if r.code == 0 || leaks(r.stdout+r.stderr, pw) != "" || r.code == exitUsage && !strings.Contains(r.stderr, "ORIGINSIM_DB: ") {
				t.Errorf("ORIGINSIM_DB=%s: exit %d %s", u, r.code, r.stderr)
			}
			unsetenv(t, "ORIGINSIM_DB")
			if err := os.WriteFile("originsim.yaml", []byte("db: "+u+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, args := range [][]string{{"status"}, {"status", "--json"}} {
				r := run(t, args...)
				if r.code == 0 || leaks(r.stdout+r.stderr, pw) != "" || r.code == exitUsage && !strings.Contains(r.stdout+r.stderr, "originsim.yaml") {
					t.Errorf("db: %s in originsim.yaml, %v: exit %d %s%s", u, args, r.code, r.stdout, r.stderr)
				}
			}
		}
	}
}

// PostgreSQL's real server: a URL whose scheme is in capitals loads and
// reads the same database as the lower-case one (it used to go to the
// local socket as the OS user).
func TestHostileCapitalisedSchemeReachesTheServer(t *testing.T) {
	newEnv(t)
	base := simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL")
	scheme, rest, _ := strings.Cut(base, "://")
	if !strings.EqualFold(scheme, "postgres") && !strings.EqualFold(scheme, "postgresql") {
		t.Fatalf("ORIGINSIM_TEST_POSTGRES_URL is not a postgres:// URL")
	}
	sc := simtest.NewSchemas(t, base)
	schemas := []string{"--shop-schema", sc.Shop, "--crm-schema", sc.CRM}
	if r := run(t, append([]string{"load-baseline", "-q", "--db", "Postgres://" + rest}, schemas...)...); r.code != 0 {
		t.Fatalf("load-baseline on Postgres://: exit %d %s", r.code, r.stderr)
	}
	for _, s := range []string{"postgres", "POSTGRESQL", "PostgreSQL"} {
		var st statusOut
		r := run(t, append([]string{"status", "--json", "--db", s + "://" + rest}, schemas...)...)
		if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || r.code != 0 || st.Day != 0 || st.Tables[sc.Shop+".customers"] != 100 {
			t.Errorf("status on %s://: exit %d %v %s%s", s, r.code, err, r.stdout, r.stderr)
		}
	}
}

// A dbt profile's password holding Jinja originsim does not render is
// named, never shown.
func TestHostileProfilePassword(t *testing.T) {
	newEnv(t)
	t.Setenv("DBT_PROFILES_DIR", "")
	for _, pw := range []string{"{{ something_unsupported() }}", "Zq8{{ vault('Kx7pw') }}Yt5"} {
		dir := t.TempDir()
		profiles := "p:\n  target: t\n  outputs:\n    t:\n      type: postgres\n      host: 127.0.0.1\n      user: app\n      password: \"" + pw + "\"\n      dbname: d\n"
		if err := os.WriteFile(filepath.Join(dir, "profiles.yml"), []byte(profiles), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"status"}, {"status", "--json"}} {
			r := run(t, append(args, "--profile", "p", "--profiles-dir", dir)...)
			out := r.stdout + r.stderr
			if r.code != exitUsage || !strings.Contains(out, "field password") {
				t.Errorf("%q %v: exit %d %s", pw, args, r.code, out)
			}
			for _, leak := range []string{"something_unsupported", "vault", "Kx7pw", "Zq8", "Yt5"} {
				if strings.Contains(out, leak) {
					t.Errorf("%q %v: the output shows %q: %s", pw, args, leak, out)
				}
			}
		}
	}
}

// sql --out and changes --out keep an existing file (exit 3, untouched)
// unless --force, as export and init do; with --force the file is
// replaced whole, and no temporary file is left.
func TestHostileOutFilesAreKept(t *testing.T) {
	newEnv(t)
	dir := t.TempDir()
	for _, cmd := range [][]string{
		{"sql", "--dialect", "duckdb", "--day", "1"},
		{"changes", "--day", "1"},
	} {
		out := filepath.Join(dir, cmd[0]+".out")
		if err := os.WriteFile(out, []byte("mine"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, json := range []bool{false, true} {
			args := append(cmd[:len(cmd):len(cmd)], "--out", out)
			if json {
				args = append(args, "--json")
			}
			r := run(t, args...)
			if r.code != exitState || !strings.Contains(r.stdout+r.stderr, "already exists") || !strings.Contains(r.stdout+r.stderr, "--force") {
				t.Errorf("%v over an existing file: exit %d %s%s", args, r.code, r.stdout, r.stderr)
			}
			if b, _ := os.ReadFile(out); string(b) != "mine" {
				t.Errorf("%v changed the existing file", args)
			}
		}
		want := run(t, cmd...).stdout
		if r := run(t, append(cmd[:len(cmd):len(cmd)], "--out", out, "--force")...); r.code != 0 {
			t.Fatalf("%v --force: exit %d %s", cmd, r.code, r.stderr)
		}
		if b, _ := os.ReadFile(out); string(b) != want || want == "" {
			t.Errorf("%v --force wrote %d bytes, standard output has %d", cmd, len(b), len(want))
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("files left beside the outputs: %v", entries)
	}
}

// A write that fails leaves the old file as it was and no temporary file.
func TestWriteOutIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.sql")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := writeOut("--out", path, true, func(w io.Writer) error {
		if _, err := io.WriteString(w, "half a scri"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("writeOut: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("a failed write changed the file: %q", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("a failed write left files: %v", entries)
	}
	// A new file is made only when complete, readable by others as
	// os.Create's would be.
	fresh := filepath.Join(dir, "new.sql")
	if err := writeOut("--out", fresh, false, func(w io.Writer) error { _, err := io.WriteString(w, "all"); return err }); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("new file: %v %v", fi, err)
	}
}

// buildBinary builds the command into a temporary folder, once per test.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "originsim")
	cmd := osexec.Command("go", "build", "-o", bin, "github.com/originsim/originsim/cmd/originsim")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// closedPipe is the writing end of a pipe whose reader has gone.
func closedPipe(t *testing.T) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	t.Cleanup(func() { w.Close() })
	return w
}

// originsim load-baseline | head -1: a reader that goes away must not kill
// the process in the middle of the load (exit 141, nothing said). The
// operation completes, the exit code is the operation's and standard error
// says the output was cut; a failing one says why there.
func TestHostileClosedStdout(t *testing.T) {
	e := newEnv(t)
	bin := buildBinary(t)
	start := func(stderr io.Writer, args ...string) int {
		t.Helper()
		cmd := osexec.Command(bin, append([]string{"--db", "duckdb:" + e.path}, args...)...)
		cmd.Dir = t.TempDir() // no originsim.yaml
		cmd.Stdout = closedPipe(t)
		cmd.Stderr = stderr
		err := cmd.Run()
		var ee *osexec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		if cmd.ProcessState.ExitCode() < 0 {
			t.Fatalf("%v: killed by a signal: %v", args, cmd.ProcessState)
		}
		return cmd.ProcessState.ExitCode()
	}
	var stderr strings.Builder
	if code := start(&stderr, "load-baseline"); code != 0 || !strings.Contains(stderr.String(), "standard output was closed by its reader before everything was written; the operation completed") {
		t.Fatalf("load-baseline into a closed pipe: exit %d %q", code, stderr.String())
	}
	if r := e.run("verify"); r.code != 0 {
		t.Fatalf("after load-baseline into a closed pipe, verify: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
	// Standard error closed too: the load still completes, exit 0.
	if code := start(closedPipe(t), "apply-delta", "--day", "1"); code != 0 {
		t.Fatalf("apply-delta with both outputs closed: exit %d", code)
	}
	if s := e.status(); s.Day != 1 {
		t.Fatalf("apply-delta with both outputs closed left day %d", s.Day)
	}
	// A failure says so on standard error, with its exit code, also under
	// --json, whose document cannot be written.
	for _, args := range [][]string{{"apply-delta", "--day", "5"}, {"apply-delta", "--day", "5", "--json"}} {
		stderr.Reset()
		if code := start(&stderr, args...); code != exitState || !strings.Contains(stderr.String(), "run apply-delta --day 2 next") {
			t.Errorf("%v into a closed pipe: exit %d %q", args, code, stderr.String())
		}
	}
	if s := e.status(); s.Day != 1 {
		t.Errorf("a refused day changed the database: day %d", s.Day)
	}
}

// Under --json every error is one JSON document on standard output, also
// when the command line does not parse.
func TestHostileJSONErrors(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{
		{"--json", "bogus-command"},
		{"bogus-command", "--json"},
		{"status", "--json", "--bogus-flag"},
		{"status", "--bogus-flag", "--json=true"},
		{"--json", "apply-delta", "--day", "x"},
		{"--json", "status", "--connect-timeout", "-5s"},
		{"--json", "status", "--db", ""},
		{"--json", "sql", "--dialect", "oracle", "--day", "1"},
		{"--json", "status"}, // no baseline: exit 3
	} {
		r := e.run(args...)
		if r.code == 0 {
			t.Errorf("%v: exit 0", args)
		}
		oneJSONError(t, strings.Join(args, " "), r)
	}
	if r := e.run("bogus-command", "--json=false"); r.stdout != "" || !strings.Contains(r.stderr, "unknown command") {
		t.Errorf("--json=false: %q %q", r.stdout, r.stderr)
	}
}

// A value given is used or refused, never taken for "not given": a zero
// date, an in-memory database, a zero or negative timeout, an empty flag
// or variable, a system schema. Nothing is written.
func TestHostileInputsAreNotTakenSilently(t *testing.T) {
	e := newEnv(t)
	t.Chdir(t.TempDir())
	cases := []struct {
		env  map[string]string
		args []string
		says string
	}{
		{nil, []string{"load-baseline", "--start-date", "0001-01-01"}, "--start-date: invalid configuration: start date 0001-01-01: the year must be between 1971 and 2200"},
		{nil, []string{"load-baseline", "--start-date", "9999-12-31"}, "the year must be between 1971 and 2200"},
		{nil, []string{"load-baseline", "--start-date", ""}, "use YYYY-MM-DD"},
		{nil, []string{"sql", "--dialect", "duckdb", "--day", "0", "--start-date", "0001-01-01"}, "between 1971 and 2200"},
		{nil, []string{"load-baseline", "--db", "duckdb::memory:"}, "--db: duckdb::memory: is an in-memory database"},
		{nil, []string{"load-baseline", "--db", "DuckDB::memory:"}, "is an in-memory database"},
		{nil, []string{"load-baseline", "--db", "duckdb::memory:?threads=2"}, "is an in-memory database"},
		{map[string]string{"ORIGINSIM_DB": "duckdb::memory:"}, []string{"load-baseline"}, "ORIGINSIM_DB: duckdb::memory: is an in-memory database"},
		{nil, []string{"init", "--db", "duckdb::memory:"}, "is an in-memory database"},
		{nil, []string{"init", "--db", "postgres://u:Hj2#Pn6c@127.0.0.1/db"}, "must be percent-encoded"},
		{nil, []string{"load-baseline", "--db", "duckdb:"}, "give a file"},
		{nil, []string{"status", "--connect-timeout", "0"}, "--connect-timeout 0s: must be more than 0"},
		{nil, []string{"status", "--connect-timeout", "-5s"}, "--connect-timeout -5s: must be more than 0"},
		{nil, []string{"load-baseline", "--db", ""}, "--db is empty"},
		{nil, []string{"load-baseline", "--db", "  "}, "--db is empty"},
		{nil, []string{"load-baseline", "--shop-schema", ""}, "--shop-schema is empty"},
		{nil, []string{"changes", "--day", "1", "--crm-schema", ""}, "--crm-schema is empty"},
		{nil, []string{"status", "--profile", ""}, "--profile is empty"},
		{map[string]string{"ORIGINSIM_DB": ""}, []string{"load-baseline"}, "ORIGINSIM_DB is set but empty"},
		{map[string]string{"ORIGINSIM_SHOP_SCHEMA": ""}, []string{"load-baseline"}, "ORIGINSIM_SHOP_SCHEMA is set but empty"},
		{map[string]string{"ORIGINSIM_CRM_SCHEMA": " "}, []string{"sql", "--dialect", "duckdb", "--day", "0"}, "ORIGINSIM_CRM_SCHEMA is set but empty"},
		{nil, []string{"load-baseline", "--shop-schema", "information_schema"}, "is a system schema"},
		{nil, []string{"load-baseline", "--crm-schema", "pg_catalog"}, "is a system schema"},
		{nil, []string{"load-baseline", "--crm-schema", "temp"}, "is a system schema"},
		{map[string]string{"ORIGINSIM_SHOP_SCHEMA": "mysql"}, []string{"load-baseline"}, "is a system schema"},
		{nil, []string{"sql", "--dialect", "mysql", "--day", "0", "--shop-schema", "performance_schema"}, "is a system schema"},
		{nil, []string{"changes", "--day", "1", "--crm-schema", "SYS"}, "is a system schema"},
		{nil, []string{"init", "--shop-schema", "pg_toast"}, "is a system schema"},
	}
	for _, c := range cases {
		for k, v := range c.env {
			t.Setenv(k, v)
		}
		var r result
		if _, envDB := c.env["ORIGINSIM_DB"]; c.args[0] == "init" || envDB || hasFlag(c.args, "--db") {
			r = run(t, c.args...) // the database is the case's
		} else {
			r = e.run(c.args...)
		}
		if r.code != exitUsage || !strings.Contains(r.stderr, c.says) {
			t.Errorf("%v %v: exit %d, want %d saying %q: %s", c.env, c.args, r.code, exitUsage, c.says, r.stderr)
		}
		for k := range c.env {
			unsetenv(t, k)
		}
	}
	if _, err := os.Stat(e.path); !os.IsNotExist(err) {
		t.Errorf("a refused command made the database: %v", err)
	}
	if entries, _ := os.ReadDir("."); len(entries) != 0 {
		t.Errorf("a refused command wrote files: %v", entries)
	}
	// The default schemas of the databases are ordinary ones.
	e.must("load-baseline", "-q", "--shop-schema", "main", "--crm-schema", "public")
	var s statusOut
	r := e.must("status", "--json", "--shop-schema", "main", "--crm-schema", "public")
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil || s.Day != 0 || s.Tables["main.customers"] != 100 || s.Tables["public.campaigns"] != 5 {
		t.Errorf("status of main and public: %v %s", err, r.stdout)
	}
}

func hasFlag(args []string, flag string) bool {
	for _, a := range args {
		if a == flag {
			return true
		}
	}
	return false
}

// Text read from a database is printed escaped: a ledger's tool_version
// holding terminal controls cannot clear the screen or forge a line.
func TestHostileLedgerStringsArePrintedEscaped(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline", "-q")
	exec(t, e.path, "UPDATE jaffle_shop.originsim_ledger SET data_version = 99, tool_version = '9.9' || chr(27) || '[2J' || chr(13) || chr(10) || 'originsim: all good' || chr(8238)")
	r := e.run("status")
	if r.code != exitState || strings.ContainsAny(r.stderr, "\x1b\r\u202e") || strings.Count(r.stderr, "\n") != 1 ||
		!strings.Contains(r.stderr, `originsim 9.9\x1b[2J\x0d; originsim: all good\u202e (ledger format`) {
		t.Errorf("status on a ledger with control characters: exit %d %q", r.code, r.stderr)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain 1.0.0":           "plain 1.0.0",
		"✓ café, ünïcode 数据":    "✓ café, ünïcode 数据",
		"\x1b[31mred\x1b[0m":    `\x1b[31mred\x1b[0m`,
		"a\nb\rc\td\x00e\x7f":   `a\x0ab\x0dc\x09d\x00e\x7f`,
		"c1 \u009b31m":          `c1 \u009b31m`,
		"bidi \u202eevil\u2066": `bidi \u202eevil\u2066`,
		"bad \xff\xfe utf8":     `bad \xff\xfe utf8`,
		"kept \ufffd":           "kept \ufffd",
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
	if got := printableLines("one\x1b\n\ttwo"); got != "one\\x1b\n\ttwo" {
		t.Errorf("printableLines: %q", got)
	}
	if got := oneLine("one\x1b\n\ntwo\r\n"); got != "one\\x1b; two\\x0d" {
		t.Errorf("oneLine: %q", got)
	}
}
