// Package mysql is the MySQL and MariaDB target, through
// github.com/go-sql-driver/mysql. The two systems are databases (what
// MySQL calls schemas). Rows go in as multi-row INSERTs of up to
// InsertBatch rows, as the operation makes them; updates are one
// UPDATE ... JOIN per batch.
//
// URL forms: mysql://user:password@host:port/ and mariadb://..., optionally
// with a database name (only used as the connection's default) and
// parameters: connect_timeout (seconds, default 10), lock_wait (seconds an
// operation waits for another one on the same databases, default 10) and
// any parameter the driver's DSN accepts, such as tls=true.
//
// MySQL commits implicitly before and after every CREATE and DROP, so an
// operation that creates tables cannot hold them in its transaction. This
// target keeps an operation atomic all the same (see txn): DDL runs before
// the operation's first write, or beside the transaction on a second
// connection; DROP TABLE of an existing table becomes a transactional
// DELETE; CREATE ... IF NOT EXISTS of an existing object is skipped; and a
// rollback drops the tables and databases the operation created.
//
// Cancelling an operation's context stops the statement running on the
// server (KILL QUERY from another connection) and the operation rolls back;
// the connection itself is kept.
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/originsim/originsim/driver"
)

// The server targets share these bounds.
const (
	DefaultConnectTimeout = driver.DefaultConnectTimeout
	LockWait              = driver.LockWait
)

// InsertBatch is the number of rows of one INSERT statement.
const InsertBatch = 1000

// killWait bounds the KILL QUERY that stops a cancelled statement.
const killWait = 10 * time.Second

// session makes the connection's behaviour independent of the server's
// defaults: strict types, backslash as the string escape the dialect
// writes, UTC, and a bounded wait for metadata locks (a year by default).
// The first settings are the dialect's, which scripts set too.
var session = append(slices.Clip(Dialect.Script.Session),
	"SET SESSION autocommit = 1",
	"SET SESSION lock_wait_timeout = 60",
)

// conn is one connection and its id on the server (CONNECTION_ID()),
// which KILL QUERY names.
type conn struct {
	*sql.Conn
	id int64
}

type db struct {
	sdb      *sql.DB
	main     conn   // the operations run here
	ident    string // which server main is on (see identSQL)
	server   string
	lockWait time.Duration
	scope    string // the shop database operations take a lock for; "" for the whole server
}

// Open connects to the server named by the URL.
func Open(ctx context.Context, u *driver.URL) (driver.Target, error) {
	if u.Parsed == nil {
		return nil, fmt.Errorf("%w %q: expected %s://user:password@host:port/", driver.ErrURL, u.Redacted(), u.Scheme)
	}
	cfg, lockWait, err := config(u)
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
	sdb, c, err := driver.Connect(ctx, connector, cfg.Timeout, session)
	if err != nil {
		return nil, fail(err)
	}
	d := &db{sdb: sdb, main: conn{Conn: c}, server: cfg.Addr, lockWait: lockWait, scope: u.LockScope}
	if err := c.QueryRowContext(ctx, "SELECT CONNECTION_ID(), "+identSQL).Scan(&d.main.id, &d.ident); err != nil {
		d.Close()
		return nil, fail(err)
	}
	return d, nil
}

// config translates the URL into the driver's configuration, and returns
// the lock wait it sets.
func config(u *driver.URL) (*mysql.Config, time.Duration, error) {
	p := u.Parsed
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w %q: %s", driver.ErrURL, u.Redacted(), fmt.Sprintf(format, a...))
	}
	if p.Opaque != "" || p.Fragment != "" {
		return nil, 0, bad("expected %s://user:password@host:port/", u.Scheme)
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
		return nil, 0, bad("the path can only name one database")
	}
	q := p.Query()
	seconds := func(name string, def time.Duration) (time.Duration, error) {
		if !q.Has(name) {
			return def, nil
		}
		secs, err := strconv.ParseFloat(q.Get(name), 64)
		if err != nil || secs < 0 || math.IsInf(secs, 0) || math.IsNaN(secs) {
			return 0, bad("%s must be a number of seconds", name)
		}
		q.Del(name)
		return time.Duration(secs * float64(time.Second)), nil
	}
	timeout, err := seconds("connect_timeout", DefaultConnectTimeout)
	if err != nil {
		return nil, 0, err
	}
	lockWait, err := seconds("lock_wait", LockWait)
	if err != nil {
		return nil, 0, err
	}
	for _, k := range []string{"user", "password", "parseTime", "loc"} {
		if q.Has(k) {
			return nil, 0, bad("parameter %s is not supported here (originsim sets it)", k)
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
		return nil, 0, bad("%v", err)
	}
	cfg.DBName = dbname
	cfg.User = p.User.Username()
	cfg.Passwd, _ = p.User.Password()
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	cfg.InterpolateParams = true
	// UPDATE reports the rows it found, not only those whose values
	// changed: a day checks that every row it changes is there.
	cfg.ClientFoundRows = true
	cfg.Timeout = timeout
	cfg.Logger = &mysql.NopLogger{} // errors are returned; don't also print them
	return cfg, lockWait, nil
}

func (d *db) Dialect() driver.Dialect { return Dialect }

func (d *db) Close() error {
	err := d.main.Close()
	return errors.Join(err, d.sdb.Close())
}

// Begin takes the operation's named locks (see lock), then starts the
// transaction. The locks belong to the connection, not the transaction,
// so they survive the implicit commits of DDL; Commit and Rollback release
// them.
func (d *db) Begin(ctx context.Context) (driver.Tx, error) {
	if err := d.lock(ctx); err != nil {
		return nil, err
	}
	t := &txn{d: d, ctx: ctx, touched: map[object]bool{}, emptied: map[object]bool{}}
	if err := t.start(ctx); err != nil {
		return nil, errors.Join(err, d.release(context.Background()))
	}
	return t, nil
}

// connect opens another connection with the same session settings.
func (d *db) connect(ctx context.Context) (*conn, error) {
	c, err := d.sdb.Conn(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range session {
		if _, err := c.ExecContext(ctx, s); err != nil {
			c.Close()
			return nil, err
		}
	}
	out := &conn{Conn: c}
	if err := c.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&out.id); err != nil {
		c.Close()
		return nil, err
	}
	return out, nil
}

// identSQL names the server a connection reaches, so that KILL QUERY,
// sent on another connection, is only sent to the same server (not, behind
// a proxy, to another one where the id names someone else's session).
const identSQL = "CONCAT(@@hostname, ':', @@port, ':', @@server_id)"

// run runs fn, one statement on c, so that cancelling ctx stops it within
// a moment and leaves the connection usable: the driver would close a
// connection whose context ends mid-statement, which would leave Rollback
// unable to drop what the operation created. So fn runs without
// cancellation, and when ctx ends, KILL QUERY from another connection
// interrupts the statement on the server (the transaction stays open for
// Rollback). run returns only once the kill has been said, so it cannot
// reach the next statement. A cancelled ctx is the error, whatever fn
// returned.
func (d *db) run(ctx context.Context, c conn, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	killed := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(killed)
		kctx, cancel := context.WithTimeout(context.Background(), killWait)
		defer cancel()
		_ = d.kill(kctx, c.id)
	})
	err := fn(context.WithoutCancel(ctx))
	if !stop() {
		<-killed
	}
	if cerr := ctx.Err(); cerr != nil {
		if err == nil {
			return cerr
		}
		return fmt.Errorf("%w (%v)", cerr, err)
	}
	return err
}

// kill stops the statement running on the connection id, from another
// connection to the same server.
func (d *db) kill(ctx context.Context, id int64) error {
	k, err := d.sdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer k.Close()
	var ident string
	if err := k.QueryRowContext(ctx, "SELECT "+identSQL).Scan(&ident); err != nil {
		return err
	}
	if ident != d.ident {
		return fmt.Errorf("mysql: not killing session %d: this connection reached %s, the operation's %s", id, ident, d.ident)
	}
	_, err = k.ExecContext(ctx, "KILL QUERY "+strconv.FormatInt(id, 10))
	return err
}

// exec runs a statement on c under run.
func (d *db) exec(ctx context.Context, c conn, query string, args ...any) error {
	_, err := d.execCount(ctx, c, query, args...)
	return err
}

// execCount is exec, reporting the rows the statement matched.
func (d *db) execCount(ctx context.Context, c conn, query string, args ...any) (int64, error) {
	var n int64
	err := d.run(ctx, c, func(ctx context.Context) error {
		res, err := c.ExecContext(ctx, query, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
