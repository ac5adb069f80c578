// Package sqlserver is the SQL Server and Azure SQL target, through
// github.com/microsoft/go-mssqldb on one connection. Rows go in through the
// driver's bulk copy (mssql.CopyIn) inside the operation's transaction;
// updates are bulk copied into a temporary table and applied with one
// UPDATE ... FROM ... JOIN. DDL is transactional in SQL Server, so each
// operation is one real transaction, and an application lock
// (sp_getapplock) owned by that transaction keeps two operations from
// interleaving.
//
// URL forms, the driver's own: sqlserver://user:password@host:port?database=NAME
// (or host/instance), and azuresql://... with the driver's Azure AD
// parameters (fedauth=ActiveDirectoryDefault, ActiveDirectoryServicePrincipal,
// ...). originsim's parameters are taken out before the driver sees the URL:
// connect_timeout (seconds, default 10), lock_wait (seconds an operation
// waits for another one on the same schemas, default 10) and
// separate_databases=true.
//
// Layouts: by default the two systems are schemas of the named database,
// the way of an Azure SQL Database; with separate_databases=true each system
// is a database of its own, which must exist, with its tables in dbo.
package sqlserver

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
	"github.com/microsoft/go-mssqldb/azuread"
	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// The server targets share these bounds.
const (
	DefaultConnectTimeout = driver.DefaultConnectTimeout
	LockWait              = driver.LockWait
)

// lockResource is the application lock of the whole database.
// Application locks belong to the connection's database. An operation
// takes the lock of its scope, the shop schema (or database) of the pair
// it works on (driver.URL.LockScope), lockResource + ":" + scope
// exclusive, with lockResource shared, so operations on other pairs go
// ahead. An operation without a scope takes lockResource exclusive (what
// every operation took before scopes), which waits for the scoped ones and
// keeps them out.
const lockResource = "originsim"

// session makes the connection independent of server and driver defaults:
// any error dooms the whole transaction (the operation rolls back
// anyway), and ANSI behaviour for NULLs and quoted identifiers.
var session = Dialect.Script.Session

// config is what Open needs from the URL.
type config struct {
	dsn      string // the URL the driver parses, without originsim's parameters
	azure    bool
	separate bool
	timeout  time.Duration
	lockWait time.Duration
	mssql    msdsn.Config
}

// parseConfig checks the URL and translates it for the driver.
func parseConfig(u *driver.URL) (*config, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w %q: %s", driver.ErrURL, u.Redacted(), fmt.Sprintf(format, a...))
	}
	p := u.Parsed
	if p == nil || p.Opaque != "" || p.Fragment != "" || p.Host == "" {
		return nil, bad("expected %s://user:password@host:port?database=NAME", u.Scheme)
	}
	c := &config{azure: u.Scheme == "azuresql", timeout: DefaultConnectTimeout, lockWait: LockWait}
	q := p.Query()
	for name, to := range map[string]*time.Duration{"connect_timeout": &c.timeout, "lock_wait": &c.lockWait} {
		if !q.Has(name) {
			continue
		}
		secs, err := strconv.ParseFloat(q.Get(name), 64)
		if err != nil || secs < 0 || math.IsInf(secs, 0) || math.IsNaN(secs) {
			return nil, bad("%s must be a number of seconds", name)
		}
		*to = time.Duration(secs * float64(time.Second))
		q.Del(name)
	}
	if q.Has("separate_databases") {
		v, err := strconv.ParseBool(q.Get("separate_databases"))
		if err != nil {
			return nil, bad("separate_databases must be true or false")
		}
		c.separate = v
		q.Del("separate_databases")
	}
	// The driver's dial timeout is whole seconds; Open bounds the login
	// as well, with the exact timeout.
	if !q.Has("dial timeout") && c.timeout > 0 {
		q.Set("dial timeout", strconv.Itoa(int(math.Ceil(c.timeout.Seconds()))))
	}
	if !q.Has("app name") {
		q.Set("app name", "originsim")
	}
	d := *p
	d.Scheme = "sqlserver" // the driver's URL form, for both schemes
	d.RawQuery = q.Encode()
	c.dsn = d.String()
	password, _ := p.User.Password()
	var err error
	if c.mssql, err = msdsn.Parse(c.dsn); err != nil {
		return nil, bad("%s", driver.CleanError(err, u.Raw, password))
	}
	if c.mssql.Database == "" && !c.separate {
		return nil, bad("name the database: %s://user:password@host:port?database=NAME (the two systems are schemas of it)", u.Scheme)
	}
	if c.azure {
		// Checks the fedauth parameters; it does not connect.
		if _, err := azuread.NewConnector(c.dsn); err != nil {
			return nil, bad("%s", driver.CleanError(err, u.Raw, password))
		}
	}
	return c, nil
}

// connector makes the driver's connector for the configuration, dialling
// through dial.
func (c *config) connector(dial mssql.Dialer) (sqldriver.Connector, error) {
	var conn *mssql.Connector
	var err error
	if c.azure {
		conn, err = azuread.NewConnector(c.dsn)
	} else {
		conn, err = mssql.NewConnector(c.dsn)
	}
	if err != nil {
		return nil, err
	}
	conn.Dialer = dial
	return conn, nil
}

// loginDialer puts a deadline on the connections it dials until ready is
// called: the driver watches the context only while dialling, so a server
// that accepts and then says nothing would hold the login forever.
type loginDialer struct {
	net.Dialer
	timeout time.Duration
	mu      sync.Mutex
	conns   []net.Conn
	done    bool
}

func (d *loginDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := d.Dialer.DialContext(ctx, network, addr)
	if err != nil || d.timeout <= 0 {
		return conn, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.done {
		if err := conn.SetDeadline(time.Now().Add(d.timeout)); err != nil {
			conn.Close()
			return nil, err
		}
		d.conns = append(d.conns, conn)
	}
	return conn, nil
}

// ready lifts the deadline once the session is set up: statements may
// take as long as they need.
func (d *loginDialer) ready() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.done = true
	var err error
	for _, c := range d.conns {
		err = errors.Join(err, c.SetDeadline(time.Time{}))
	}
	d.conns = nil
	return err
}

// where names the server and database for messages.
func (c *config) where() string {
	host := c.mssql.Host
	if c.mssql.Instance != "" {
		host += `\` + c.mssql.Instance
	}
	if c.mssql.Port != 0 {
		host = net.JoinHostPort(host, strconv.FormatUint(c.mssql.Port, 10))
	}
	if c.mssql.Database == "" {
		return "sqlserver server " + host
	}
	return fmt.Sprintf("sqlserver database %q on %s", c.mssql.Database, host)
}

type db struct {
	sdb      *sql.DB
	conn     *sql.Conn
	dialect  *driver.SQL
	where    string
	lockWait time.Duration
	scope    string // the shop schema operations lock; "" for the whole database
}

// Open connects to the database named by the URL.
func Open(ctx context.Context, u *driver.URL) (driver.Target, error) {
	c, err := parseConfig(u)
	if err != nil {
		return nil, err
	}
	password, _ := u.Parsed.User.Password()
	fail := func(err error) error {
		return fmt.Errorf("%w to %s as user %q: %s", driver.ErrConnect, c.where(), c.mssql.User, driver.CleanError(err, u.Raw, password))
	}
	dial := &loginDialer{timeout: c.timeout}
	connector, err := c.connector(dial)
	if err != nil {
		return nil, fail(err)
	}
	// The driver's timeout bounds dialling only; this bounds the
	// handshake and the session setup too.
	sdb, conn, err := driver.Connect(ctx, connector, c.timeout, session)
	if err == nil {
		if err = dial.ready(); err != nil {
			conn.Close()
			sdb.Close()
		}
	}
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			err = fmt.Errorf("no answer within %s (connect_timeout)", c.timeout)
		}
		return nil, fail(err)
	}
	d := &db{sdb: sdb, conn: conn, dialect: Dialect, where: c.where(), lockWait: c.lockWait, scope: u.LockScope}
	if c.separate {
		d.dialect = DatabasesDialect
	}
	return d, nil
}

func (d *db) Dialect() driver.Dialect { return d.dialect }

func (d *db) Close() error {
	err := d.conn.Close()
	return errors.Join(err, d.sdb.Close())
}

// lockSQL takes the originsim application locks of scope ("" for the
// whole database, see lockResource) for the transaction, waiting at most
// wait in all, and returns sp_getapplock's result: 0 or 1 when granted, -1
// when the wait ran out.
func lockSQL(scope string, wait time.Duration) string {
	get := func(resource, mode, timeout string) string {
		return fmt.Sprintf("EXEC @result = sys.sp_getapplock @Resource = N'%s', @LockMode = '%s', @LockOwner = 'Transaction', @LockTimeout = %s;",
			strings.ReplaceAll(resource, "'", "''"), mode, timeout)
	}
	ms := strconv.FormatInt(wait.Milliseconds(), 10)
	if scope == "" {
		return "DECLARE @result INT;\n" + get(lockResource, "Exclusive", ms) + "\nSELECT @result"
	}
	return "DECLARE @result INT, @start DATETIME2 = SYSUTCDATETIME(), @left INT;\n" +
		get(lockResource, "Shared", ms) + "\n" +
		"IF @result >= 0\nBEGIN\n" +
		"  SET @left = " + ms + " - DATEDIFF(millisecond, @start, SYSUTCDATETIME());\n" +
		"  IF @left < 0 SET @left = 0;\n  " +
		get(lockResource+":"+scope, "Exclusive", "@left") + "\nEND;\nSELECT @result"
}

// Begin starts the transaction and takes the application lock in it, so
// the lock is released when the transaction ends, however it ends.
func (d *db) Begin(ctx context.Context) (driver.Tx, error) {
	tx, err := d.conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	var result int
	if err := tx.QueryRowContext(ctx, lockSQL(d.scope, d.lockWait)).Scan(&result); err != nil {
		_ = tx.Rollback()
		return nil, fmt.Errorf("take the originsim lock: %w", cancelled(ctx, err))
	}
	switch {
	case result == -1:
		_ = tx.Rollback()
		where := d.where
		if d.scope != "" {
			where += fmt.Sprintf(", shop schema %q", d.scope)
		}
		return nil, fmt.Errorf("%w (%s, waited %s): try again when it has finished", driver.ErrBusy, where, d.lockWait)
	case result < 0:
		_ = tx.Rollback()
		return nil, fmt.Errorf("take the originsim lock: sp_getapplock returned %d", result)
	}
	return &txn{tx: tx, d: d, ctx: ctx}, nil
}

// cancelled makes the error of a statement that ended because ctx did say
// so (context.Canceled or DeadlineExceeded), with what the driver said.
func cancelled(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("%w (%v)", ctx.Err(), err)
}

// txn is one operation. The transaction is begun with the operation's
// context: when it ends, database/sql rolls the transaction back and the
// driver cancels the statement running on the server.
type txn struct {
	tx   *sql.Tx
	d    *db
	ctx  context.Context // the operation's (Begin's): Commit honours it
	done bool
}

func (t *txn) Exec(ctx context.Context, query string) error {
	_, err := t.tx.ExecContext(ctx, query)
	return cancelled(ctx, err)
}

// ExecCount runs a statement and reports the rows it matched.
func (t *txn) ExecCount(ctx context.Context, query string) (int64, error) {
	res, err := t.tx.ExecContext(ctx, query)
	if err != nil {
		return 0, cancelled(ctx, err)
	}
	return res.RowsAffected()
}

func (t *txn) Query(ctx context.Context, query string, kinds []model.Kind, fn func(row []any) error) error {
	rows, err := t.tx.QueryContext(ctx, query)
	if err != nil {
		return cancelled(ctx, err)
	}
	return cancelled(ctx, driver.ScanRows(ctx, rows, kinds, fn))
}

// Insert bulk copies the rows into schema.table, inside the transaction.
func (t *txn) Insert(ctx context.Context, schema string, tb *model.Table, rows [][]any) error {
	if err := t.copyIn(ctx, t.d.dialect.Table(schema, tb.Name), tb.Columns, rows); err != nil {
		return fmt.Errorf("bulk copy into %s.%s: %w", schema, tb.Name, cancelled(ctx, err))
	}
	return nil
}

// copyIn bulk copies rows of the given columns into the named table.
// Constraints are checked, so the foreign keys stay trusted.
func (t *txn) copyIn(ctx context.Context, table string, cols []model.Column, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	stmt, err := t.tx.PrepareContext(ctx, mssql.CopyIn(table, mssql.BulkOptions{CheckConstraints: true, KeepNulls: true}, names...))
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, r := range rows {
		vals, err := bulkRow(cols, r)
		if err != nil {
			return err
		}
		if _, err := stmt.ExecContext(ctx, vals...); err != nil {
			return err
		}
	}
	res, err := stmt.ExecContext(ctx) // no values: send the rows
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n != int64(len(rows)) {
		return fmt.Errorf("%d rows copied, %d given", n, len(rows))
	}
	return nil
}

// Update bulk copies the keys and new values into a temporary table and
// sets the columns from it in one statement.
func (t *txn) Update(ctx context.Context, schema string, tb *model.Table, cols []string, rows [][]any) (int64, error) {
	if len(rows) == 0 {
		return 0, nil
	}
	create, update, drop, columns := updateSQL(t.d.dialect, schema, tb, cols)
	if err := t.Exec(ctx, create); err != nil {
		return 0, err
	}
	if err := t.copyIn(ctx, scratchTable, columns, rows); err != nil {
		return 0, fmt.Errorf("bulk copy the updates of %s.%s: %w", schema, tb.Name, cancelled(ctx, err))
	}
	n, err := t.ExecCount(ctx, update)
	if err != nil {
		return 0, err
	}
	return n, t.Exec(ctx, drop)
}

// scratchTable holds one step's updates; it is private to the connection
// and dropped after each use (and with the transaction on a rollback).
const scratchTable = "#originsim_update"

// updateSQL renders the statements of Update: make the scratch table with
// the columns cols (the key first), set tb's columns from it, drop it. It
// also returns the columns, for the bulk copy.
func updateSQL(d *driver.SQL, schema string, tb *model.Table, cols []string) (create, update, drop string, columns []model.Column) {
	defs := make([]string, len(cols))
	set := make([]string, 0, len(cols)-1)
	for i, name := range cols {
		c := tb.Columns[tb.Col(name)]
		columns = append(columns, c)
		null := " NULL"
		if i == 0 {
			null = " NOT NULL PRIMARY KEY"
		} else {
			set = append(set, fmt.Sprintf("%s = v.%s", d.Quote(name), d.Quote(name)))
		}
		defs[i] = d.Quote(name) + " " + d.ColumnType(c) + null
	}
	key := d.Quote(cols[0])
	create = fmt.Sprintf("CREATE TABLE %s (%s)", scratchTable, strings.Join(defs, ", "))
	update = fmt.Sprintf("UPDATE t SET %s\nFROM %s AS t\nJOIN %s AS v ON t.%s = v.%s",
		strings.Join(set, ", "), d.Table(schema, tb.Name), scratchTable, key, key)
	drop = "DROP TABLE " + scratchTable
	return create, update, drop, columns
}

// Commit commits, unless the operation's context has ended: then it
// returns the context's error and the transaction is rolled back.
func (t *txn) Commit() error {
	if err := t.ctx.Err(); err != nil {
		return err
	}
	t.done = true
	return t.tx.Commit()
}

// Rollback is safe to call after Commit (it does nothing then), so callers
// can defer it.
func (t *txn) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	err := t.tx.Rollback()
	if errors.Is(err, sql.ErrTxDone) {
		return nil // a cancelled context already rolled it back
	}
	return err
}
