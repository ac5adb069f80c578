package sqlserver

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/originsim/originsim/model"
)

func TestBulkRow(t *testing.T) {
	cols := []model.Column{
		{Name: "id", Kind: model.Int},
		{Name: "txt", Kind: model.Text, Size: 40, Nullable: true},
		{Name: "amount", Kind: model.Decimal},
		{Name: "day", Kind: model.Date},
		{Name: "at", Kind: model.Timestamp, Nullable: true},
		{Name: "flag", Kind: model.Bool},
	}
	cet := time.FixedZone("CET", 3600)
	at := time.Date(2038, 1, 19, 3, 14, 8, 123456789, time.UTC)
	cases := []struct {
		in, want []any
	}{
		{
			[]any{int64(2147483647), "Zoë 東京", model.Cents(-5), time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), at, true},
			[]any{int64(2147483647), "Zoë 東京", "-0.05", time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2038, 1, 19, 3, 14, 8, 123456000, time.UTC), true},
		},
		{
			[]any{int64(-2147483648), nil, model.Cents(9999999999), time.Date(1900, 3, 1, 23, 0, 0, 0, time.UTC), nil, false},
			[]any{int64(-2147483648), nil, "99999999.99", time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC), nil, false},
		},
		{ // another zone: the UTC wall clock is written
			[]any{int64(0), "", model.Cents(129999), time.Date(2025, 1, 2, 0, 30, 0, 0, cet), time.Date(2025, 1, 2, 0, 30, 0, 1000, cet), true},
			[]any{int64(0), "", "1299.99", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 1, 1, 23, 30, 0, 1000, time.UTC), true},
		},
	}
	for _, c := range cases {
		got, err := bulkRow(cols, c.in)
		if err != nil {
			t.Fatalf("%v: %v", c.in, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("bulkRow(%v)\n = %#v\nwant %#v", c.in, got, c.want)
		}
	}
	for _, bad := range [][]any{
		{int64(2147483648), nil, model.Cents(1), at, nil, true}, // too big for INT
		{int64(1), nil, 1.5, at, nil, true},                     // a float for a decimal
		{int64(1), nil, model.Cents(1), "2025-01-01", nil, true},
		{int64(1), nil, model.Cents(1), at, nil, nil}, // NULL in a NOT NULL column
		{int64(1), nil, model.Cents(1), at, nil, 1},
		{int64(1)},
	} {
		if _, err := bulkRow(cols, bad); err == nil {
			t.Errorf("bulkRow(%v) accepted", bad)
		} else if !strings.Contains(err.Error(), "column") && len(bad) == len(cols) {
			t.Errorf("bulkRow(%v): error names no column: %v", bad, err)
		}
	}
}
