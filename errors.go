package originsim

import (
	"errors"
	"fmt"
	"slices"

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
	// Re-exported from driver.
	ErrConnect = driver.ErrConnect
	ErrURL     = driver.ErrURL
	ErrBusy    = driver.ErrBusy
)

// Term is something a caller chooses or runs that an error message names:
// an option, the schema names, an operation. The library names it as a Go
// program does (BaselineOptions.Adopt, ApplyDelta); a front end renders
// the message with its own names through Error.Render (the command line's
// --adopt, apply-delta --day).
type Term string

// The terms the library's messages use.
const (
	TermAdopt          Term = "BaselineOptions.Adopt"
	TermDeletes        Term = "BaselineOptions.Deletes"
	TermEnableCDC      Term = "BaselineOptions.EnableCDC"
	TermChangeTracking Term = "BaselineOptions.ChangeTracking"
	TermSchemas        Term = "WithSchemas"
	TermCRMSchema      Term = "the CRM schema (WithSchemas)"
	TermLoadBaseline   Term = "LoadBaseline"
	TermReset          Term = "Reset"
	TermApplyDay       Term = "ApplyDelta for day"
	TermThrough        Term = "ApplyThrough to day"
	TermForce          Term = "Options.Force"
)

// Error is an error of the library whose message names Terms. It wraps its
// kind (ErrUsage, ErrState, ErrNotLoaded).
type Error struct {
	Kind   error
	format string
	args   []any
	cause  error // another error it wraps, or nil
}

// NewError is an Error of the given kind; Term arguments are named by
// Render.
func NewError(kind error, format string, a ...any) *Error {
	return &Error{Kind: kind, format: format, args: a}
}

// Error names the terms as the library does.
func (e *Error) Error() string { return e.Render(func(t Term) string { return string(t) }) }

// Unwrap returns the kind, and the cause when there is one.
func (e *Error) Unwrap() []error {
	if e.cause == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.cause}
}

// Render is the message with each term named by name.
func (e *Error) Render(name func(Term) string) string {
	args := slices.Clone(e.args)
	for i, a := range args {
		if t, ok := a.(Term); ok {
			args[i] = name(t)
		}
	}
	msg := fmt.Sprintf(e.format, args...)
	if e.Kind == ErrNotLoaded {
		return e.Kind.Error() + msg // "no originsim data found in ..."
	}
	return e.Kind.Error() + ": " + msg
}

func stateErr(format string, a ...any) error { return NewError(ErrState, format, a...) }

func usageErr(format string, a ...any) error { return NewError(ErrUsage, format, a...) }

// notLoaded is ErrNotLoaded; format starts after "no originsim data found".
func notLoaded(format string, a ...any) error { return NewError(ErrNotLoaded, format, a...) }
