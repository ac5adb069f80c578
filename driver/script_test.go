package driver

import (
	"strings"
	"testing"
)

func TestDialectByName(t *testing.T) {
	for name, want := range map[string]Dialect{"duckdb": DuckDB, "postgres": Postgres, "PostgreSQL": Postgres, "mysql": MySQL, "mariadb": MySQL} {
		if d, err := DialectByName(name); err != nil || d != want {
			t.Errorf("%s: %v, %v", name, d, err)
		}
	}
	_, err := DialectByName("oracle")
	if err == nil || !strings.Contains(err.Error(), "duckdb, mariadb, mysql, postgres, postgresql") {
		t.Errorf("an unknown dialect: %v; want the known ones listed", err)
	}
}

func TestSyntax(t *testing.T) {
	if s := Syntax(Postgres); s.Begin != "BEGIN" || s.Commit != "COMMIT" || s.End != ";" || s.DDLCommits {
		t.Errorf("postgres: %+v", s)
	}
	if s := Syntax(MySQL); s.Begin != "START TRANSACTION" || !s.DDLCommits || len(s.Session) == 0 {
		t.Errorf("mysql: %+v", s)
	}
	if s := Syntax(DuckDB); s.Begin != "BEGIN TRANSACTION" || s.Commit != "COMMIT" {
		t.Errorf("duckdb: %+v", s)
	}
}
