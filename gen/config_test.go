package gen

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// A start date given is taken or refused, never read as unset:
// 0001-01-01 is the zero time, which the operations take for "the default"
// and loaded 2025-01-01.
func TestParseStart(t *testing.T) {
	for in, want := range map[string]time.Time{
		"2025-01-01": DefaultStart,
		"1971-01-01": time.Date(1971, 1, 1, 0, 0, 0, 0, time.UTC),
		"2200-12-31": time.Date(2200, 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		got, err := ParseStart(in)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseStart(%q) = %v, %v", in, got, err)
		}
		if err := (Config{Seed: 1, Start: got, Scale: 1}).Validate(); err != nil {
			t.Errorf("ParseStart(%q) gives a start Validate refuses: %v", in, err)
		}
	}
	for in, says := range map[string]string{
		"0001-01-01": "between 1971 and 2200", "1970-12-31": "between 1971 and 2200", "2201-01-01": "between 1971 and 2200",
		"9999-12-31": "between 1971 and 2200", "": "YYYY-MM-DD", "2025-02-30": "YYYY-MM-DD", "25-01-01": "YYYY-MM-DD",
	} {
		got, err := ParseStart(in)
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), says) || !got.IsZero() {
			t.Errorf("ParseStart(%q) = %v, %v; want an error saying %q", in, got, err, says)
		}
	}
}
