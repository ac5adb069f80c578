// Package postgres is the PostgreSQL target, through pgx's native API on one
// connection: rows go in with COPY (pgx CopyFrom), everything an operation
// does runs in one transaction, DDL included, and an advisory lock held by
// that transaction keeps two operations from interleaving.
//
// URL forms: postgres://user:password@host:port/dbname?sslmode=disable and
// postgresql://..., with any parameter pgx understands. connect_timeout
// (seconds) bounds the time to connect; it defaults to 10. The two systems
// are schemas of the named database.
package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// The server targets share these bounds.
const (
	DefaultConnectTimeout = driver.DefaultConnectTimeout
	LockWait              = driver.LockWait
)

// lockKey is the advisory lock every originsim operation takes. Advisory
// locks are per database, so operations on one database are serialised,
// whatever schemas they use: Begin does not know the schemas, and an
// operation is short.
const lockKey int64 = 0x6f7269676e73696d // "orignsim"

type db struct {
	conn     *pgx.Conn
	database string
	lockWait time.Duration
}

// Open connects to the database named by the URL.
func Open(ctx context.Context, u *driver.URL) (driver.Target, error) {
	if u.Parsed == nil {
		return nil, fmt.Errorf("%w %q: expected postgres://user:password@host:port/dbname", driver.ErrURL, u.Redacted())
	}
	password, _ := u.Parsed.User.Password()
	cfg, err := config(u)
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
	return &db{conn: conn, database: cfg.Database, lockWait: LockWait}, nil
}

// config parses the URL the way pgx does, with a default connect timeout.
func config(u *driver.URL) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(u.Raw)
	if err != nil {
		password, _ := u.Parsed.User.Password()
		return nil, fmt.Errorf("%w %q: %s", driver.ErrURL, u.Redacted(), driver.CleanError(err, u.Raw, password))
	}
	if !u.Parsed.Query().Has("connect_timeout") && cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	return cfg, nil
}

func (d *db) Dialect() driver.Dialect { return Dialect }

func (d *db) Close() error { return d.conn.Close(context.Background()) }

// Begin starts the transaction and takes the originsim advisory lock in it,
// so it is released when the transaction ends, however it ends. It polls
// pg_try_advisory_xact_lock rather than waiting in pg_advisory_xact_lock,
// so the wait is bounded without changing lock_timeout for the statements
// that follow.
func (d *db) Begin(ctx context.Context) (driver.Tx, error) {
	tx, err := d.conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	if err := d.lock(ctx, tx); err != nil {
		_ = tx.Rollback(context.Background())
		return nil, err
	}
	// A load builds its primary keys after the rows, and checks its
	// foreign keys after them unless it may trust them
	// (driver.SQL.KeysAfterLoad, TrustedLoad): room to sort an index and
	// to hash a foreign key check in memory, for this transaction only.
	if _, err := tx.Exec(ctx, "SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL work_mem = '128MB'"); err != nil {
		_ = tx.Rollback(context.Background())
		return nil, err
	}
	return &txn{tx: tx}, nil
}

func (d *db) lock(ctx context.Context, tx pgx.Tx) error {
	deadline := time.Now().Add(d.lockWait)
	delay := 20 * time.Millisecond
	for {
		var ok bool
		if err := tx.QueryRow(ctx, "SELECT pg_try_advisory_xact_lock($1)", lockKey).Scan(&ok); err != nil {
			return fmt.Errorf("take the originsim lock: %w", err)
		}
		if ok {
			return nil
		}
		if !time.Now().Before(deadline) {
			return fmt.Errorf("%w (postgres database %q, waited %s): try again when it has finished", driver.ErrBusy, d.database, d.lockWait)
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
	done bool
	buf  []byte // the COPY stream, reused between inserts
}

func (t *txn) Exec(ctx context.Context, query string) error {
	_, err := t.tx.Exec(ctx, query)
	return err
}

func (t *txn) Query(ctx context.Context, query string, kinds []model.Kind, fn func(row []any) error) error {
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
		return fmt.Errorf("copy into %s.%s: %w", schema, tb.Name, err)
	}
	if n := tag.RowsAffected(); n != want() {
		return fmt.Errorf("copy into %s.%s: %d rows copied, %d given", schema, tb.Name, n, want())
	}
	return nil
}

func (t *txn) Commit() error {
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
