// Package gen is the deterministic generator: pure functions, no I/O. A row
// is computed from the seed, its table, its day and its index, and every day
// is a changeset computed from the state the previous days left.
package gen

import (
	"errors"
	"fmt"
	"time"
)

// Version is bumped whenever the generated data changes on purpose. It is
// recorded in the ledger: a database made by another data version is not
// verified against this one.
const Version = 2

// DefaultSeed is the seed when none is given.
const DefaultSeed uint64 = 42

// DefaultStart is the default simulated date of Day 0.
var DefaultStart = time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)

// MaxDay is the last day the simulation can play.
const MaxDay = 3650

// MaxScale bounds the scale factor.
const MaxScale = 100000

// Config fixes what the generator produces: the same Config gives the same
// data, byte for byte.
type Config struct {
	Seed  uint64
	Start time.Time // the date of Day 0, UTC midnight
	Scale int       // 1 is exactly the documented contract
	// HardDeletes makes the days' departures and cancellations real
	// deletes: a customer who leaves is deleted with all their orders, a
	// cancelled order with its items. Everything else (the rows, their
	// values, which rows leave) is the same as with soft deletes. Products
	// and campaigns stay soft-deleted: order items and emails refer to
	// them. Day 0 is the same in both modes.
	HardDeletes bool
}

// Default is the configuration of the documented contract.
func Default() Config { return Config{Seed: DefaultSeed, Start: DefaultStart, Scale: 1} }

// ErrConfig is wrapped by configuration errors.
var ErrConfig = errors.New("invalid configuration")

// Validate checks the configuration.
func (c Config) Validate() error {
	if c.Scale < 1 || c.Scale > MaxScale {
		return fmt.Errorf("%w: scale %d: must be between 1 and %d", ErrConfig, c.Scale, MaxScale)
	}
	if c.Start.IsZero() || !c.Start.Equal(dateOnly(c.Start)) || c.Start.Location() != time.UTC {
		return fmt.Errorf("%w: start date must be a UTC date at midnight", ErrConfig)
	}
	return checkStartYear(c.Start)
}

// The start date's years: from 1971, so every timestamp is after the Unix
// epoch (change events count from it), to 2200.
const minStartYear, maxStartYear = 1971, 2200

func checkStartYear(t time.Time) error {
	if y := t.Year(); y < minStartYear || y > maxStartYear {
		return fmt.Errorf("%w: start date %s: the year must be between %d and %d", ErrConfig, t.Format("2006-01-02"), minStartYear, maxStartYear)
	}
	return nil
}

// ParseStart parses a YYYY-MM-DD start date, in the years Validate
// accepts. A date given is never the zero time, which callers read as
// "not set": 0001-01-01 is refused, not taken for the default.
func ParseStart(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: start date %q: use YYYY-MM-DD", ErrConfig, s)
	}
	if err := checkStartYear(t); err != nil {
		return time.Time{}, err
	}
	return t, nil
}

func dateOnly(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// DayDate is the simulated date of day n.
func (c Config) DayDate(n int) time.Time { return c.Start.AddDate(0, 0, n) }

const day = 24 * time.Hour

// spread places event i of n evenly in [from, to), with jitter inside its
// own slice, to the microsecond: events keep their index order in time.
func spread(from, to time.Time, i, n int, r *rng) time.Time {
	span := to.Sub(from).Microseconds()
	step := span / int64(n)
	us := int64(i) * step
	if step > 1 {
		us += r.int63n(step)
	}
	return from.Add(time.Duration(us) * time.Microsecond)
}
