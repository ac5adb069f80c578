package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"math"
	"time"
	"unicode/utf8"

	"github.com/originsim/originsim/driver"
)

// Named locks (GET_LOCK) are server-wide and only exclusive. An operation
// holds the lock of its scope, the shop database of the pair it works on
// (driver.URL.LockScope), so operations on other pairs go ahead. An
// operation without a scope holds the whole server, as every operation did
// before scopes; it must also keep out, and wait for, the scoped ones. For
// that a scoped operation holds one of lockSlots slot locks while it runs,
// taken while it holds the gate lock for a moment; an operation on the
// whole server holds the gate and then every slot. So:
//   - two operations on one pair: the scope lock keeps them apart;
//   - a whole-server operation and a scoped one: the slot the scoped one
//     holds, or the gate the whole-server one holds;
//   - two scoped operations on different pairs: nothing, unless lockSlots
//     of them run at once (the next waits for a slot).
//
// The gate is the lock older versions of originsim took for everything.
const (
	gateLock  = "originsim"
	lockSlots = 32
	// maxLockName is MySQL's limit on a lock name, in characters.
	maxLockName = 64
)

// scopeLock is the name of the lock of a scope: "originsim:" and the
// scope. A name too long for MySQL keeps its beginning and ends with a
// 64-bit hash of the whole scope; two scopes whose names share the
// beginning and the hash would only wait for each other.
func scopeLock(scope string) string {
	name := "originsim:" + scope
	if len(name) <= maxLockName { // bytes: never more characters than that
		return name
	}
	h := fnv.New64a()
	h.Write([]byte(scope))
	suffix := fmt.Sprintf("~%016x", h.Sum64())
	cut := maxLockName - len(suffix)
	for cut > 0 && !utf8.RuneStart(name[cut]) {
		cut--
	}
	return name[:cut] + suffix
}

func slotLock(i int) string { return fmt.Sprintf("originsim#%d", i) }

// lock takes the locks of an operation (see gateLock), waiting at most
// d.lockWait in all, and fails with driver.ErrBusy when that runs out.
func (d *db) lock(ctx context.Context) error {
	deadline := time.Now().Add(d.lockWait)
	left := func() time.Duration { return max(0, time.Until(deadline)) }
	fail := func(err error) error {
		if rerr := d.release(context.Background()); rerr != nil && err == nil {
			err = rerr
		}
		return err
	}
	if d.scope == "" {
		names := []string{gateLock}
		for i := range lockSlots {
			names = append(names, slotLock(i))
		}
		for _, name := range names {
			if err := d.getLock(ctx, name, left()); err != nil {
				return fail(err)
			}
		}
		return nil
	}
	if err := d.getLock(ctx, scopeLock(d.scope), left()); err != nil {
		return fail(err)
	}
	delay := 20 * time.Millisecond
	for {
		if err := d.getLock(ctx, gateLock, left()); err != nil {
			return fail(err)
		}
		for i := range lockSlots {
			got, err := d.tryLock(ctx, slotLock(i), 0)
			if err != nil {
				return fail(err)
			}
			if got {
				if err := d.exec(ctx, d.main, "DO RELEASE_LOCK(?)", gateLock); err != nil {
					return fail(err)
				}
				return nil
			}
		}
		// Every slot is taken: let a whole-server operation in, and try
		// again.
		if err := d.exec(ctx, d.main, "DO RELEASE_LOCK(?)", gateLock); err != nil {
			return fail(err)
		}
		if left() == 0 {
			return fail(d.busy())
		}
		select {
		case <-ctx.Done():
			return fail(ctx.Err())
		case <-time.After(min(delay, left())):
		}
		delay = min(2*delay, 250*time.Millisecond)
	}
}

// getLock takes a named lock, waiting at most wait (in whole seconds,
// rounded up, as GET_LOCK counts), or fails with ErrBusy.
func (d *db) getLock(ctx context.Context, name string, wait time.Duration) error {
	got, err := d.tryLock(ctx, name, int(math.Ceil(wait.Seconds())))
	if err == nil && !got {
		err = d.busy()
	}
	return err
}

// tryLock runs GET_LOCK(name, secs).
func (d *db) tryLock(ctx context.Context, name string, secs int) (bool, error) {
	var got sql.NullInt64
	err := d.run(ctx, d.main, func(ctx context.Context) error {
		return d.main.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", name, secs).Scan(&got)
	})
	if err != nil {
		return false, fmt.Errorf("take the originsim lock: %w", err)
	}
	return got.Valid && got.Int64 == 1, nil
}

func (d *db) busy() error {
	what := "mysql server " + d.server
	if d.scope != "" {
		what += fmt.Sprintf(", shop database %q", d.scope)
	}
	return fmt.Errorf("%w (%s, waited %s): try again when it has finished", driver.ErrBusy, what, d.lockWait)
}

// release releases every named lock of the connection.
func (d *db) release(ctx context.Context) error {
	_, err := d.main.ExecContext(ctx, "DO RELEASE_ALL_LOCKS()")
	return err
}
