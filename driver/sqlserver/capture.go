package sqlserver

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/originsim/originsim/driver"
)

// ChangeRetention is how long change tracking keeps its records.
const ChangeRetention = "7 DAYS"

// databaseOf names, for a system's schema, the database that holds it (""
// for the connection's database) and the schema its tables live in.
func databaseOf(d *driver.SQL, schema string) (database, tableSchema string) {
	if d.DatabaseSchema != "" {
		return schema, d.DatabaseSchema
	}
	return "", schema
}

// catalog prefixes a system object with its database: sys.tables or
// [db].sys.tables.
func catalog(d *driver.SQL, database, object string) string {
	if database == "" {
		return object
	}
	return d.Quote(database) + "." + object
}

// captureSQL renders the statements that turn capture c on, database first,
// then every table; each does nothing for what is on already. They run one
// by one outside any transaction: sys.sp_cdc_enable_db and ALTER DATABASE
// refuse to run inside one.
func captureSQL(d *driver.SQL, c driver.Capture, tables []driver.SchemaTable) []string {
	var out []string
	var databases []string
	for _, st := range tables {
		if db, _ := databaseOf(d, st.Schema); !slices.Contains(databases, db) {
			databases = append(databases, db)
		}
	}
	for _, db := range databases {
		switch c {
		case driver.CDC:
			// In another database a system procedure runs in that database's
			// context when called through its name.
			out = append(out, fmt.Sprintf("IF NOT EXISTS (SELECT 1 FROM sys.databases WHERE database_id = %s AND is_cdc_enabled = 1)\nEXEC %s",
				dbID(d, db), catalog(d, db, "sys.sp_cdc_enable_db")))
		case driver.ChangeTracking:
			name := "CURRENT"
			if db != "" {
				name = d.Quote(db)
			}
			out = append(out, fmt.Sprintf("IF NOT EXISTS (SELECT 1 FROM sys.change_tracking_databases WHERE database_id = %s)\nALTER DATABASE %s SET CHANGE_TRACKING = ON (CHANGE_RETENTION = %s, AUTO_CLEANUP = ON)",
				dbID(d, db), name, ChangeRetention))
		}
	}
	for _, st := range tables {
		db, schema := databaseOf(d, st.Schema)
		name := d.Table(st.Schema, st.Table.Name)
		id := fmt.Sprintf("OBJECT_ID(%s)", d.String(name))
		switch c {
		case driver.CDC:
			// Net changes need the primary key, which every table has.
			out = append(out, fmt.Sprintf("IF NOT EXISTS (SELECT 1 FROM %s WHERE object_id = %s AND is_tracked_by_cdc = 1)\nEXEC %s @source_schema = %s, @source_name = %s, @role_name = NULL, @supports_net_changes = 1",
				catalog(d, db, "sys.tables"), id, catalog(d, db, "sys.sp_cdc_enable_table"), d.String(schema), d.String(st.Table.Name)))
		case driver.ChangeTracking:
			out = append(out, fmt.Sprintf("IF NOT EXISTS (SELECT 1 FROM %s WHERE object_id = %s)\nALTER TABLE %s ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)",
				catalog(d, db, "sys.change_tracking_tables"), id, name))
		}
	}
	return out
}

func dbID(d *driver.SQL, database string) string {
	if database == "" {
		return "DB_ID()"
	}
	return "DB_ID(" + d.String(database) + ")"
}

// captureStateSQL counts the tables CDC is on for and those change
// tracking is on for, in one row.
func captureStateSQL(d *driver.SQL, tables []driver.SchemaTable) string {
	var cdc, ct []string
	for _, st := range tables {
		db, _ := databaseOf(d, st.Schema)
		id := fmt.Sprintf("OBJECT_ID(%s)", d.String(d.Table(st.Schema, st.Table.Name)))
		cdc = append(cdc, fmt.Sprintf("(SELECT COUNT(*) FROM %s WHERE object_id = %s AND is_tracked_by_cdc = 1)", catalog(d, db, "sys.tables"), id))
		ct = append(ct, fmt.Sprintf("(SELECT COUNT(*) FROM %s WHERE object_id = %s)", catalog(d, db, "sys.change_tracking_tables"), id))
	}
	return "SELECT " + strings.Join(cdc, "\n  + ") + ",\n  " + strings.Join(ct, "\n  + ")
}

// EnableCapture turns c on for the database(s) and the tables, statement
// by statement, outside any transaction.
func (d *db) EnableCapture(ctx context.Context, c driver.Capture, tables []driver.SchemaTable) error {
	if c != driver.CDC && c != driver.ChangeTracking {
		return fmt.Errorf("sqlserver: unknown capture %q", c)
	}
	for _, q := range captureSQL(d.dialect, c, tables) {
		if _, err := d.conn.ExecContext(ctx, q); err != nil {
			_, what, _ := strings.Cut(q, "\n")
			what, _, _ = strings.Cut(what, " @")
			return fmt.Errorf("enable %s: %s: %w", c, what, err)
		}
	}
	return nil
}

// Captures are both of SQL Server's.
func (d *db) Captures() []driver.Capture { return []driver.Capture{driver.CDC, driver.ChangeTracking} }

// CaptureState reports which capture is on for the tables.
func (d *db) CaptureState(ctx context.Context, tables []driver.SchemaTable) (driver.CaptureState, error) {
	st := driver.CaptureState{Tables: len(tables)}
	err := d.conn.QueryRowContext(ctx, captureStateSQL(d.dialect, tables)).Scan(&st.CDC, &st.ChangeTracking)
	if err != nil {
		return st, fmt.Errorf("read the change capture state: %w", err)
	}
	return st, nil
}
