package target

import "github.com/originsim/originsim/model"

// Postgres is the dialect of PostgreSQL: the two systems are schemas of one
// database.
var Postgres = &SQL{
	DialectName: "postgres",
	Types: map[model.Kind]string{model.Int: "INTEGER", model.Text: "VARCHAR(%d)", model.Decimal: "NUMERIC(10,2)",
		model.Date: "DATE", model.Timestamp: "TIMESTAMP", model.Bool: "BOOLEAN"},
	DecimalText: "CAST(%s AS TEXT)",
	True:        "TRUE", False: "FALSE",
	DateLit: "DATE %s", TimestampLit: "TIMESTAMP %s",
	CastUpdate: true,
	// The dialect writes strings with '' as the only escape, in UTF-8.
	Script: ScriptSyntax{Session: []string{"SET client_encoding = 'UTF8'", "SET standard_conforming_strings = on"}},
}

// MySQL is the dialect of MySQL 8 and MariaDB 10.5+: the two systems are
// databases (CREATE SCHEMA is CREATE DATABASE there). Tables are InnoDB, the
// only engine with transactions, and utf8mb4 with a binary collation, so
// text compares as bytes the way it does on the other targets.
var MySQL = &SQL{
	DialectName: "mysql",
	Types: map[model.Kind]string{model.Int: "INT", model.Text: "VARCHAR(%d)", model.Decimal: "DECIMAL(10,2)",
		model.Date: "DATE", model.Timestamp: "DATETIME(6)", model.Bool: "BOOLEAN"},
	DecimalText: "CAST(%s AS CHAR)",
	True:        "TRUE", False: "FALSE",
	DateLit: "DATE %s", TimestampLit: "TIMESTAMP %s",
	UpdateJoin:    true,
	SchemaOptions: " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
	TableOptions:  " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
	Script: ScriptSyntax{
		// Strict types, backslash as the string escape the dialect writes,
		// UTC: what every connection of the direct path sets too.
		Session: []string{
			"SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
			"SET SESSION time_zone = '+00:00'",
		},
		Begin:      "START TRANSACTION",
		DDLCommits: true,
	},
}
