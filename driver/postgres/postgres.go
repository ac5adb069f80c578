// Package postgres is the PostgreSQL target, through pgx's native API on one
// connection: rows go in with COPY (pgx CopyFrom), everything an operation
// does runs in one transaction, DDL included, and an advisory lock held by
// that transaction keeps two operations from interleaving.
//
// URL forms: postgres://user:password@host:port/dbname?sslmode=disable and
// postgresql://..., with any parameter pgx understands. connect_timeout
// (seconds) bounds the time to connect; it defaults to 10. lock_wait
// (seconds, default 10) is originsim's: how long an operation waits for
// another one on the same schemas. The two systems are schemas of the
// named database.
//
// Cancelling an operation's context cancels the statement running on the
// server (a cancel request) and the operation rolls back; the connection
// is kept unless the server does not answer within cancelGrace.
package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// The server targets share these bounds.
const (
	DefaultConnectTimeout = driver.DefaultConnectTimeout
	LockWait              = driver.LockWait
)

// Advisory locks are per database. An operation takes the lock of its
// scope, the shop schema of the pair it works on (driver.URL.LockScope),
// so operations on other pairs go ahead: the two-key lock (scopeClass,
// the scope's 32-bit FNV-1a hash), with lockKey shared. An operation
// without a scope holds the whole database: lockKey exclusive (what every
// operation took before scopes), which waits for the scoped ones and keeps
// them out. Two scopes whose hashes collide only wait for each other.
// PostgreSQL keeps one-key and two-key advisory locks apart.
const (
	lockKey    int64 = 0x6f7269676e73696d // "orignsim"
	scopeClass int32 = 0x6f726967         // "orig"
)

// scopeHash is the second key of a scope's advisory lock.
func scopeHash(scope string) int32 {
	h := fnv.New32a()
	h.Write([]byte(scope))
	return int32(h.Sum32())
}

// cancelGrace is how long a cancelled statement has to end once the
// server is asked to cancel it, before the connection is closed instead.
const cancelGrace = 5 * time.Second

type db struct {
	conn     *pgx.Conn
	database string
	lockWait time.Duration
	scope    string // the shop schema operations lock; "" for the whole database
}

// Open connects to the database named by the URL.
func Open(ctx context.Context, u *driver.URL) (driver.Target, error) {
	if u.Parsed == nil {
		return nil, fmt.Errorf("%w %q: expected postgres://user:password@host:port/dbname", driver.ErrURL, u.Redacted())
	}
	password, _ := u.Parsed.User.Password()
	cfg, lockWait, err := config(u)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		where := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
		if strings.HasPrefix(cfg.Host, "/") {
			where = cfg.Host // a Unix socket folder
		}
		// pgx's own prefix repeats the user and database said here.
		var ce *pgconn.ConnectError
		if errors.As(err, &ce) && errors.Unwrap(ce) != nil {
			err = errors.Unwrap(ce)
		}
		return nil, fmt.Errorf("%w to postgres database %q on %s as user %q: %s", driver.ErrConnect,
			cfg.Database, where, cfg.User, driver.CleanError(err, u.Raw, password))
	}
	return &db{conn: conn, database: cfg.Database, lockWait: lockWait, scope: u.LockScope}, nil
}

// config parses the URL the way pgx does, with a default connect timeout,
// without originsim's lock_wait, which it returns. A cancelled context
// cancels the statement on the server rather than closing the connection.
func config(u *driver.URL) (*pgx.ConnConfig, time.Duration, error) {
	password, _ := u.Parsed.User.Password()
	raw, lockWait := u.Raw, LockWait
	if q := u.Parsed.Query(); q.Has("lock_wait") {
		secs, err := strconv.ParseFloat(q.Get("lock_wait"), 64)
		if err != nil || secs < 0 || math.IsInf(secs, 0) || math.IsNaN(secs) {
			return nil, 0, fmt.Errorf("%w %q: lock_wait must be a number of seconds", driver.ErrURL, u.Redacted())
		}
		lockWait = time.Duration(secs * float64(time.Second))
		q.Del("lock_wait")
		p := *u.Parsed
		p.RawQuery = q.Encode()
		raw = p.String()
	}
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return nil, 0, fmt.Errorf("%w %q: %s", driver.ErrURL, u.Redacted(), driver.CleanError(err, raw, password))
	}
	if !u.Parsed.Query().Has("connect_timeout") && cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: cancelGrace}
	}
	return cfg, lockWait, nil
}

func (d *db) Dialect() driver.Dialect { return Dialect }

func (d *db) Close() error { return d.conn.Close(context.Background()) }

// Begin starts the transaction and takes the originsim advisory locks in
// it, so they are released when the transaction ends, however it ends. It
// polls pg_try_advisory_xact_lock rather than waiting in
// pg_advisory_xact_lock, so the wait is bounded without changing
// lock_timeout for the statements that follow.
func (d *db) Begin(ctx context.Context) (driver.Tx, error) {
	tx, err := d.conn.Begin(ctx)
	if err != nil {
		return nil, cancelled(ctx, err)
	}
	if err := d.lock(ctx, tx); err != nil {
		_ = tx.Rollback(context.Background())
		return nil, cancelled(ctx, err)
	}
	// A load builds its primary keys after the rows, and checks its
	// foreign keys after them unless it may trust them
	// (driver.SQL.KeysAfterLoad, TrustedLoad): room to sort an index and
	// to hash a foreign key check in memory, for this transaction only.
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL work_mem = '128MB'"); err != nil {
		_ = tx.Rollback(context.Background())
		return nil, cancelled(ctx, err)
	}
	return &txn{tx: tx, ctx: ctx}, nil
}

// cancelled makes the error of a statement that ended because ctx did say
// so (context.Canceled or DeadlineExceeded), with what the server said.
func cancelled(ctx context.Context, err error) error {
	if err == nil || ctx.Err() == nil || errors.Is(err, ctx.Err()) {
		return err
	}
	return fmt.Errorf("%w (%v)", ctx.Err(), err)
}

func (d *db) lock(ctx context.Context, tx pgx.Tx) error {
	deadline := time.Now().Add(d.lockWait)
	delay := 20 * time.Millisecond
	// The scope's lock only once the shared one is held: CASE evaluates in
	// order.
	query, args := "SELECT pg_try_advisory_xact_lock($1)", []any{lockKey}
	where := fmt.Sprintf("postgres database %q", d.database)
	if d.scope != "" {
		query = "SELECT CASE WHEN pg_try_advisory_xact_lock_shared($1) THEN pg_try_advisory_xact_lock($2, $3) ELSE false END"
		args = append(args, scopeClass, scopeHash(d.scope))
		where += fmt.Sprintf(", shop schema %q", d.scope)
	}
	for {
		var ok bool
		if err := tx.QueryRow(ctx, query, args...).Scan(&ok); err != nil {
			return fmt.Errorf("take the originsim lock: %w", err)
		}
		if ok {
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("%w (%s, waited %s): try again when it has finished", driver.ErrBusy, where, d.lockWait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(2*delay, 250*time.Millisecond)
	}
}

type txn struct {
	tx   pgx.Tx
	ctx  context.Context // the operation's (Begin's): Commit honours it
	done bool
	buf  []byte // the COPY stream, reused between inserts
}

func (t *txn) Exec(ctx context.Context, query string) error {
	_, err := t.tx.Exec(ctx, query)
	return cancelled(ctx, err)
}

// ExecCount runs a statement and reports the rows it matched.
func (t *txn) ExecCount(ctx context.Context, query string) (int64, error) {
	tag, err := t.tx.Exec(ctx, query)
	if err != nil {
		return 0, cancelled(ctx, err)
	}
	return tag.RowsAffected(), nil
}

func (t *txn) Query(ctx context.Context, query string, kinds []model.Kind, fn func(row []any) error) error {
	return cancelled(ctx, t.query(ctx, query, kinds, fn))
}

func (t *txn) query(ctx context.Context, query string, kinds []model.Kind, fn func(row []any) error) error {
	rows, err := t.tx.Query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	out := make([]any, len(kinds))
	for rows.Next() {
		raw, err := rows.Values()
		if err != nil {
			return err
		}
		if err := driver.NormalizeRow(kinds, raw, out); err != nil {
			return err
		}
		if err := fn(out); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Insert copies the rows in with COPY FROM STDIN (binary), inside the
// transaction, encoded by encodeCopy.
func (t *txn) Insert(ctx context.Context, schema string, tb *model.Table, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	var err error
	if t.buf, err = encodeCopy(t.buf[:0], driver.Kinds(tb), rows); err != nil {
		return fmt.Errorf("copy into %s.%s: %w", schema, tb.Name, err)
	}
	return t.copy(ctx, schema, tb, bytes.NewReader(t.buf), func() int64 { return int64(len(rows)) })
}

// InsertStream is one COPY for all the batches: a goroutine encodes each
// batch while the server takes in the one before.
func (t *txn) InsertStream(ctx context.Context, schema string, tb *model.Table, next func() ([][]any, error)) error {
	kinds := driver.Kinds(tb)
	pr, pw := io.Pipe()
	var rows int64
	encoded := make(chan struct{})
	go func() {
		defer close(encoded)
		buf := append([]byte(nil), copyHeader...)
		for {
			batch, err := next()
			if err == nil && batch != nil {
				buf, err = appendTuples(buf, kinds, batch)
				rows += int64(len(batch))
			}
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			if batch == nil {
				buf = appendTrailer(buf)
			}
			if _, err := pw.Write(buf); err != nil {
				return // the COPY ended early; it reports why
			}
			if batch == nil {
				pw.Close()
				return
			}
			buf = buf[:0]
		}
	}()
	err := t.copy(ctx, schema, tb, pr, func() int64 { return rows }) // read once the stream has ended
	// If the COPY failed, its next Write fails and the encoder stops; it
	// calls next no more once this returns.
	pr.CloseWithError(io.ErrClosedPipe)
	<-encoded
	return err
}

// TrustedLoad reports whether the session may set session_replication_role
// (a superuser, or on PostgreSQL 15 and later a role granted SET on it).
// It asks rather than tries: a refused SET would abort the transaction.
func (t *txn) TrustedLoad(ctx context.Context) (bool, error) {
	var version int
	var super bool
	err := t.tx.QueryRow(ctx, "SELECT current_setting('server_version_num')::int, current_setting('is_superuser') = 'on'").Scan(&version, &super)
	if err != nil || super || version < 150000 {
		return super, err
	}
	var may bool
	err = t.tx.QueryRow(ctx, "SELECT has_parameter_privilege('session_replication_role', 'SET')").Scan(&may)
	return may, err
}

// Unchecked runs fn with session_replication_role = replica, for this
// transaction only, as a data-only restore with triggers disabled does:
// the foreign keys' triggers do not fire for the copied rows. DEFAULT
// puts back the value the session started with (originsim sets it
// nowhere else), so what follows in the transaction is checked as usual.
func (t *txn) Unchecked(ctx context.Context, fn func() error) error {
	if _, err := t.tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		return err
	}
	_, err := t.tx.Exec(ctx, "SET LOCAL session_replication_role = DEFAULT")
	return err
}

// copy runs COPY FROM STDIN (binary) with r as the data; want is the
// number of rows it must report.
func (t *txn) copy(ctx context.Context, schema string, tb *model.Table, r io.Reader, want func() int64) error {
	cols := make([]string, len(tb.Columns))
	for i, c := range tb.Columns {
		cols[i] = pgx.Identifier{c.Name}.Sanitize()
	}
	sql := fmt.Sprintf("COPY %s (%s) FROM STDIN BINARY", pgx.Identifier{schema, tb.Name}.Sanitize(), strings.Join(cols, ", "))
	tag, err := t.tx.Conn().PgConn().CopyFrom(ctx, r, sql)
	if err != nil {
		return fmt.Errorf("copy into %s.%s: %w", schema, tb.Name, cancelled(ctx, err))
	}
	if n := tag.RowsAffected(); n != want() {
		return fmt.Errorf("copy into %s.%s: %d rows copied, %d given", schema, tb.Name, n, want())
	}
	return nil
}

// Commit commits, unless the operation's context has ended: then it
// returns the context's error and Rollback, which the caller defers,
// undoes everything.
func (t *txn) Commit() error {
	if err := t.ctx.Err(); err != nil {
		return err
	}
	t.done = true
	return t.tx.Commit(context.Background())
}

// Rollback is safe to call after Commit (it does nothing then), so callers
// can defer it.
func (t *txn) Rollback() error {
	if t.done {
		return nil
	}
	t.done = true
	err := t.tx.Rollback(context.Background())
	if errors.Is(err, pgx.ErrTxClosed) {
		return nil
	}
	return err
}
