package sqlserver

import (
	"fmt"
	"math"
	"time"

	"github.com/originsim/originsim/model"
)

// bulkRow converts a row of normalised values (see model.Normalize) to what
// the driver's bulk copy encodes exactly for each column type: INT from
// int64 (checked to fit), NVARCHAR from string, DECIMAL(10,2) from its
// decimal text (the driver parses it at the column's scale, so no float is
// involved), DATE and DATETIME2(6) from a UTC time.Time whose wall clock is
// written, BIT from bool, and NULL from nil.
func bulkRow(cols []model.Column, row []any) ([]any, error) {
	if len(row) != len(cols) {
		return nil, fmt.Errorf("a row has %d values, the table %d columns", len(row), len(cols))
	}
	out := make([]any, len(row))
	for i, v := range row {
		c := cols[i]
		if v == nil {
			if !c.Nullable {
				return nil, fmt.Errorf("column %s: NULL in a NOT NULL column", c.Name)
			}
			continue
		}
		var ok bool
		switch c.Kind {
		case model.Int:
			var n int64
			if n, ok = v.(int64); ok && (n < math.MinInt32 || n > math.MaxInt32) {
				return nil, fmt.Errorf("column %s: %d does not fit an INT", c.Name, n)
			}
			out[i] = n
		case model.Text:
			out[i], ok = v.(string)
		case model.Decimal:
			var cents model.Cents
			cents, ok = v.(model.Cents)
			out[i] = cents.String()
		case model.Date, model.Timestamp:
			var t time.Time
			t, ok = v.(time.Time)
			// The columns carry no time zone: the driver writes the wall
			// clock, so make it UTC's; DATETIME2(6) keeps microseconds.
			t = t.UTC().Truncate(time.Microsecond)
			if c.Kind == model.Date {
				t = model.Day(t)
			}
			out[i] = t
		case model.Bool:
			out[i], ok = v.(bool)
		}
		if !ok {
			return nil, fmt.Errorf("column %s: cannot write %T as %v", c.Name, v, c.Kind)
		}
	}
	return out, nil
}
