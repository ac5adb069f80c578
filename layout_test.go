package originsim_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A program that imports only the PostgreSQL driver links neither DuckDB
// nor the SQL Server driver, and builds without cgo.
func TestPostgresOnlyBuildsWithoutCgo(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	list := exec.Command(gobin, "list", "-deps", "./examples/postgres-only")
	list.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := list.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"duckdb", "mssql", "azure-sdk", "go-sql-driver/mysql", "originsim/export", "originsim/sqlscript"} {
			if strings.Contains(dep, banned) {
				t.Errorf("the PostgreSQL-only program depends on %s", dep)
			}
		}
	}
	build := exec.Command(gobin, "build", "-o", filepath.Join(t.TempDir(), "pg"), "./examples/postgres-only")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("CGO_ENABLED=0 go build: %v\n%s", err, out)
	}
}

// Imports run one way: a driver package never imports the packages above
// it (its tests may drive it through the Simulator).
func TestDriversImportNothingAbove(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	out, err := exec.Command(gobin, "list", "-f", `{{.ImportPath}}:{{join .Deps " "}}`, "./driver/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	const module = "github.com/originsim/originsim"
	above := []string{"gen", "check", "feed", "export", "sqlscript", "internal"}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, ":")
		for _, dep := range strings.Fields(deps) {
			bad := dep == module
			for _, a := range above {
				bad = bad || dep == module+"/"+a || strings.HasPrefix(dep, module+"/"+a+"/")
			}
			if bad {
				t.Errorf("%s imports %s", pkg, dep)
			}
		}
	}
}

// Nothing outside driver/<db>/ compares database names: what differs
// between databases is asked of the driver.
func TestNoDatabaseNamesOutsideDrivers(t *testing.T) {
	names := `"(duckdb|postgres|postgresql|mysql|mariadb|sqlserver|azuresql)"`
	compare := regexp.MustCompile(`(==|!=|case)\s*` + names + `|` + names + `\s*(==|!=|:)`)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(path, "driver"+string(filepath.Separator)) || d.Name() == "testdata" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			if compare.MatchString(line) {
				t.Errorf("%s:%d compares a database name: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
