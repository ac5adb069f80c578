package mysql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// rollbackWait bounds Rollback. Undoing a large load takes the server a
// while (InnoDB undoes row by row); past this the connection is dropped
// and the server finishes undoing on its own.
const rollbackWait = 10 * time.Minute

// txn is one operation. MySQL cannot roll back DDL and commits the open
// transaction whenever it runs some, so:
//   - writes (INSERT, UPDATE, DELETE) run as they come, in the
//     transaction on the main connection;
//   - DDL before the operation's first write runs there too (the implicit
//     commit then ends a transaction that has written nothing, and the
//     next write starts another); DDL after it (a load's second system)
//     runs on a second connection, beside the transaction, which it does
//     not commit. Only CREATE DATABASE and CREATE TABLE of new objects
//     may, and a table only if it refers to none the transaction has
//     used (the new table's foreign keys would wait for the transaction's
//     own metadata locks); other DDL after a write is refused;
//   - CREATE SCHEMA/TABLE IF NOT EXISTS of an object that exists is skipped
//     (it would commit even though it does nothing);
//   - DROP TABLE of an existing table becomes DELETE FROM, which a rollback
//     undoes (reset empties the tables in place instead of recreating
//     them). It is refused, as MySQL refuses DROP TABLE, while a foreign
//     key of a table the operation has not emptied refers to the table:
//     the DELETE would cascade into it. The DELETE waits until the
//     operation writes to that database (or reads, or commits), so that
//     the DDL of a database can still follow the emptying of the other;
//   - the tables and databases an operation did create are dropped again by
//     Rollback, so a failed load-baseline leaves nothing behind for the next
//     one to refuse. Only a crash between the DDL and the commit can leave
//     empty tables without a ledger.
type txn struct {
	d   *db
	ctx context.Context // the operation's (Begin's): Commit honours it
	// side is the second connection DDL runs on once the transaction has
	// written; opened when first needed.
	side    *conn
	pending []write // DELETEs standing in for DROP TABLE, not run yet
	inTx    bool    // a transaction is open (DDL on the main connection ends it)
	wrote   bool    // the open transaction has written
	// touched are the tables the open transaction has used, whose
	// metadata locks it holds until it ends.
	touched map[object]bool
	// emptied are the tables whose DROP TABLE became a DELETE.
	emptied map[object]bool
	keys    map[string][]foreignKey // by database: see keysInto
	// created are the databases and tables this operation made, in order.
	created []object
	done    bool
}

type write struct {
	sql, what string
	obj       object
}

type object struct{ schema, table string } // table "" for a database

func (t *txn) start(ctx context.Context) error {
	if err := t.d.exec(ctx, t.d.main, "START TRANSACTION"); err != nil {
		return err
	}
	t.inTx = true
	return nil
}

func (t *txn) Exec(ctx context.Context, query string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st := classify(query)
	switch st.kind {
	case stWrite:
		if err := t.flush(ctx, ""); err != nil {
			return err
		}
		return t.write(ctx, query, summary(query), qualifiedNames(query))
	case stCreateSchema, stCreateTable:
		exists, err := t.exists(ctx, st.obj)
		if err != nil || exists {
			return err
		}
		if err := t.ddl(ctx, query, st); err != nil {
			return err
		}
		t.created = append(t.created, st.obj)
		return nil
	case stDropTable:
		exists, err := t.exists(ctx, st.obj)
		if err != nil || !exists {
			return err
		}
		if err := t.referenced(ctx, st.obj); err != nil {
			return err
		}
		t.emptied[st.obj] = true
		t.pending = append(t.pending, write{sql: "DELETE FROM " + qualified(st.obj), what: "empty " + st.obj.String(), obj: st.obj})
		return nil
	}
	return t.ddl(ctx, query, st)
}

// ddl runs a statement MySQL commits around: on the main connection while
// the transaction has not written, else on the side connection if it
// cannot wait for the transaction (see txn).
func (t *txn) ddl(ctx context.Context, query string, st statement) error {
	if !t.wrote {
		t.inTx = false
		clear(t.touched) // the implicit commit ends the transaction and its locks
		return t.d.exec(ctx, t.d.main, query)
	}
	if st.kind == stDDL {
		return fmt.Errorf("mysql: %s after the operation's writes would commit them early (MySQL commits around DDL)", summary(query))
	}
	for _, o := range qualifiedNames(query) {
		if o != st.obj && t.touched[o] {
			return fmt.Errorf("mysql: %s refers to %s, which the operation has used: MySQL commits around DDL, and beside the operation it would wait for the operation itself", summary(query), o)
		}
	}
	side, err := t.sideConn(ctx)
	if err != nil {
		return err
	}
	return t.d.exec(ctx, *side, query)
}

func (t *txn) sideConn(ctx context.Context) (*conn, error) {
	if t.side == nil {
		c, err := t.d.connect(ctx)
		if err != nil {
			return nil, fmt.Errorf("mysql: a second connection for DDL: %w", err)
		}
		t.side = c
	}
	return t.side, nil
}

// catalog is the connection that reads the catalog: the side connection
// once the transaction has written (it sees the DDL run there at once,
// whatever a server's snapshot of its catalog in a transaction), else the
// main one.
func (t *txn) catalog(ctx context.Context) (*conn, error) {
	if t.wrote {
		return t.sideConn(ctx)
	}
	return &t.d.main, nil
}

func (t *txn) exists(ctx context.Context, o object) (bool, error) {
	c, err := t.catalog(ctx)
	if err != nil {
		return false, err
	}
	var n int
	err = t.d.run(ctx, *c, func(ctx context.Context) error {
		if o.table == "" {
			return c.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", o.schema).Scan(&n)
		}
		return c.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", o.schema, o.table).Scan(&n)
	})
	if err != nil {
		return false, fmt.Errorf("look for %s: %w", o, err)
	}
	return n > 0, nil
}

// referenced refuses to empty o in place of dropping it while a foreign
// key of another table the operation has not emptied refers to it. MySQL
// refuses DROP TABLE then; the DELETE that stands in for it would instead
// delete or change that table's rows (ON DELETE CASCADE, SET NULL), or
// fail at the end.
func (t *txn) referenced(ctx context.Context, o object) error {
	keys, err := t.keysInto(ctx, o.schema)
	if err != nil {
		return err
	}
	var refs []string
	for _, k := range keys {
		if k.to == o && k.from != o && !t.emptied[k.from] {
			refs = append(refs, fmt.Sprintf("foreign key %s of %s", k.name, k.from))
		}
	}
	if len(refs) > 0 {
		return fmt.Errorf("mysql: cannot drop %s: %s refers to it (originsim empties its tables instead of dropping them, which would reach into the rows of the referring table); nothing changed",
			o, strings.Join(refs, ", "))
	}
	return nil
}

// foreignKey is a foreign key of table from that refers to table to.
type foreignKey struct {
	name     string
	from, to object
}

// keysInto returns the foreign keys that refer to tables of database
// schema, read once per operation (the catalog query scans every
// database's tables on MariaDB).
func (t *txn) keysInto(ctx context.Context, schema string) ([]foreignKey, error) {
	if keys, ok := t.keys[schema]; ok {
		return keys, nil
	}
	c, err := t.catalog(ctx)
	if err != nil {
		return nil, err
	}
	var keys []foreignKey
	err = t.d.run(ctx, *c, func(ctx context.Context) error {
		rows, err := c.QueryContext(ctx, "SELECT DISTINCT constraint_name, table_schema, table_name, referenced_table_name FROM information_schema.key_column_usage "+
			"WHERE referenced_table_schema = ? ORDER BY 2, 3, 1", schema)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			k := foreignKey{to: object{schema: schema}}
			if err := rows.Scan(&k.name, &k.from.schema, &k.from.table, &k.to.table); err != nil {
				return err
			}
			keys = append(keys, k)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("look for foreign keys to %s: %w", schema, err)
	}
	if t.keys == nil {
		t.keys = map[string][]foreignKey{}
	}
	t.keys[schema] = keys
	return keys, nil
}

// write runs a write in the transaction; touched are the tables it uses.
func (t *txn) write(ctx context.Context, query, what string, touched []object) error {
	_, err := t.writeCount(ctx, query, what, touched)
	return err
}

// writeCount is write, reporting the rows the statement matched (the
// connection counts found rows, see config).
func (t *txn) writeCount(ctx context.Context, query, what string, touched []object) (int64, error) {
	if !t.inTx {
		if err := t.start(ctx); err != nil {
			return 0, err
		}
	}
	t.wrote = true
	for _, o := range touched {
		t.touched[o] = true
	}
	n, err := t.d.execCount(ctx, t.d.main, query)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return n, nil
}

// ExecCount runs an UPDATE or DELETE and reports the rows it matched; any
// other statement runs as Exec does, and reports -1.
func (t *txn) ExecCount(ctx context.Context, query string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if classify(query).kind != stWrite {
		return -1, t.Exec(ctx, query)
	}
	if err := t.flush(ctx, ""); err != nil {
		return 0, err
	}
	return t.writeCount(ctx, query, summary(query), qualifiedNames(query))
}

// flush runs the pending DELETEs in order: all of them, or when schema is
// set those up to the last one of that database.
func (t *txn) flush(ctx context.Context, schema string) error {
	n := len(t.pending)
	if schema != "" {
		n = 0
		for i, w := range t.pending {
			if w.obj.schema == schema {
				n = i + 1
			}
		}
	}
	for ; n > 0; n-- {
		w := t.pending[0]
		if err := t.write(ctx, w.sql, w.what, []object{w.obj}); err != nil {
			return err
		}
		t.pending = t.pending[1:]
	}
	return nil
}

func (t *txn) Query(ctx context.Context, query string, kinds []model.Kind, fn func(row []any) error) error {
	if err := t.flush(ctx, ""); err != nil {
		return err
	}
	if t.inTx {
		for _, o := range qualifiedNames(query) {
			t.touched[o] = true
		}
	}
	return t.d.run(ctx, t.d.main, func(run context.Context) error {
		rows, err := t.d.main.QueryContext(run, query)
		if err != nil {
			return err
		}
		return driver.ScanRows(ctx, rows, kinds, fn)
	})
}

// Insert renders the rows as multi-row INSERTs of InsertBatch rows each
// and runs them.
func (t *txn) Insert(ctx context.Context, schema string, tb *model.Table, rows [][]any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := t.flush(ctx, schema); err != nil {
		return err
	}
	// An insert also holds the tables its foreign keys refer to.
	touched := []object{{schema, tb.Name}}
	for _, fk := range tb.ForeignKeys {
		if fk.Enforced {
			touched = append(touched, object{schema, model.Get(fk.Ref).Name})
		}
	}
	what := fmt.Sprintf("insert into %s.%s", schema, tb.Name)
	for from := 0; from < len(rows); from += InsertBatch {
		batch := rows[from:min(from+InsertBatch, len(rows))]
		for _, r := range batch {
			if len(r) != len(tb.Columns) {
				return fmt.Errorf("%s: a row has %d values, the table %d columns", what, len(r), len(tb.Columns))
			}
		}
		if err := t.write(ctx, Dialect.InsertValues(schema, tb, batch), what, touched); err != nil {
			return err
		}
	}
	return nil
}

// Commit runs what is pending and commits, unless the operation's context
// has ended: then it returns the context's error and changes nothing.
// When it fails the transaction stays open for Rollback, which the caller
// defers.
func (t *txn) Commit() error {
	if t.done {
		return errors.New("mysql: transaction already ended")
	}
	if err := t.flush(t.ctx, ""); err != nil {
		return err
	}
	if err := t.ctx.Err(); err != nil {
		return err
	}
	t.done = true
	ctx := context.Background()
	_, err := t.d.main.ExecContext(ctx, "COMMIT")
	return errors.Join(err, t.closeSide(), t.d.release(ctx))
}

func (t *txn) closeSide() error {
	if t.side == nil {
		return nil
	}
	err := t.side.Close()
	t.side = nil
	return err
}

// Rollback undoes the writes, drops what the operation created and
// releases the locks. It is safe to call after Commit (it does nothing
// then), so callers can defer it.
func (t *txn) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	t.pending = nil
	ctx, cancel := context.WithTimeout(context.Background(), rollbackWait)
	defer cancel()
	_, err := t.d.main.ExecContext(ctx, "ROLLBACK")
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1317 { // a kill that came late: once more
		_, err = t.d.main.ExecContext(ctx, "ROLLBACK")
	}
	err = errors.Join(err, t.closeSide())
	for i := len(t.created) - 1; i >= 0; i-- {
		o := t.created[i]
		if o.table != "" {
			_, e := t.d.main.ExecContext(ctx, "DROP TABLE IF EXISTS "+qualified(o))
			err = errors.Join(err, e)
			continue
		}
		// Drop a database it created only if nothing else appeared in it.
		var n int
		e := t.d.main.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ?", o.schema).Scan(&n)
		if e == nil && n == 0 {
			_, e = t.d.main.ExecContext(ctx, "DROP DATABASE IF EXISTS "+qualified(o))
		}
		err = errors.Join(err, e)
	}
	return errors.Join(err, t.d.release(ctx))
}
