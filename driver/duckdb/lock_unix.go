//go:build !windows

package duckdb

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes an exclusive lock (flock) on f without waiting; it tells
// whether it got it. The lock goes when f is closed or the process dies.
func tryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

// lockedElsewhere tells whether another process holds a lock on the file
// at path, as DuckDB does (fcntl) on a database it has open. It takes no
// lock itself; closing its descriptor would drop any this process held on
// the file, so it is only asked of a file no DuckDB of this process has
// open.
func lockedElsewhere(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return false, err
	}
	return lk.Type != syscall.F_UNLCK, nil
}

// canStage: a new database is built beside its file and renamed into place.
const canStage = true
