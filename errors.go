package originsim

import (
	"errors"
	"fmt"

	"github.com/originsim/originsim/driver"
)

// Errors callers branch on. The CLI maps them to exit codes.
var (
	// ErrNotLoaded: the database has no originsim data yet.
	ErrNotLoaded = errors.New("no originsim data found")
	// ErrState: the operation does not fit the recorded state (wrong day,
	// already applied, tables the tool does not own).
	ErrState = errors.New("state conflict")
	// ErrUsage: a bad argument.
	ErrUsage = errors.New("invalid argument")
	// ErrMismatch: verify found differences.
	ErrMismatch = errors.New("verification failed")
	// Re-exported from target.
	ErrConnect = driver.ErrConnect
	ErrURL     = driver.ErrURL
	ErrBusy    = driver.ErrBusy
)

func stateErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrState, fmt.Sprintf(format, a...))
}

func usageErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, a...))
}
