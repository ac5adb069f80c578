package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"
	"time"
)

// Cents is a DECIMAL(10,2) value as a whole number of hundredths, so money is
// exact everywhere: in the generator, on every target and in fingerprints.
type Cents int64

func (c Cents) String() string {
	sign := ""
	v := int64(c)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// ParseCents reads a decimal such as "1299.99", "12.5", "-3" or "7.000".
// Digits beyond the second decimal must be zero: money is never rounded here.
func ParseCents(s string) (Cents, error) {
	in := s
	neg := false
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	} else if strings.HasPrefix(s, "+") {
		s = s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, fmt.Errorf("invalid decimal %q", in)
	}
	if whole == "" {
		whole = "0"
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 {
		return 0, fmt.Errorf("invalid decimal %q", in)
	}
	for len(frac) > 2 && frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	if len(frac) > 2 {
		return 0, fmt.Errorf("decimal %q has more than two decimals", in)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("invalid decimal %q", in)
	}
	v := w*100 + f
	if neg {
		v = -v
	}
	return Cents(v), nil
}

// Day returns the UTC midnight of t's date.
func Day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

const (
	dateLayout      = "2006-01-02"
	timestampLayout = "2006-01-02 15:04:05.000000"
)

// Canonical renders one value of a column kind as the canonical text used by
// fingerprints: NULL as \N, decimals with two places, dates as YYYY-MM-DD,
// timestamps with six fractional digits, booleans as t/f. Values must already
// be normalised (see Normalize).
func Canonical(k Kind, v any) string {
	if v == nil {
		return `\N`
	}
	switch k {
	case Int:
		return strconv.FormatInt(v.(int64), 10)
	case Text:
		return escapeText(v.(string))
	case Decimal:
		return v.(Cents).String()
	case Date:
		return v.(time.Time).Format(dateLayout)
	case Timestamp:
		return v.(time.Time).Format(timestampLayout)
	case Bool:
		if v.(bool) {
			return "t"
		}
		return "f"
	}
	panic(fmt.Sprintf("model: unknown kind %v", k))
}

// escapeText keeps the canonical line format unambiguous.
func escapeText(s string) string {
	if !strings.ContainsAny(s, "\\\t\n") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`)
	return r.Replace(s)
}

// Normalize converts a value read from a database driver into the value type
// of the column kind: int64, string, Cents, time.Time (UTC) or bool; nil for
// NULL. Drivers differ (int32 vs int64, []byte vs string, decimals as text),
// targets rely on this one conversion.
func Normalize(k Kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	switch k {
	case Int:
		switch x := v.(type) {
		case int64:
			return x, nil
		case int32:
			return int64(x), nil
		case int:
			return int64(x), nil
		case int16:
			return int64(x), nil
		case int8:
			return int64(x), nil
		case uint8:
			return int64(x), nil
		case string:
			return strconv.ParseInt(x, 10, 64)
		}
	case Text:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case Decimal:
		switch x := v.(type) {
		case Cents:
			return x, nil
		case string:
			return ParseCents(x)
		case fmt.Stringer:
			return ParseCents(x.String())
		}
	case Date, Timestamp:
		if t, ok := v.(time.Time); ok {
			// The columns carry no time zone: keep the wall clock as UTC.
			y, mo, d := t.Date()
			h, mi, s := t.Clock()
			u := time.Date(y, mo, d, h, mi, s, t.Nanosecond()/1000*1000, time.UTC)
			if k == Date {
				u = Day(u)
			}
			return u, nil
		}
	case Bool:
		switch x := v.(type) {
		case bool:
			return x, nil
		case int64:
			return x != 0, nil
		case int32:
			return x != 0, nil
		case uint8:
			return x != 0, nil
		case string:
			return strconv.ParseBool(x)
		}
	}
	return nil, fmt.Errorf("cannot read %T as %v", v, k)
}

// Hasher computes a table fingerprint: SHA-256 over the canonical text of
// every row, one line per row, in key order. Feeding rows out of key order
// gives a different fingerprint, which is the point.
type Hasher struct {
	t    *Table
	h    hash.Hash
	rows int64
	buf  []byte
}

// NewHasher starts a fingerprint of table t.
func NewHasher(t *Table) *Hasher { return &Hasher{t: t, h: sha256.New()} }

// Add hashes one row of normalised values in column order.
func (f *Hasher) Add(row []any) {
	f.buf = f.buf[:0]
	for i, c := range f.t.Columns {
		if i > 0 {
			f.buf = append(f.buf, '\t')
		}
		f.buf = append(f.buf, Canonical(c.Kind, row[i])...)
	}
	f.buf = append(f.buf, '\n')
	f.h.Write(f.buf)
	f.rows++
}

// Sum returns the fingerprint as hex.
func (f *Hasher) Sum() string { return hex.EncodeToString(f.h.Sum(nil)) }

// Rows is how many rows were added.
func (f *Hasher) Rows() int64 { return f.rows }
