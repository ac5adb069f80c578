package postgres

import (
	"encoding/binary"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/originsim/originsim/model"
)

// Every value encodeCopy writes decodes, with pgx's own binary decoders,
// to the value given.
func TestCopyEncodingRoundTrips(t *testing.T) {
	m := pgtype.NewMap()
	field := func(k model.Kind, v any) []byte {
		b, err := appendValue(nil, k, v)
		if err != nil {
			t.Fatal(err)
		}
		n := int(int32(binary.BigEndian.Uint32(b)))
		if n != len(b)-4 {
			t.Fatalf("%v %v: length %d, %d bytes follow", k, v, n, len(b)-4)
		}
		return b[4:]
	}
	for _, c := range []int64{0, 1, -1, 5, 10, 99, 100, 101, 1050, 12345, 1000000, 1000001, 9999999999, -9999999999, 10000000000, 123456789012, -50, 100000000} {
		var got pgtype.Numeric
		if err := m.Scan(pgtype.NumericOID, pgx.BinaryFormatCode, field(model.Decimal, model.Cents(c)), &got); err != nil {
			t.Fatalf("%d cents: %v", c, err)
		}
		want := big.NewInt(c)
		// got is Int * 10^Exp; bring it to cents.
		v := new(big.Int).Set(got.Int)
		for e := got.Exp; e > -2; e-- {
			v.Mul(v, big.NewInt(10))
		}
		for e := got.Exp; e < -2; e++ {
			v.Quo(v, big.NewInt(10))
		}
		if v.Cmp(want) != 0 {
			t.Errorf("%d cents decoded as %v e%d", c, got.Int, got.Exp)
		}
	}
	for _, ts := range []time.Time{
		time.Date(2025, 1, 2, 6, 0, 14, 903404000, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999000, time.UTC),
		time.Date(1900, 3, 1, 0, 0, 0, 1000, time.UTC),
		time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		var got time.Time
		if err := m.Scan(pgtype.TimestampOID, pgx.BinaryFormatCode, field(model.Timestamp, ts), &got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(ts) {
			t.Errorf("timestamp %v decoded as %v", ts, got)
		}
		day := time.Date(ts.Year(), ts.Month(), ts.Day(), 0, 0, 0, 0, time.UTC)
		if err := m.Scan(pgtype.DateOID, pgx.BinaryFormatCode, field(model.Date, day), &got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(day) {
			t.Errorf("date %v decoded as %v", day, got)
		}
	}
	for _, b := range []bool{true, false} {
		var got bool
		if err := m.Scan(pgtype.BoolOID, pgx.BinaryFormatCode, field(model.Bool, b), &got); err != nil || got != b {
			t.Errorf("bool %v: %v %v", b, got, err)
		}
	}
	var n int32
	if err := m.Scan(pgtype.Int4OID, pgx.BinaryFormatCode, field(model.Int, int64(-2147483648)), &n); err != nil || n != -2147483648 {
		t.Errorf("int: %v %v", n, err)
	}
	if _, err := appendValue(nil, model.Int, int64(1<<31)); err == nil {
		t.Error("2^31 in an INTEGER column: no error")
	}
	if _, err := encodeCopy(nil, []model.Kind{model.Int}, [][]any{{int64(1), "x"}}); err == nil {
		t.Error("a row longer than the table: no error")
	}
}

// Publication names fit PostgreSQL's 63 bytes and stay distinct.
func TestPublicationNames(t *testing.T) {
	if got := Publication("jaffle_shop"); got != "originsim_jaffle_shop" {
		t.Errorf("Publication(jaffle_shop) = %q", got)
	}
	long := "s" + strings.Repeat("x", 60)
	a, b := Publication(long+"a"), Publication(long+"b")
	if len(a) > 63 || len(b) > 63 || a == b {
		t.Errorf("long names: %q (%d), %q (%d)", a, len(a), b, len(b))
	}
}
