package driver

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
	CastUpdate:    true,
	KeysAfterLoad: true,
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

// SQLServer is the dialect of SQL Server and Azure SQL Database: the two
// systems are schemas of one database. Text is NVARCHAR (Unicode whatever
// the database's collation), timestamps DATETIME2(6), booleans BIT.
var SQLServer = &SQL{
	DialectName: "sqlserver",
	Types: map[model.Kind]string{model.Int: "INT", model.Text: "NVARCHAR(%d)", model.Decimal: "DECIMAL(10,2)",
		model.Date: "DATE", model.Timestamp: "DATETIME2(6)", model.Bool: "BIT"},
	DecimalText: "CAST(%s AS VARCHAR(40))",
	True:        "1", False: "0",
	// The ISO forms yyyy-mm-dd and yyyy-mm-dd hh:mm:ss.ffffff read the
	// same under every language and DATEFORMAT setting for these types.
	DateLit: "CAST(%s AS DATE)", TimestampLit: "CAST(%s AS DATETIME2(6))",
	TablesOf:     "SELECT t.name FROM sys.tables AS t WHERE t.schema_id = SCHEMA_ID(%s) ORDER BY t.name",
	Brackets:     true,
	NationalText: true,
	TypedNulls:   true,
	ObjectGuards: true,
	UpdateFrom:   true,
	// Any error dooms the transaction (a script stops with nothing of its
	// step written, as the direct path does); ANSI NULLs and quoted
	// identifiers whatever the server's defaults.
	Script: ScriptSyntax{Session: []string{"SET XACT_ABORT ON", "SET ANSI_NULLS ON", "SET QUOTED_IDENTIFIER ON"},
		Begin: "BEGIN TRANSACTION", Commit: "COMMIT TRANSACTION"},
}

// SQLServerDatabases is SQL Server with each system a database of its own
// (tables in its dbo schema), the layout of a server rather than of an
// Azure SQL Database. The databases must exist.
var SQLServerDatabases = func() *SQL {
	d := *SQLServer
	d.DatabaseSchema = "dbo"
	return &d
}()
