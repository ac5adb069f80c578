package driver

import (
	"testing"

	"github.com/originsim/originsim/model"
)

func TestTypeHolds(t *testing.T) {
	for _, c := range []struct {
		typ  string
		kind model.Kind
		want bool
	}{
		{"integer", model.Int, true}, {"INTEGER", model.Int, true}, {"int", model.Int, true},
		{"character varying", model.Text, true}, {"VARCHAR", model.Text, true}, {"nvarchar", model.Text, true},
		{"DECIMAL(10,2)", model.Decimal, true}, {"numeric", model.Decimal, true},
		{"timestamp without time zone", model.Timestamp, true}, {"datetime", model.Timestamp, true}, {"datetime2", model.Timestamp, true},
		{"boolean", model.Bool, true}, {"tinyint", model.Bool, true}, {"bit", model.Bool, true}, {"date", model.Date, true},
		// What a hostile or careless table has instead.
		{"text", model.Int, false}, {"bytea", model.Text, false}, {"BLOB", model.Text, false},
		{"timestamp with time zone", model.Timestamp, false}, {"TIMESTAMP WITH TIME ZONE", model.Timestamp, false},
		{"double precision", model.Decimal, false}, {"varchar", model.Date, false}, {"", model.Int, false},
	} {
		if got := TypeHolds(c.typ, c.kind); got != c.want {
			t.Errorf("TypeHolds(%q, %v) = %v, want %v", c.typ, c.kind, got, c.want)
		}
	}
}
