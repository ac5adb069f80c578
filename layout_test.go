package originsim_test

import (
	"os"
	"os/exec"
	"path/filepath"
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
