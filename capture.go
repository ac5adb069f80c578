package originsim

import (
	"context"
	"fmt"
	"slices"
	"strings"

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

// checkCapture refuses, before anything changes, a capture the target
// cannot switch on.
func (s *Simulator) checkCapture(c driver.Capture) error {
	if c == "" {
		return nil
	}
	flag := TermEnableCDC
	if c == driver.ChangeTracking {
		flag = TermChangeTracking
	}
	if cc, ok := s.t.(driver.ChangeCaptureTarget); ok && slices.Contains(cc.Captures(), c) {
		return nil
	}
	why, terms := advice(s.drv.Advice(c))
	if why == "" {
		why = "this target has no change capture to switch on"
	}
	return usageErr("%s does not apply to %s: "+why+"; nothing changed", append([]any{flag, s.t.Dialect().Name()}, terms...)...)
}

// advice makes a driver's advice a format whose {cdc} and
// {change_tracking} are the terms that ask for those captures.
func advice(text string) (string, []any) {
	text = strings.ReplaceAll(text, "%", "%%")
	var terms []any
	for {
		i := strings.Index(text, "{")
		j := strings.Index(text, "}")
		if i < 0 || j < i {
			return text, terms
		}
		switch driver.Capture(text[i+1 : j]) {
		case driver.CDC:
			terms = append(terms, TermEnableCDC)
		case driver.ChangeTracking:
			terms = append(terms, TermChangeTracking)
		default:
			return text, terms
		}
		text = text[:i] + "%s" + text[j+1:]
	}
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
			return fmt.Errorf("%s committed, but %w; %w", op, err, NewError(ErrState, "run %s with the same option again to finish (it changes no data at Day 0)", TermLoadBaseline))
		}
		s.step("Enabled %s", c)
	}
	state, err := cc.CaptureState(ctx, s.tables())
	if err != nil {
		return err
	}
	if st != nil {
		st.Capture, st.CaptureWarning = state.String(), state.Warning
	}
	if state.Warning != "" {
		s.note("%s", state.Warning)
	}
	return nil
}
