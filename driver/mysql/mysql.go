// Package mysql is the MySQL and MariaDB target, through
// github.com/go-sql-driver/mysql on one connection. The two systems are
// databases (what MySQL calls schemas). Rows go in as multi-row INSERTs of
// up to InsertBatch rows; updates are one UPDATE ... JOIN per batch.
//
// URL forms: mysql://user:password@host:port/ and mariadb://..., optionally
// with a database name (only used as the connection's default) and
// parameters: connect_timeout (seconds, default 10) and any parameter the
// driver's DSN accepts, such as tls=true.
//
// MySQL commits implicitly before and after every CREATE and DROP, so an
// operation that creates tables cannot hold them in its transaction. This
// target keeps an operation atomic all the same (see txn): its writes wait
// until its DDL is done, DROP TABLE of an existing table becomes a
// transactional DELETE, CREATE ... IF NOT EXISTS of an existing object is
// skipped, and a rollback drops the tables and databases the operation
// created.
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// The server targets share these bounds.
const (
	DefaultConnectTimeout = driver.DefaultConnectTimeout
	LockWait              = driver.LockWait
)

// lockName is the GET_LOCK name every originsim operation takes. Named
// locks are server-wide, so operations on one server are serialised,
// whatever databases they use: Begin does not know them, and an operation
// is short.
const lockName = "originsim"

// InsertBatch is the number of rows of one INSERT statement.
const InsertBatch = 1000

// session makes the connection's behaviour independent of the server's
// defaults: strict types, backslash as the string escape the dialect
// writes, UTC, and a bounded wait for metadata locks (a year by default).
// The first settings are the dialect's, which scripts set too.
var session = append(slices.Clip(Dialect.Script.Session),
	"SET SESSION autocommit = 1",
	"SET SESSION lock_wait_timeout = 60",
)

type db struct {
	sdb      *sql.DB
	conn     *sql.Conn
	server   string
	lockWait time.Duration
}

// Open connects to the server named by the URL.
func Open(ctx context.Context, u *driver.URL) (driver.Target, error) {
	if u.Parsed == nil {
		return nil, fmt.Errorf("%w %q: expected %s://user:password@host:port/", driver.ErrURL, u.Redacted(), u.Scheme)
	}
	cfg, err := config(u)
	if err != nil {
		return nil, err
	}
	password := cfg.Passwd
	where := "mysql server " + cfg.Addr
	if cfg.DBName != "" {
		where += fmt.Sprintf(" (database %q)", cfg.DBName)
	}
	fail := func(err error) error {
		return fmt.Errorf("%w to %s as user %q: %s", driver.ErrConnect, where, cfg.User, driver.CleanError(err, u.Raw, password))
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fail(err)
	}
	// The driver's timeout bounds dialling only; this bounds the
	// handshake and the session setup too.
	sdb, conn, err := driver.Connect(ctx, connector, cfg.Timeout, session)
	if err != nil {
		return nil, fail(err)
	}
	return &db{sdb: sdb, conn: conn, server: cfg.Addr, lockWait: LockWait}, nil
}

// config translates the URL into the driver's configuration.
func config(u *driver.URL) (*mysql.Config, error) {
	p := u.Parsed
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w %q: %s", driver.ErrURL, u.Redacted(), fmt.Sprintf(format, a...))
	}
	if p.Opaque != "" || p.Fragment != "" {
		return nil, bad("expected %s://user:password@host:port/", u.Scheme)
	}
	host, port := p.Hostname(), p.Port()
	if host == "" {
		host = "127.0.0.1"
	}
	if port == "" {
		port = "3306"
	}
	dbname := strings.TrimPrefix(p.Path, "/")
	if strings.Contains(dbname, "/") {
		return nil, bad("the path can only name one database")
	}
	q := p.Query()
	timeout := DefaultConnectTimeout
	if q.Has("connect_timeout") {
		secs, err := strconv.ParseFloat(q.Get("connect_timeout"), 64)
		if err != nil || secs < 0 {
			return nil, bad("connect_timeout must be a number of seconds")
		}
		timeout = time.Duration(secs * float64(time.Second))
		q.Del("connect_timeout")
	}
	for _, k := range []string{"user", "password", "parseTime", "loc"} {
		if q.Has(k) {
			return nil, bad("parameter %s is not supported here (originsim sets it)", k)
		}
	}
	// The driver parses its own DSN parameters; user and password are set
	// after, so no character of theirs can confuse the DSN syntax.
	dsn := "tcp(" + net.JoinHostPort(host, port) + ")/" + url.PathEscape(dbname)
	if len(q) > 0 {
		dsn += "?" + q.Encode()
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, bad("%v", err)
	}
	cfg.DBName = dbname
	cfg.User = p.User.Username()
	cfg.Passwd, _ = p.User.Password()
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.InterpolateParams = true
	cfg.Timeout = timeout
	cfg.Logger = &mysql.NopLogger{} // errors are returned; don't also print them
	return cfg, nil
}

func (d *db) Dialect() driver.Dialect { return Dialect }

func (d *db) Close() error {
	err := d.conn.Close()
	return errors.Join(err, d.sdb.Close())
}

// Begin takes the originsim named lock, then starts the transaction. The
// lock belongs to the connection, not the transaction, so it survives the
// implicit commits of DDL; Commit and Rollback release it.
func (d *db) Begin(ctx context.Context) (driver.Tx, error) {
	var got sql.NullInt64
	secs := max(1, int(d.lockWait/time.Second))
	if err := d.conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", lockName, secs).Scan(&got); err != nil {
		return nil, fmt.Errorf("take the originsim lock: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		return nil, fmt.Errorf("%w (mysql server %s, waited %s): try again when it has finished", driver.ErrBusy, d.server, d.lockWait)
	}
	t := &txn{d: d}
	if err := t.start(ctx); err != nil {
		return nil, errors.Join(err, d.release(context.Background()))
	}
	return t, nil
}

func (d *db) release(ctx context.Context) error {
	_, err := d.conn.ExecContext(ctx, "DO RELEASE_LOCK(?)", lockName)
	return err
}

// txn is one operation. MySQL cannot roll back DDL and commits the open
// transaction whenever it runs some, so:
//   - writes (INSERT, UPDATE, DELETE) are held in pending and run only when
//     the operation reads again or commits, by which time all its DDL has
//     run: they all land in one transaction;
//   - CREATE SCHEMA/TABLE IF NOT EXISTS of an object that exists is skipped
//     (it would commit even though it does nothing);
//   - DROP TABLE of an existing table becomes DELETE FROM, which a rollback
//     undoes (reset empties the tables in place instead of recreating
//     them);
//   - the tables and databases an operation did create are dropped again by
//     Rollback, so a failed load-baseline leaves nothing behind for the next
//     one to refuse. Only a crash between the DDL and the commit can leave
//     empty tables without a ledger.
type txn struct {
	d       *db
	pending []write
	inTx    bool // a transaction is open (DDL ends it)
	wrote   bool // a write ran in this operation
	// created are the databases and tables this operation made, in order.
	created []object
	done    bool
}

type write struct{ sql, what string }

type object struct{ schema, table string } // table "" for a database

func (t *txn) start(ctx context.Context) error {
	if _, err := t.d.conn.ExecContext(ctx, "START TRANSACTION"); err != nil {
		return err
	}
	t.inTx = true
	return nil
}

// live checks ctx before a statement and returns a context the statement
// runs under without cancellation. The driver closes the connection when a
// context is cancelled mid-statement, which would leave Rollback unable to
// drop what the operation created; instead, cancellation takes effect
// between statements (each INSERT is one batch), and Rollback cleans up.
func live(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}

func (t *txn) Exec(ctx context.Context, query string) error {
	ctx, err := live(ctx)
	if err != nil {
		return err
	}
	st := classify(query)
	switch st.kind {
	case stWrite:
		t.pending = append(t.pending, write{sql: query, what: summary(query)})
		return nil
	case stCreateSchema, stCreateTable:
		exists, err := t.exists(ctx, st.obj)
		if err != nil || exists {
			return err
		}
		if err := t.ddl(ctx, query); err != nil {
			return err
		}
		t.created = append(t.created, st.obj)
		return nil
	case stDropTable:
		exists, err := t.exists(ctx, st.obj)
		if err != nil || !exists {
			return err
		}
		t.pending = append(t.pending, write{sql: "DELETE FROM " + qualified(st.obj), what: "empty " + st.obj.String()})
		return nil
	}
	return t.ddl(ctx, query)
}

// ddl runs a statement MySQL commits around. It refuses once the
// operation has written, since that would commit the writes half-way.
func (t *txn) ddl(ctx context.Context, query string) error {
	if t.wrote {
		return fmt.Errorf("mysql: %s after the operation's writes would commit them early (MySQL commits around DDL)", summary(query))
	}
	t.inTx = false
	_, err := t.d.conn.ExecContext(ctx, query)
	return err
}

func (t *txn) exists(ctx context.Context, o object) (bool, error) {
	var n int
	var err error
	if o.table == "" {
		err = t.d.conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?", o.schema).Scan(&n)
	} else {
		err = t.d.conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?", o.schema, o.table).Scan(&n)
	}
	if err != nil {
		return false, fmt.Errorf("look for %s: %w", o, err)
	}
	return n > 0, nil
}

// flush runs the pending writes, in order, in one transaction.
func (t *txn) flush(ctx context.Context) error {
	if len(t.pending) == 0 {
		return nil
	}
	if !t.inTx {
		if err := t.start(ctx); err != nil {
			return err
		}
	}
	for len(t.pending) > 0 {
		w := t.pending[0]
		run, err := live(ctx)
		if err != nil {
			return err
		}
		t.wrote = true
		if _, err := t.d.conn.ExecContext(run, w.sql); err != nil {
			return fmt.Errorf("%s: %w", w.what, err)
		}
		t.pending = t.pending[1:]
	}
	t.pending = nil
	return nil
}

func (t *txn) Query(ctx context.Context, query string, kinds []model.Kind, fn func(row []any) error) error {
	if err := t.flush(ctx); err != nil {
		return err
	}
	run, err := live(ctx)
	if err != nil {
		return err
	}
	rows, err := t.d.conn.QueryContext(run, query)
	if err != nil {
		return err
	}
	return driver.ScanRows(run, rows, kinds, fn)
}

// Insert renders the rows as multi-row INSERTs of InsertBatch rows each;
// they run with the operation's other writes.
func (t *txn) Insert(ctx context.Context, schema string, tb *model.Table, rows [][]any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for from := 0; from < len(rows); from += InsertBatch {
		batch := rows[from:min(from+InsertBatch, len(rows))]
		for _, r := range batch {
			if len(r) != len(tb.Columns) {
				return fmt.Errorf("insert into %s.%s: a row has %d values, the table %d columns", schema, tb.Name, len(r), len(tb.Columns))
			}
		}
		t.pending = append(t.pending, write{
			sql:  Dialect.InsertValues(schema, tb, batch),
			what: fmt.Sprintf("insert into %s.%s", schema, tb.Name),
		})
	}
	return nil
}

// Commit runs the pending writes and commits. If the writes fail, the
// transaction stays open for Rollback, which the caller defers.
func (t *txn) Commit() error {
	if t.done {
		return errors.New("mysql: transaction already ended")
	}
	ctx := context.Background()
	if err := t.flush(ctx); err != nil {
		return err
	}
	t.done = true
	_, err := t.d.conn.ExecContext(ctx, "COMMIT")
	return errors.Join(err, t.d.release(ctx))
}

// Rollback undoes the writes, drops what the operation created and
// releases the lock. It is safe to call after Commit (it does nothing
// then), so callers can defer it.
func (t *txn) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	t.pending = nil
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := t.d.conn.ExecContext(ctx, "ROLLBACK")
	for i := len(t.created) - 1; i >= 0; i-- {
		o := t.created[i]
		if o.table != "" {
			_, e := t.d.conn.ExecContext(ctx, "DROP TABLE IF EXISTS "+qualified(o))
			err = errors.Join(err, e)
			continue
		}
		// Drop a database it created only if nothing else appeared in it.
		var n int
		e := t.d.conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ?", o.schema).Scan(&n)
		if e == nil && n == 0 {
			_, e = t.d.conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+qualified(o))
		}
		err = errors.Join(err, e)
	}
	return errors.Join(err, t.d.release(ctx))
}
