package postgres

import (
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// Dialect is the dialect of PostgreSQL: the two systems are schemas of one
// database.
var Dialect = &driver.SQL{
	DialectName: "postgres",
	CaptureSQL:  captureSQL,
	Captures:    []driver.Capture{driver.CDC},
	Types: map[model.Kind]string{model.Int: "INTEGER", model.Text: "VARCHAR(%d)", model.Decimal: "NUMERIC(10,2)",
		model.Date: "DATE", model.Timestamp: "TIMESTAMP", model.Bool: "BOOLEAN"},
	DecimalText: "CAST(%s AS TEXT)",
	True:        "TRUE", False: "FALSE",
	DateLit: "DATE %s", TimestampLit: "TIMESTAMP %s",
	CastUpdate:   true,
	TruncateInTx: true,
	ReferencingKeysOf: "SELECT c.conname::text, n.nspname::text, t.relname::text, rt.relname::text FROM pg_catalog.pg_constraint AS c " +
		"JOIN pg_catalog.pg_class AS t ON t.oid = c.conrelid JOIN pg_catalog.pg_namespace AS n ON n.oid = t.relnamespace " +
		"JOIN pg_catalog.pg_class AS rt ON rt.oid = c.confrelid JOIN pg_catalog.pg_namespace AS rn ON rn.oid = rt.relnamespace " +
		"WHERE c.contype = 'f' AND rn.nspname = %s ORDER BY 1, 2, 3",
	KeysAfterLoad: true,
	// The dialect writes strings with '' as the only escape, in UTF-8.
	Script: driver.ScriptSyntax{Session: []string{"SET client_encoding = 'UTF8'", "SET standard_conforming_strings = on"}},
}
