package driver

import (
	"context"
	"fmt"
	"strings"

	"github.com/originsim/originsim/model"
)

// Capture is a database's own change capture.
type Capture string

const (
	// CDC is change data capture: the changes of every row, read from
	// change tables.
	CDC Capture = "cdc"
	// ChangeTracking records which rows changed, not their values.
	ChangeTracking Capture = "change_tracking"
)

// CaptureState is which capture is on for the simulator's tables.
type CaptureState struct {
	Tables int // the tables asked about
	// CDC and ChangeTracking count the tables each is on for.
	CDC, ChangeTracking int
	// Warning says why a capture that is on cannot be read yet (on
	// PostgreSQL: a wal_level other than logical); empty when it can.
	Warning string
}

// On reports whether capture c is on for at least one table.
func (s CaptureState) On(c Capture) bool {
	if c == CDC {
		return s.CDC > 0
	}
	return s.ChangeTracking > 0
}

// String is "cdc", "change_tracking", both joined by ", ", a count when
// only some tables have it, or "" when none is on.
func (s CaptureState) String() string {
	var parts []string
	for _, c := range []struct {
		name string
		n    int
	}{{string(CDC), s.CDC}, {string(ChangeTracking), s.ChangeTracking}} {
		switch {
		case c.n == 0:
		case c.n == s.Tables:
			parts = append(parts, c.name)
		default:
			parts = append(parts, fmt.Sprintf("%s (%d of %d tables)", c.name, c.n, s.Tables))
		}
	}
	return strings.Join(parts, ", ")
}

// ChangeCaptureTarget is implemented by a Target that can switch on its
// database's own change capture for the simulator's tables. Both methods
// run outside any operation's transaction (SQL Server refuses to enable
// CDC inside one), after the tables exist.
type ChangeCaptureTarget interface {
	// Captures lists the captures the target can switch on; others are
	// refused before anything changes.
	Captures() []Capture
	// EnableCapture turns c on for the database(s) and for each table
	// (schema names the system's schema, or database, as elsewhere). It
	// does nothing for what is on already.
	EnableCapture(ctx context.Context, c Capture, tables []SchemaTable) error
	// CaptureState reports which capture is on for the tables.
	CaptureState(ctx context.Context, tables []SchemaTable) (CaptureState, error)
}

// SchemaTable is one table of a system.
type SchemaTable struct {
	Schema string
	Table  *model.Table
}
