package target

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/originsim/originsim/model"
)

// Dialect renders the SQL of one database as plain strings.
type Dialect interface {
	Name() string
	// Quote quotes an identifier.
	Quote(ident string) string
	// Literal renders a value of the given kind as a SQL literal.
	Literal(k model.Kind, v any) string
	// ColumnType is the database type of a column.
	ColumnType(c model.Column) string
	CreateSchema(schema string) string
	// CreateTable creates t in schema; enforced foreign keys reference
	// tables of the same schema.
	CreateTable(schema string, t *model.Table) string
	DropTable(schema string, t *model.Table) string
	// InsertValues is a multi-row INSERT of full rows.
	InsertValues(schema string, t *model.Table, rows [][]any) string
	// Update sets columns cols[1:] of the rows keyed by cols[0], for many
	// rows in one set-based statement.
	Update(schema string, t *model.Table, cols []string, rows [][]any) string
	// Select reads every column of t in key order, decimals as text.
	Select(schema string, t *model.Table) string
	// ListTables is a query returning the names of the tables in a schema.
	ListTables(schema string) string
	// ListColumns is a query returning the column names of a table.
	ListColumns(schema, table string) string
}

// SQL is a configurable dialect; the settings below cover the differences
// between the supported databases.
type SQL struct {
	DialectName string
	// Types maps a kind to its type name; %d in Text is the length.
	Types map[model.Kind]string
	// DecimalText wraps a decimal column so it reads as text, with %s.
	DecimalText string
	True, False string
	// DateLit and TimestampLit format literals, with %s for the quoted value.
	DateLit, TimestampLit string
	// UpdateJoin selects the MySQL family: backquoted identifiers,
	// backslash escapes, and UPDATE ... JOIN over a derived table of
	// SELECT ... UNION ALL SELECT ... rows instead of UPDATE ... FROM
	// VALUES (MariaDB has no VALUES ROW(...); every MySQL and MariaDB
	// accepts this form).
	UpdateJoin bool
	// CastUpdate casts each value set by an UPDATE to its column's type, for
	// PostgreSQL, which types a VALUES column that holds only NULLs as text.
	CastUpdate bool
	// TablesOf is a query listing the tables of a schema, with %s for the
	// quoted schema name; empty means information_schema.tables.
	TablesOf string
	// SchemaOptions and TableOptions are appended to CREATE SCHEMA and
	// CREATE TABLE (MySQL's engine and character set).
	SchemaOptions, TableOptions string
	// Script is how a script for the database's own client is written
	// (see Syntax).
	Script ScriptSyntax
}

// DuckDB is the dialect of the embedded default.
var DuckDB = &SQL{
	DialectName: "duckdb",
	Types: map[model.Kind]string{model.Int: "INTEGER", model.Text: "VARCHAR(%d)", model.Decimal: "DECIMAL(10,2)",
		model.Date: "DATE", model.Timestamp: "TIMESTAMP", model.Bool: "BOOLEAN"},
	DecimalText: "CAST(%s AS VARCHAR)",
	True:        "TRUE", False: "FALSE",
	DateLit: "DATE %s", TimestampLit: "TIMESTAMP %s",
	// DuckDB's own catalog function answers in a fraction of the time of
	// its information_schema view.
	TablesOf: "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = %s ORDER BY table_name",
	Script:   ScriptSyntax{Begin: "BEGIN TRANSACTION"},
}

func (d *SQL) Name() string { return d.DialectName }

func (d *SQL) Quote(ident string) string {
	if d.UpdateJoin { // MySQL family
		return "`" + strings.ReplaceAll(ident, "`", "``") + "`"
	}
	return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"`
}

func (d *SQL) qualified(schema, table string) string { return d.Quote(schema) + "." + d.Quote(table) }

// String quotes a string literal.
func (d *SQL) String(s string) string {
	s = strings.ReplaceAll(s, "'", "''")
	if d.UpdateJoin { // MySQL treats backslash as an escape in strings
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return "'" + s + "'"
}

func (d *SQL) Literal(k model.Kind, v any) string {
	if v == nil {
		return "NULL"
	}
	switch k {
	case model.Int:
		return strconv.FormatInt(v.(int64), 10)
	case model.Text:
		return d.String(v.(string))
	case model.Decimal:
		return v.(model.Cents).String()
	case model.Date:
		return fmt.Sprintf(d.DateLit, d.String(v.(time.Time).Format("2006-01-02")))
	case model.Timestamp:
		return fmt.Sprintf(d.TimestampLit, d.String(v.(time.Time).Format("2006-01-02 15:04:05.000000")))
	case model.Bool:
		if v.(bool) {
			return d.True
		}
		return d.False
	}
	panic(fmt.Sprintf("target: literal of unknown kind %v", k))
}

func (d *SQL) ColumnType(c model.Column) string {
	t := d.Types[c.Kind]
	if c.Kind == model.Text {
		t = fmt.Sprintf(t, c.Size)
	}
	return t
}

func (d *SQL) CreateSchema(schema string) string {
	return "CREATE SCHEMA IF NOT EXISTS " + d.Quote(schema) + d.SchemaOptions
}

func (d *SQL) CreateTable(schema string, t *model.Table) string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (\n", d.qualified(schema, t.Name))
	for _, c := range t.Columns {
		null := " NOT NULL"
		if c.Nullable {
			null = " NULL"
		}
		fmt.Fprintf(&b, "  %s %s%s,\n", d.Quote(c.Name), d.ColumnType(c), null)
	}
	fmt.Fprintf(&b, "  PRIMARY KEY (%s)", d.Quote(t.Key()))
	for _, fk := range t.ForeignKeys {
		if !fk.Enforced {
			continue
		}
		ref := model.Get(fk.Ref)
		fmt.Fprintf(&b, ",\n  FOREIGN KEY (%s) REFERENCES %s (%s)", d.Quote(fk.Column), d.qualified(schema, ref.Name), d.Quote(ref.Key()))
	}
	b.WriteString("\n)")
	b.WriteString(d.TableOptions)
	return b.String()
}

func (d *SQL) DropTable(schema string, t *model.Table) string {
	return "DROP TABLE IF EXISTS " + d.qualified(schema, t.Name)
}

func (d *SQL) columnList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = d.Quote(n)
	}
	return strings.Join(q, ", ")
}

func (d *SQL) kinds(t *model.Table, cols []string) []model.Kind {
	ks := make([]model.Kind, len(cols))
	for i, c := range cols {
		j := t.Col(c)
		if j < 0 {
			panic(fmt.Sprintf("target: %s has no column %s", t.Name, c))
		}
		ks[i] = t.Columns[j].Kind
	}
	return ks
}

// values renders rows as a VALUES list body: (..), (..).
func (d *SQL) values(kinds []model.Kind, rows [][]any) string {
	var b strings.Builder
	for i, row := range rows {
		if i > 0 {
			b.WriteString(",\n  ")
		}
		b.WriteByte('(')
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.Literal(kinds[j], v))
		}
		b.WriteByte(')')
	}
	return b.String()
}

func (d *SQL) InsertValues(schema string, t *model.Table, rows [][]any) string {
	cols := t.ColumnNames()
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES\n  %s", d.qualified(schema, t.Name), d.columnList(cols), d.values(d.kinds(t, cols), rows))
}

func (d *SQL) Update(schema string, t *model.Table, cols []string, rows [][]any) string {
	kinds := d.kinds(t, cols)
	set := make([]string, 0, len(cols)-1)
	for _, c := range cols[1:] {
		v := "v." + d.Quote(c)
		if d.CastUpdate {
			v = fmt.Sprintf("CAST(%s AS %s)", v, d.ColumnType(t.Columns[t.Col(c)]))
		}
		if d.UpdateJoin {
			set = append(set, fmt.Sprintf("t.%s = %s", d.Quote(c), v))
		} else {
			set = append(set, fmt.Sprintf("%s = %s", d.Quote(c), v))
		}
	}
	key := d.Quote(cols[0])
	if d.UpdateJoin {
		return fmt.Sprintf("UPDATE %s AS t JOIN (\n  %s\n) AS v ON t.%s = v.%s\nSET %s",
			d.qualified(schema, t.Name), d.unionRows(cols, kinds, rows), key, key, strings.Join(set, ", "))
	}
	vals := d.values(kinds, rows)
	return fmt.Sprintf("UPDATE %s AS t SET %s\nFROM (VALUES\n  %s\n) AS v (%s)\nWHERE t.%s = v.%s",
		d.qualified(schema, t.Name), strings.Join(set, ", "), vals, d.columnList(cols), key, key)
}

// unionRows renders rows as SELECT a AS x, b AS y UNION ALL SELECT c, d:
// the first SELECT names the columns.
func (d *SQL) unionRows(cols []string, kinds []model.Kind, rows [][]any) string {
	var b strings.Builder
	for i, row := range rows {
		if i > 0 {
			b.WriteString("\n  UNION ALL ")
		}
		b.WriteString("SELECT ")
		for j, v := range row {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.Literal(kinds[j], v))
			if i == 0 {
				b.WriteString(" AS ")
				b.WriteString(d.Quote(cols[j]))
			}
		}
	}
	return b.String()
}

func (d *SQL) Select(schema string, t *model.Table) string {
	exprs := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		exprs[i] = d.Quote(c.Name)
		if c.Kind == model.Decimal {
			exprs[i] = fmt.Sprintf(d.DecimalText, d.Quote(c.Name))
		}
	}
	return fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", strings.Join(exprs, ", "), d.qualified(schema, t.Name), d.Quote(t.Key()))
}

func (d *SQL) ListTables(schema string) string {
	if d.TablesOf != "" {
		return fmt.Sprintf(d.TablesOf, d.String(schema))
	}
	return "SELECT table_name FROM information_schema.tables WHERE table_schema = " + d.String(schema) + " ORDER BY table_name"
}

func (d *SQL) ListColumns(schema, table string) string {
	return "SELECT column_name FROM information_schema.columns WHERE table_schema = " + d.String(schema) +
		" AND table_name = " + d.String(table) + " ORDER BY ordinal_position"
}

// Kinds lists the column kinds of t, for Tx.Query.
func Kinds(t *model.Table) []model.Kind {
	ks := make([]model.Kind, len(t.Columns))
	for i, c := range t.Columns {
		ks[i] = c.Kind
	}
	return ks
}
