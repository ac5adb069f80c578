package driver

import "cmp"

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
	o.Begin, o.Commit, o.End = cmp.Or(o.Begin, s.Begin), cmp.Or(o.Commit, s.Commit), cmp.Or(o.End, s.End)
	return o
}

// ScriptSyntax is d.Script with the defaults of Syntax filled in later.
func (d *SQL) ScriptSyntax() ScriptSyntax { return d.Script }
