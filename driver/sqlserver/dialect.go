package sqlserver

import (
	"strings"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// Dialect is the dialect of SQL Server and Azure SQL Database: the two
// systems are schemas of one database. Text is NVARCHAR (Unicode whatever
// the database's collation), timestamps DATETIME2(6), booleans BIT.
var Dialect = &driver.SQL{
	DialectName: "sqlserver",
	CaptureSQL:  captureSQL,
	Captures:    []driver.Capture{driver.CDC, driver.ChangeTracking},
	Types: map[model.Kind]string{model.Int: "INT", model.Text: "NVARCHAR(%d)", model.Decimal: "DECIMAL(10,2)",
		model.Date: "DATE", model.Timestamp: "DATETIME2(6)", model.Bool: "BIT"},
	DecimalText: "CAST(%s AS VARCHAR(40))",
	AnyText:     "CAST(%s AS NVARCHAR(MAX))",
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
	ReferencingKeysOf: "SELECT fk.name, SCHEMA_NAME(fk.schema_id), OBJECT_NAME(fk.parent_object_id), rt.name FROM sys.foreign_keys AS fk " +
		"JOIN sys.tables AS rt ON rt.object_id = fk.referenced_object_id WHERE rt.schema_id = SCHEMA_ID(%s) ORDER BY 1, 2, 3",
	// Any error dooms the transaction (a script stops with nothing of its
	// step written, as the direct path does); ANSI NULLs and quoted
	// identifiers whatever the server's defaults.
	Script: driver.ScriptSyntax{Session: []string{"SET XACT_ABORT ON", "SET ANSI_NULLS ON", "SET QUOTED_IDENTIFIER ON"},
		Begin: "BEGIN TRANSACTION", Commit: "COMMIT TRANSACTION"},
	DropSchemaAll: dropSchema,
}

// DatabasesDialect is SQL Server with each system a database of its own
// (tables in its dbo schema), the layout of a server rather than of an
// Azure SQL Database. The databases must exist.
var DatabasesDialect = func() *driver.SQL {
	d := *Dialect
	d.DatabaseSchema = "dbo"
	return &d
}()

// dropSchema drops a schema and everything in it: T-SQL has no
// DROP SCHEMA ... CASCADE, so the foreign keys go first, then the tables.
func dropSchema(d *driver.SQL, name string) string {
	lit := "N'" + strings.ReplaceAll(name, "'", "''") + "'"
	return `DECLARE @sql NVARCHAR(MAX) = N'';
SELECT @sql += N'ALTER TABLE ' + QUOTENAME(SCHEMA_NAME(schema_id)) + N'.' + QUOTENAME(OBJECT_NAME(parent_object_id)) + N' DROP CONSTRAINT ' + QUOTENAME(name) + N'; '
  FROM sys.foreign_keys WHERE schema_id = SCHEMA_ID(` + lit + `);
SELECT @sql += N'DROP TABLE ' + QUOTENAME(SCHEMA_NAME(schema_id)) + N'.' + QUOTENAME(name) + N'; '
  FROM sys.tables WHERE schema_id = SCHEMA_ID(` + lit + `);
EXEC sys.sp_executesql @sql;
IF SCHEMA_ID(` + lit + `) IS NOT NULL EXEC(N'DROP SCHEMA ` + strings.ReplaceAll(d.Quote(name), "'", "''") + `')`
}
