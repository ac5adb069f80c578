package driver

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/originsim/originsim/model"
)

// Dialect renders the SQL of one database as plain strings.
type Dialect interface {
	Name() string
	// HardDeletesRefused says why the database cannot play hard deletes
	// (a day's DELETEs, children first, in one transaction), or "".
	HardDeletesRefused() string
	// DropSchema drops a schema (a database where the systems are
	// databases) and everything in it.
	DropSchema(schema string) string
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
	// LoadTable creates t for a bulk load: without its keys when the
	// database loads faster adding them afterwards (see AfterLoad), else
	// as CreateTable.
	LoadTable(schema string, t *model.Table) string
	// AfterLoad adds the keys LoadTable left out: the primary key, and the
	// foreign keys, which need their tables' primary keys first. Empty
	// when LoadTable made them. A load adds them after all the rows, or
	// with a TrustedLoader a table's foreign keys before its rows.
	AfterLoad(schema string, t *model.Table) (primary string, foreign []string)
	DropTable(schema string, t *model.Table) string
	// InsertValues is a multi-row INSERT of full rows.
	InsertValues(schema string, t *model.Table, rows [][]any) string
	// Update sets columns cols[1:] of the rows keyed by cols[0], for many
	// rows in one set-based statement.
	Update(schema string, t *model.Table, cols []string, rows [][]any) string
	// Delete deletes the rows of t with the given keys.
	Delete(schema string, t *model.Table, keys []int64) string
	// Select reads every column of t in key order, decimals as text.
	Select(schema string, t *model.Table) string
	// ListTables is a query returning the names of the tables in a schema.
	ListTables(schema string) string
	// ListColumns is a query returning the column names of a table.
	ListColumns(schema, table string) string
	// ListColumnTypes is a query returning the name and type name of each
	// column of a table (see KindOfType).
	ListColumnTypes(schema, table string) string
	// ReferencingKeys is a query returning, for each foreign key that
	// references a table of schema, its name, the schema and table it
	// belongs to and the table it references.
	ReferencingKeys(schema string) string
	// Truncate empties the tables, given qualified, in one statement that
	// runs inside a transaction and keeps the tables (their grants,
	// indexes, comments, publications); "" when the database cannot.
	Truncate(tables []string) string
	// Table is the qualified, quoted name of a table of a system.
	Table(schema, table string) string
	// AsText renders an expression of any type as text (a replica's
	// columns are read that way, whatever their types).
	AsText(expr string) string
}

// SQL is a configurable dialect; the settings below cover the differences
// between the supported databases.
type SQL struct {
	DialectName string
	// CaptureSQL renders the statements that switch the database's own
	// change capture c on for the tables, each doing nothing where it is
	// on already, run one by one after the step has committed: what
	// EnableCapture runs, and what a script writes for it. nil: the
	// database has no capture of its own. Captures lists those it renders.
	CaptureSQL func(d *SQL, c Capture, tables []SchemaTable) []string
	Captures   []Capture
	// Types maps a kind to its type name; %d in Text is the length.
	Types map[model.Kind]string
	// DecimalText wraps a decimal column so it reads as text, with %s.
	DecimalText string
	// AnyText wraps an expression of any type so it reads as text, with
	// %s; empty: DecimalText.
	AnyText     string
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
	// KeysAfterLoad makes LoadTable leave the keys out and AfterLoad add
	// them: PostgreSQL builds an index in one pass and checks a foreign key
	// with one join, many times faster than row by row during COPY.
	KeysAfterLoad bool

	// The settings below are T-SQL's.

	// Brackets quotes identifiers as [name], which works whatever the
	// session's QUOTED_IDENTIFIER setting.
	Brackets bool
	// NationalText writes string literals as N'...': without the N, SQL
	// Server converts them to the database's code page and loses what it
	// cannot hold.
	NationalText bool
	// TypedNulls writes NULL in a VALUES list as CAST(NULL AS type): T-SQL
	// types a VALUES column of only NULLs as INT, which converts to neither
	// DATE nor DATETIME2.
	TypedNulls bool
	// ObjectGuards guards CREATE and DROP with IF SCHEMA_ID(...) and IF
	// OBJECT_ID(...) tests, as T-SQL has no CREATE ... IF NOT EXISTS (and
	// CREATE SCHEMA must be alone in its batch, so it runs through EXEC);
	// keys are named constraints, and the catalog is read from sys views.
	ObjectGuards bool
	// UpdateFrom writes UPDATE t SET ... FROM table AS t JOIN (VALUES ...)
	// AS v (...) ON ..., T-SQL's form of a set-based update.
	UpdateFrom bool
	// DatabaseSchema, when set, makes each system a database of its own
	// whose tables live in this schema (SQL Server's dbo): tables are named
	// [database].[dbo].[table], and the databases must exist.
	DatabaseSchema string

	// Script is how a script for the database's own client is written
	// (see Syntax).
	Script ScriptSyntax

	// NoHardDeletes, when set, says why the database cannot play hard
	// deletes.
	NoHardDeletes string
	// DropSchemaAll renders DropSchema; nil: DROP SCHEMA IF EXISTS ...
	// CASCADE.
	DropSchemaAll func(d *SQL, schema string) string
	// ReferencingKeysOf is the ReferencingKeys query, with %s for the
	// schema as a string literal.
	ReferencingKeysOf string
	// TruncateInTx says TRUNCATE TABLE a, b, ... runs in a transaction and
	// can empty tables that reference each other (PostgreSQL).
	TruncateInTx bool
}

func (d *SQL) Name() string { return d.DialectName }

func (d *SQL) HardDeletesRefused() string { return d.NoHardDeletes }

func (d *SQL) AsText(expr string) string {
	if d.AnyText != "" {
		return fmt.Sprintf(d.AnyText, expr)
	}
	return fmt.Sprintf(d.DecimalText, expr)
}

func (d *SQL) DropSchema(schema string) string {
	if d.DropSchemaAll != nil {
		return d.DropSchemaAll(d, schema)
	}
	return "DROP SCHEMA IF EXISTS " + d.Quote(schema) + " CASCADE"
}

func (d *SQL) Quote(ident string) string {
	switch {
	case d.UpdateJoin: // MySQL family
		return "`" + strings.ReplaceAll(ident, "`", "``") + "`"
	case d.Brackets:
		return "[" + strings.ReplaceAll(ident, "]", "]]") + "]"
	}
	return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"`
}

func (d *SQL) Table(schema, table string) string {
	if d.DatabaseSchema != "" {
		return d.Quote(schema) + "." + d.Quote(d.DatabaseSchema) + "." + d.Quote(table)
	}
	return d.Quote(schema) + "." + d.Quote(table)
}

func (d *SQL) qualified(schema, table string) string { return d.Table(schema, table) }

// String quotes a string literal.
func (d *SQL) String(s string) string {
	s = strings.ReplaceAll(s, "'", "''")
	if d.UpdateJoin { // MySQL treats backslash as an escape in strings
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	if d.NationalText {
		// In T-SQL a backslash before a line break inside a string joins
		// the lines: write such a break as NCHAR(n) instead.
		s = strings.ReplaceAll(s, "\\\n", "\\'+NCHAR(10)+N'")
		s = strings.ReplaceAll(s, "\\\r", "\\'+NCHAR(13)+N'")
		return "N'" + s + "'"
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
	switch {
	case d.DatabaseSchema != "":
		// The databases are the user's: say so rather than make one.
		return fmt.Sprintf("IF DB_ID(%s) IS NULL RAISERROR(%s, 16, 1)", d.String(schema),
			d.String("database "+schema+" does not exist: create it first (each system is a database of its own in this layout)"))
	case d.ObjectGuards:
		return fmt.Sprintf("IF SCHEMA_ID(%s) IS NULL EXEC(%s)", d.String(schema), d.String("CREATE SCHEMA "+d.Quote(schema)+d.SchemaOptions))
	}
	return "CREATE SCHEMA IF NOT EXISTS " + d.Quote(schema) + d.SchemaOptions
}

// objectID is T-SQL's OBJECT_ID of a user table.
func (d *SQL) objectID(schema, table string) string {
	return fmt.Sprintf("OBJECT_ID(%s, N'U')", d.String(d.qualified(schema, table)))
}

func (d *SQL) CreateTable(schema string, t *model.Table) string {
	return d.createTable(schema, t, true)
}

func (d *SQL) LoadTable(schema string, t *model.Table) string {
	return d.createTable(schema, t, !d.KeysAfterLoad)
}

func (d *SQL) AfterLoad(schema string, t *model.Table) (string, []string) {
	if !d.KeysAfterLoad {
		return "", nil
	}
	table := d.qualified(schema, t.Name)
	var fks []string
	for _, fk := range t.ForeignKeys {
		if fk.Enforced {
			ref := model.Get(fk.Ref)
			fks = append(fks, fmt.Sprintf("ALTER TABLE %s ADD FOREIGN KEY (%s) REFERENCES %s (%s)",
				table, d.Quote(fk.Column), d.qualified(schema, ref.Name), d.Quote(ref.Key())))
		}
	}
	return fmt.Sprintf("ALTER TABLE %s ADD PRIMARY KEY (%s)", table, d.Quote(t.Key())), fks
}

func (d *SQL) createTable(schema string, t *model.Table, keys bool) string {
	var b strings.Builder
	if d.ObjectGuards {
		fmt.Fprintf(&b, "IF %s IS NULL\nCREATE TABLE %s (\n", d.objectID(schema, t.Name), d.qualified(schema, t.Name))
	} else {
		fmt.Fprintf(&b, "CREATE TABLE IF NOT EXISTS %s (\n", d.qualified(schema, t.Name))
	}
	for _, c := range t.Columns {
		null := " NOT NULL"
		if c.Nullable {
			null = " NULL"
		}
		fmt.Fprintf(&b, "  %s %s%s,\n", d.Quote(c.Name), d.ColumnType(c), null)
	}
	if !keys {
		return strings.TrimSuffix(b.String(), ",\n") + "\n)" + d.TableOptions
	}
	// Named constraints give readable names in the catalog and in errors.
	constraint := func(name string) string {
		if !d.ObjectGuards {
			return ""
		}
		return "CONSTRAINT " + d.Quote(name) + " "
	}
	fmt.Fprintf(&b, "  %sPRIMARY KEY (%s)", constraint("PK_"+t.Name), d.Quote(t.Key()))
	for _, fk := range t.ForeignKeys {
		if !fk.Enforced {
			continue
		}
		ref := model.Get(fk.Ref)
		fmt.Fprintf(&b, ",\n  %sFOREIGN KEY (%s) REFERENCES %s (%s)", constraint("FK_"+t.Name+"_"+fk.Column),
			d.Quote(fk.Column), d.qualified(schema, ref.Name), d.Quote(ref.Key()))
	}
	b.WriteString("\n)")
	b.WriteString(d.TableOptions)
	return b.String()
}

func (d *SQL) Delete(schema string, t *model.Table, keys []int64) string {
	list := make([]string, len(keys))
	for i, k := range keys {
		list[i] = strconv.FormatInt(k, 10)
	}
	return fmt.Sprintf("DELETE FROM %s WHERE %s IN (%s)", d.Table(schema, t.Name), d.Quote(t.Key()), strings.Join(list, ", "))
}

func (d *SQL) DropTable(schema string, t *model.Table) string {
	if d.ObjectGuards {
		return fmt.Sprintf("IF %s IS NOT NULL DROP TABLE %s", d.objectID(schema, t.Name), d.qualified(schema, t.Name))
	}
	return "DROP TABLE IF EXISTS " + d.qualified(schema, t.Name)
}

func (d *SQL) columnList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = d.Quote(n)
	}
	return strings.Join(q, ", ")
}

// columns returns the named columns of t.
func (d *SQL) columns(t *model.Table, cols []string) []model.Column {
	cs := make([]model.Column, len(cols))
	for i, c := range cols {
		j := t.Col(c)
		if j < 0 {
			panic(fmt.Sprintf("target: %s has no column %s", t.Name, c))
		}
		cs[i] = t.Columns[j]
	}
	return cs
}

func (d *SQL) kinds(t *model.Table, cols []string) []model.Kind {
	ks := make([]model.Kind, len(cols))
	for i, c := range d.columns(t, cols) {
		ks[i] = c.Kind
	}
	return ks
}

// value renders one value of column c in a VALUES list.
func (d *SQL) value(c model.Column, v any) string {
	if v == nil && d.TypedNulls {
		return "CAST(NULL AS " + d.ColumnType(c) + ")"
	}
	return d.Literal(c.Kind, v)
}

// values renders rows of the given columns as a VALUES list body: (..), (..).
func (d *SQL) values(cols []model.Column, rows [][]any) string {
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
			b.WriteString(d.value(cols[j], v))
		}
		b.WriteByte(')')
	}
	return b.String()
}

func (d *SQL) InsertValues(schema string, t *model.Table, rows [][]any) string {
	cols := t.ColumnNames()
	return fmt.Sprintf("INSERT INTO %s (%s) VALUES\n  %s", d.qualified(schema, t.Name), d.columnList(cols), d.values(t.Columns, rows))
}

func (d *SQL) Update(schema string, t *model.Table, cols []string, rows [][]any) string {
	columns := d.columns(t, cols)
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
			d.qualified(schema, t.Name), d.unionRows(cols, d.kinds(t, cols), rows), key, key, strings.Join(set, ", "))
	}
	vals := d.values(columns, rows)
	if d.UpdateFrom {
		return fmt.Sprintf("UPDATE t SET %s\nFROM %s AS t\nJOIN (VALUES\n  %s\n) AS v (%s) ON t.%s = v.%s",
			strings.Join(set, ", "), d.qualified(schema, t.Name), vals, d.columnList(cols), key, key)
	}
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
	if d.DatabaseSchema != "" {
		// A database that does not exist holds no tables; the catalog of
		// one that does is read by name, hence the dynamic SQL.
		q := fmt.Sprintf("SELECT t.name FROM %s.sys.tables AS t JOIN %s.sys.schemas AS s ON s.schema_id = t.schema_id WHERE s.name = %s ORDER BY t.name",
			d.Quote(schema), d.Quote(schema), d.String(d.DatabaseSchema))
		return fmt.Sprintf("IF DB_ID(%s) IS NOT NULL EXEC(%s)", d.String(schema), d.String(q))
	}
	if d.TablesOf != "" {
		return fmt.Sprintf(d.TablesOf, d.String(schema))
	}
	return "SELECT table_name FROM information_schema.tables WHERE table_schema = " + d.String(schema) + " ORDER BY table_name"
}

func (d *SQL) ListColumns(schema, table string) string {
	if d.ObjectGuards {
		catalog := "sys.columns"
		if d.DatabaseSchema != "" {
			catalog = d.Quote(schema) + ".sys.columns"
		}
		return fmt.Sprintf("SELECT c.name FROM %s AS c WHERE c.object_id = %s ORDER BY c.column_id", catalog, d.objectID(schema, table))
	}
	return "SELECT column_name FROM information_schema.columns WHERE table_schema = " + d.String(schema) +
		" AND table_name = " + d.String(table) + " ORDER BY ordinal_position"
}

func (d *SQL) ListColumnTypes(schema, table string) string {
	if d.ObjectGuards {
		prefix := ""
		if d.DatabaseSchema != "" {
			prefix = d.Quote(schema) + "."
		}
		return fmt.Sprintf("SELECT c.name, ty.name FROM %ssys.columns AS c JOIN %ssys.types AS ty ON ty.user_type_id = c.user_type_id WHERE c.object_id = %s ORDER BY c.column_id",
			prefix, prefix, d.objectID(schema, table))
	}
	return "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = " + d.String(schema) +
		" AND table_name = " + d.String(table) + " ORDER BY ordinal_position"
}

func (d *SQL) ReferencingKeys(schema string) string {
	if d.DatabaseSchema != "" {
		// Each system is a database; foreign keys never cross databases.
		q := fmt.Sprintf("SELECT fk.name, s.name, OBJECT_NAME(fk.parent_object_id, DB_ID(%s)), rt.name FROM %s.sys.foreign_keys AS fk "+
			"JOIN %s.sys.tables AS rt ON rt.object_id = fk.referenced_object_id JOIN %s.sys.schemas AS s ON s.schema_id = fk.schema_id "+
			"JOIN %s.sys.schemas AS rs ON rs.schema_id = rt.schema_id WHERE rs.name = %s",
			d.String(schema), d.Quote(schema), d.Quote(schema), d.Quote(schema), d.Quote(schema), d.String(d.DatabaseSchema))
		return fmt.Sprintf("IF DB_ID(%s) IS NOT NULL EXEC(%s)", d.String(schema), d.String(q))
	}
	return fmt.Sprintf(d.ReferencingKeysOf, d.String(schema))
}

func (d *SQL) Truncate(tables []string) string {
	if !d.TruncateInTx {
		return ""
	}
	return "TRUNCATE TABLE " + strings.Join(tables, ", ")
}

// Kinds lists the column kinds of t, for Tx.Query.
func Kinds(t *model.Table) []model.Kind {
	ks := make([]model.Kind, len(t.Columns))
	for i, c := range t.Columns {
		ks[i] = c.Kind
	}
	return ks
}

// CaptureScript is the statements that switch capture c on for the
// tables on dialect d (see SQL.CaptureSQL); false when d has no such
// capture. Without tables it only tells whether d has c.
func CaptureScript(d Dialect, c Capture, tables []SchemaTable) ([]string, bool) {
	s, ok := d.(*SQL)
	if !ok || s.CaptureSQL == nil || !slices.Contains(s.Captures, c) {
		return nil, false
	}
	if len(tables) == 0 {
		return nil, true // only asked whether d has c
	}
	return s.CaptureSQL(s, c, tables), true
}
