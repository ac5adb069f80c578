package driver

import (
	"context"
	"database/sql"
	sqldriver "database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/originsim/originsim/model"
)

// NormalizeRow converts one row of driver values into out, by column kind
// (see model.Normalize).
func NormalizeRow(kinds []model.Kind, raw, out []any) error {
	if len(raw) != len(kinds) {
		return fmt.Errorf("query returned %d columns, expected %d", len(raw), len(kinds))
	}
	for i, k := range kinds {
		v, err := model.Normalize(k, raw[i])
		if err != nil {
			return err
		}
		out[i] = v
	}
	return nil
}

// ScanRows reads database/sql rows for Tx.Query: each row normalised to
// the kinds and passed to fn (the slice is reused). It stops when ctx ends.
func ScanRows(ctx context.Context, rows *sql.Rows, kinds []model.Kind, fn func(row []any) error) error {
	defer rows.Close()
	raw := make([]any, len(kinds))
	ptrs := make([]any, len(kinds))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	out := make([]any, len(kinds))
	for rows.Next() {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := NormalizeRow(kinds, raw, out); err != nil {
			return err
		}
		if err := fn(out); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Connect opens one connection through a database/sql connector and runs
// the session statements on it, all within timeout (a driver's own timeout
// often bounds only the dial). Running out of time is said as such.
func Connect(ctx context.Context, connector sqldriver.Connector, timeout time.Duration, session []string) (*sql.DB, *sql.Conn, error) {
	sdb := sql.OpenDB(connector)
	cctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		cctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	conn, err := sdb.Conn(cctx)
	if err == nil {
		for _, s := range session {
			if _, err = conn.ExecContext(cctx, s); err != nil {
				conn.Close()
				break
			}
		}
	}
	if err != nil {
		sdb.Close()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			err = fmt.Errorf("no answer within %s (connect_timeout)", timeout)
		}
		return nil, nil, err
	}
	return sdb, conn, nil
}
