package driver_test

import (
	"strings"
	"testing"

	"github.com/originsim/originsim/driver"
)

func TestDialectByName(t *testing.T) {
	for name, want := range map[string]driver.Dialect{"duckdb": DuckDB, "postgres": Postgres, "PostgreSQL": Postgres, "mysql": MySQL, "mariadb": MySQL} {
		if d, err := driver.DialectByName(name); err != nil || d != want {
			t.Errorf("%s: %v, %v", name, d, err)
		}
	}
	_, err := driver.DialectByName("oracle")
	if err == nil || !strings.Contains(err.Error(), "duckdb, mariadb, mysql, postgres, postgresql") {
		t.Errorf("an unknown dialect: %v; want the known ones listed", err)
	}
}

func TestSyntax(t *testing.T) {
	if s := driver.Syntax(Postgres); s.Begin != "BEGIN" || s.Commit != "COMMIT" || s.End != ";" || s.DDLCommits {
		t.Errorf("postgres: %+v", s)
	}
	if s := driver.Syntax(MySQL); s.Begin != "START TRANSACTION" || !s.DDLCommits || len(s.Session) == 0 {
		t.Errorf("mysql: %+v", s)
	}
	if s := driver.Syntax(DuckDB); s.Begin != "BEGIN TRANSACTION" || s.Commit != "COMMIT" {
		t.Errorf("duckdb: %+v", s)
	}
}
