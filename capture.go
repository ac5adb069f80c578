package originsim

import (
	"context"
	"fmt"
	"slices"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// capture is the database's own change capture the options ask for, or
// "" for none: ChangeTracking selects change tracking, with or without
// EnableCDC; EnableCDC alone selects CDC.
func (o BaselineOptions) capture() driver.Capture {
	switch {
	case o.ChangeTracking:
		return driver.ChangeTracking
	case o.EnableCDC:
		return driver.CDC
	}
	return ""
}

// noCapture says, for the targets without change capture of their own to
// switch on, what comes nearest. A target that implements
// driver.ChangeCaptureTarget is asked instead.
var noCapture = map[string]string{
	"duckdb": "DuckDB has no change capture to switch on; read each day's changes with updated_at > <last watermark> (every row a day writes carries that day's timestamps), or diff two exports",
	"mysql": "MySQL and MariaDB capture changes in the binary log, which is server configuration (log_bin on, binlog_format=ROW, binlog_row_image=FULL): " +
		"set it on the server; every originsim write then appears there",
	"postgres change_tracking": "change tracking is SQL Server's; PostgreSQL's nearest is logical replication, which --enable-cdc sets up (REPLICA IDENTITY FULL and a publication)",
}

// checkCapture refuses, before anything changes, a capture the target
// cannot switch on.
func (s *Simulator) checkCapture(c driver.Capture) error {
	if c == "" {
		return nil
	}
	flag := "--enable-cdc"
	if c == driver.ChangeTracking {
		flag = "--change-tracking"
	}
	name := s.t.Dialect().Name()
	if cc, ok := s.t.(driver.ChangeCaptureTarget); ok {
		if slices.Contains(cc.Captures(), c) {
			return nil
		}
		if why, ok := noCapture[name+" "+string(c)]; ok {
			return usageErr("%s does not apply to %s: %s; nothing changed", flag, name, why)
		}
	}
	why, ok := noCapture[name]
	if !ok {
		why = "this target has no change capture to switch on"
	}
	return usageErr("%s does not apply to %s: %s; nothing changed", flag, name, why)
}

// tables are the eight tables of the two systems.
func (s *Simulator) tables() []driver.SchemaTable {
	out := make([]driver.SchemaTable, 0, model.NumTables)
	for _, t := range model.Tables() {
		out = append(out, driver.SchemaTable{Schema: s.schemas.Of(t.System), Table: t})
	}
	return out
}

// captureState reads which capture is on, or nil when the target has none
// of its own.
func (s *Simulator) captureState(ctx context.Context) (*driver.CaptureState, error) {
	cc, ok := s.t.(driver.ChangeCaptureTarget)
	if !ok {
		return nil, nil
	}
	st, err := cc.CaptureState(ctx, s.tables())
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// enableCapture switches the captures on once the operation has committed
// (SQL Server enables CDC only outside a transaction) and records the
// result in st. A failure leaves the data committed and says how to retry.
func (s *Simulator) enableCapture(ctx context.Context, st *Status, op string, cs ...driver.Capture) error {
	cc, ok := s.t.(driver.ChangeCaptureTarget)
	if !ok {
		return nil
	}
	for _, c := range cs {
		if c == "" {
			continue
		}
		s.section("Enabling %s on the eight tables...", c)
		if err := cc.EnableCapture(ctx, c, s.tables()); err != nil {
			return fmt.Errorf("%s committed, but %w; run load-baseline with the same flag again to finish (it changes no data at Day 0)", op, err)
		}
		s.step("Enabled %s", c)
	}
	state, err := cc.CaptureState(ctx, s.tables())
	if err != nil {
		return err
	}
	if st != nil {
		st.Capture = state.String()
	}
	return nil
}
