package mysql

import (
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// Dialect is the dialect of MySQL 8 and MariaDB 10.5+: the two systems are
// databases (CREATE SCHEMA is CREATE DATABASE there). Tables are InnoDB, the
// only engine with transactions, and utf8mb4 with a binary collation, so
// text compares as bytes the way it does on the other targets.
var Dialect = &driver.SQL{
	DialectName: "mysql",
	Types: map[model.Kind]string{model.Int: "INT", model.Text: "VARCHAR(%d)", model.Decimal: "DECIMAL(10,2)",
		model.Date: "DATE", model.Timestamp: "DATETIME(6)", model.Bool: "BOOLEAN"},
	DecimalText: "CAST(%s AS CHAR)",
	True:        "TRUE", False: "FALSE",
	DateLit: "DATE %s", TimestampLit: "TIMESTAMP %s",
	UpdateJoin: true,
	ReferencingKeysOf: "SELECT CONSTRAINT_NAME, CONSTRAINT_SCHEMA, TABLE_NAME, REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS " +
		"WHERE UNIQUE_CONSTRAINT_SCHEMA = %s ORDER BY 1, 2, 3",
	SchemaOptions: " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
	TableOptions:  " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
	Script: driver.ScriptSyntax{
		// Strict types, backslash as the string escape the dialect writes,
		// UTC: what every connection of the direct path sets too.
		Session: []string{
			"SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
			"SET SESSION time_zone = '+00:00'",
		},
		Begin:      "START TRANSACTION",
		DDLCommits: true,
	},
	DropSchemaAll: func(d *driver.SQL, schema string) string { return "DROP DATABASE IF EXISTS " + d.Quote(schema) },
}
