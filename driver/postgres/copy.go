package postgres

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/originsim/originsim/model"
)

// COPY's binary format, written directly: pgx's generic encoder plans every
// value on its own and allocates for each decimal, which made it the
// bottleneck of a load. The layout is PostgreSQL's (see the COPY
// documentation, "Binary Format", and numeric_send / timestamp_send).

// copyHeader is the signature, the flags and the header extension length.
var copyHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// pgEpoch is 2000-01-01, where PostgreSQL counts dates and timestamps from.
const pgEpochUnix = 946684800

// encodeCopy appends rows, values normalised (see model.Normalize) in the
// order of kinds, as one binary COPY stream: header, tuples, trailer.
func encodeCopy(buf []byte, kinds []model.Kind, rows [][]any) ([]byte, error) {
	buf, err := appendTuples(append(buf, copyHeader...), kinds, rows)
	if err != nil {
		return nil, err
	}
	return appendTrailer(buf), nil
}

// appendTuples appends the rows of a COPY stream.
func appendTuples(buf []byte, kinds []model.Kind, rows [][]any) ([]byte, error) {
	for _, row := range rows {
		if len(row) != len(kinds) {
			return nil, fmt.Errorf("row has %d values, the table %d columns", len(row), len(kinds))
		}
		buf = binary.BigEndian.AppendUint16(buf, uint16(len(kinds)))
		for i, v := range row {
			if v == nil {
				buf = binary.BigEndian.AppendUint32(buf, 0xffffffff) // -1: NULL
				continue
			}
			var err error
			if buf, err = appendValue(buf, kinds[i], v); err != nil {
				return nil, err
			}
		}
	}
	return buf, nil
}

// appendTrailer ends a COPY stream.
func appendTrailer(buf []byte) []byte { return binary.BigEndian.AppendUint16(buf, 0xffff) }

func appendValue(buf []byte, k model.Kind, v any) ([]byte, error) {
	switch k {
	case model.Int:
		n, ok := v.(int64)
		if !ok || n != int64(int32(n)) {
			return nil, fmt.Errorf("value %v does not fit an INTEGER column", v)
		}
		buf = binary.BigEndian.AppendUint32(buf, 4)
		return binary.BigEndian.AppendUint32(buf, uint32(int32(n))), nil
	case model.Text:
		s := v.(string)
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(s)))
		return append(buf, s...), nil
	case model.Decimal:
		return appendNumeric(buf, v.(model.Cents)), nil
	case model.Date:
		buf = binary.BigEndian.AppendUint32(buf, 4)
		return binary.BigEndian.AppendUint32(buf, uint32(int32(floorDiv(wallUnix(v.(time.Time))-pgEpochUnix, 86400)))), nil
	case model.Timestamp:
		t := v.(time.Time)
		// The wall clock, to the microsecond, as a timestamp without zone.
		us := (wallUnix(t)-pgEpochUnix)*1_000_000 + int64(t.Nanosecond()/1000)
		buf = binary.BigEndian.AppendUint32(buf, 8)
		return binary.BigEndian.AppendUint64(buf, uint64(us)), nil
	case model.Bool:
		buf = binary.BigEndian.AppendUint32(buf, 1)
		if v.(bool) {
			return append(buf, 1), nil
		}
		return append(buf, 0), nil
	}
	return nil, fmt.Errorf("postgres: no COPY encoding for %v", k)
}

// wallUnix is the seconds since 1970 of t's wall clock read as UTC.
func wallUnix(t time.Time) int64 {
	_, offset := t.Zone()
	return t.Unix() + int64(offset)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// appendNumeric writes cents as a numeric with two decimals: base-10000
// digits, most significant first, the weight of the first, the sign and
// the display scale, trailing zero digits left out.
func appendNumeric(buf []byte, c model.Cents) []byte {
	sign := uint16(0)
	a := int64(c)
	if a < 0 {
		sign, a = 0x4000, -a
	}
	var digits [8]int16 // an int64 of cents needs at most 5 integer digits and 1 fraction digit
	n := 0
	var whole [6]int16
	w := 0
	for ip := a / 100; ip > 0; ip /= 10000 {
		whole[w] = int16(ip % 10000)
		w++
	}
	for i := w - 1; i >= 0; i-- {
		digits[n] = whole[i]
		n++
	}
	weight := int16(w - 1)
	digits[n] = int16(a%100) * 100
	n++
	if w == 0 {
		// No integer part: the fraction digit is the first, at weight -1.
		weight = -1
	}
	for n > 0 && digits[n-1] == 0 {
		n--
	}
	// Leading zero digits cannot occur: the integer digits start non-zero,
	// and without them the fraction digit is first (zero only for 0.00,
	// which has no digits left).
	if n == 0 {
		weight, sign = 0, 0
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(8+2*n))
	buf = binary.BigEndian.AppendUint16(buf, uint16(n))
	buf = binary.BigEndian.AppendUint16(buf, uint16(weight))
	buf = binary.BigEndian.AppendUint16(buf, sign)
	buf = binary.BigEndian.AppendUint16(buf, 2)
	for _, d := range digits[:n] {
		buf = binary.BigEndian.AppendUint16(buf, uint16(d))
	}
	return buf
}
