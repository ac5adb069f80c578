package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/originsim/originsim/driver"
)

// PostgreSQL's change capture is logical replication: --enable-cdc sets
// REPLICA IDENTITY FULL on the eight tables (so updates and deletes carry
// the whole old row) and puts them in a publication, which a logical
// replication slot (pgoutput) or a CDC tool then reads. Reading it needs
// wal_level=logical on the server.

// Captures is CDC only: change tracking is SQL Server's.
func (d *db) Captures() []driver.Capture { return []driver.Capture{driver.CDC} }

// Publication is the name of the publication for a shop schema:
// originsim_<shop schema>; past PostgreSQL's 63 bytes, its first 54 and
// 8 hex digits of a hash of the whole, so two long names never share one.
func Publication(shop string) string {
	name := "originsim_" + shop
	if len(name) <= 63 {
		return name
	}
	sum := sha256.Sum256([]byte(shop))
	return name[:54] + "_" + hex.EncodeToString(sum[:4])
}

// captureSQL is what EnableCapture runs, and what sql --enable-cdc
// writes: replica identity, then the publication made, or set to exactly
// the eight tables where it exists.
func captureSQL(_ *driver.SQL, _ driver.Capture, tables []driver.SchemaTable) []string {
	var out, names []string
	for _, st := range tables {
		name := pgx.Identifier{st.Schema, st.Table.Name}.Sanitize()
		names = append(names, name)
		out = append(out, "ALTER TABLE "+name+" REPLICA IDENTITY FULL")
	}
	name := Publication(tables[0].Schema)
	pub, list := pgx.Identifier{name}.Sanitize(), strings.Join(names, ", ")
	return append(out, fmt.Sprintf(`DO $originsim$ BEGIN
  IF EXISTS (SELECT 1 FROM pg_publication WHERE pubname = '%s') THEN
    ALTER PUBLICATION %s SET TABLE %s;
  ELSE
    CREATE PUBLICATION %s FOR TABLE %s;
  END IF;
END $originsim$`, strings.ReplaceAll(name, "'", "''"), pub, list, pub, list))
}

// EnableCapture switches logical replication on for the tables, in one
// transaction. tables[0] is in the shop schema, which names the
// publication.
func (d *db) EnableCapture(ctx context.Context, c driver.Capture, tables []driver.SchemaTable) error {
	if c != driver.CDC {
		return fmt.Errorf("postgres: %s is not a capture of PostgreSQL", c)
	}
	tx, err := d.conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	for _, q := range captureSQL(Dialect, c, tables) {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("enable cdc: %s: %w", q, err)
		}
	}
	return tx.Commit(ctx)
}

// CaptureState counts the tables with REPLICA IDENTITY FULL that are in
// the publication.
func (d *db) CaptureState(ctx context.Context, tables []driver.SchemaTable) (driver.CaptureState, error) {
	st := driver.CaptureState{Tables: len(tables)}
	var schemas, names []string
	for _, t := range tables {
		schemas, names = append(schemas, t.Schema), append(names, t.Table.Name)
	}
	err := d.conn.QueryRow(ctx, `
SELECT count(*)
FROM unnest($1::text[], $2::text[]) AS t(schema_name, table_name)
JOIN pg_namespace n ON n.nspname = t.schema_name
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.table_name AND c.relreplident = 'f'
JOIN pg_publication_tables p ON p.pubname = $3 AND p.schemaname = t.schema_name AND p.tablename = t.table_name`,
		schemas, names, Publication(tables[0].Schema)).Scan(&st.CDC)
	if err != nil {
		return st, fmt.Errorf("read the change capture state: %w", err)
	}
	if st.CDC > 0 {
		var level string
		if err := d.conn.QueryRow(ctx, "SHOW wal_level").Scan(&level); err != nil {
			return st, fmt.Errorf("read wal_level: %w", err)
		}
		st.Warning = walWarning(level)
	}
	return st, nil
}

// walWarning is what a capture on a server of that wal_level lacks:
// logical replication slots (pgoutput, Debezium, every CDC tool) need
// wal_level = logical.
func walWarning(level string) string {
	if level == "logical" {
		return ""
	}
	return fmt.Sprintf("wal_level is %s: the publication is there, but no logical replication slot (Debezium, pgoutput, any CDC tool) can read it until the server runs with wal_level = logical: ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL", level)
}
