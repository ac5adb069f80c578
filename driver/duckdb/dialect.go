package duckdb

import (
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// Dialect is the dialect of the embedded default.
var Dialect = &driver.SQL{
	DialectName: "duckdb",
	Types: map[model.Kind]string{model.Int: "INTEGER", model.Text: "VARCHAR(%d)", model.Decimal: "DECIMAL(10,2)",
		model.Date: "DATE", model.Timestamp: "TIMESTAMP", model.Bool: "BOOLEAN"},
	DecimalText: "CAST(%s AS VARCHAR)",
	True:        "TRUE", False: "FALSE",
	DateLit: "DATE %s", TimestampLit: "TIMESTAMP %s",
	// DuckDB's own catalog function answers in a fraction of the time of
	// its information_schema view.
	// DuckDB's foreign keys never cross schemas.
	ReferencingKeysOf: "SELECT constraint_name, schema_name, table_name, referenced_table FROM duckdb_constraints() " +
		"WHERE constraint_type = 'FOREIGN KEY' AND database_name = current_database() AND schema_name = %s ORDER BY 1, 2, 3",
	TablesOf: "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = %s ORDER BY table_name",
	Script:   driver.ScriptSyntax{Begin: "BEGIN TRANSACTION"},
	// A day is one transaction.
	NoHardDeletes: "DuckDB: its foreign keys refuse deleting a row in the transaction that deleted the rows referring to it, " +
		"and a day is one transaction; hard deletes are for log-based change capture: use PostgreSQL, MySQL/MariaDB or SQL Server",
}
