package driver

import (
	"fmt"
	"slices"
	"strings"
)

// ScriptSyntax is what a script for a database's own client (psql, the
// mariadb client, ...) needs around the statements a Dialect renders.
type ScriptSyntax struct {
	// Session are the statements a script runs first: the settings the
	// direct path's connection makes, so the script does not depend on the
	// server's defaults.
	Session []string
	// Begin and Commit delimit a step's transaction.
	Begin, Commit string
	// DDLCommits says the database commits around DDL (MySQL): a script
	// then creates its schemas and tables before the transaction begins,
	// or the transaction would end at the first CREATE.
	DDLCommits bool
	// End ends every statement.
	End string
}

// Syntax is the script syntax of a dialect: its ScriptSyntax method's,
// else BEGIN, COMMIT and ";".
func Syntax(d Dialect) ScriptSyntax {
	s := ScriptSyntax{Begin: "BEGIN", Commit: "COMMIT", End: ";"}
	sd, ok := d.(interface{ ScriptSyntax() ScriptSyntax })
	if !ok {
		return s
	}
	o := sd.ScriptSyntax()
	o.Begin, o.Commit, o.End = firstOf(o.Begin, s.Begin), firstOf(o.Commit, s.Commit), firstOf(o.End, s.End)
	return o
}

// ScriptSyntax is d.Script with the defaults of Syntax filled in later.
func (d *SQL) ScriptSyntax() ScriptSyntax { return d.Script }

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// dialects are the dialects by the names the sql command takes. A new
// database is one line here.
var dialects = map[string]Dialect{
	"duckdb":     DuckDB,
	"postgres":   Postgres,
	"postgresql": Postgres,
	"mysql":      MySQL,
	"mariadb":    MySQL,
	"sqlserver":  SQLServer,
	"azuresql":   SQLServer,
}

// DialectNames lists the names DialectByName accepts, sorted.
func DialectNames() []string {
	names := make([]string, 0, len(dialects))
	for n := range dialects {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// DialectByName returns the dialect of a database by name (duckdb,
// postgres, mysql, ...; case does not matter).
func DialectByName(name string) (Dialect, error) {
	if d, ok := dialects[strings.ToLower(strings.TrimSpace(name))]; ok {
		return d, nil
	}
	return nil, fmt.Errorf("unknown dialect %q: use one of %s", name, strings.Join(DialectNames(), ", "))
}
