package driver

import (
	"strings"

	"github.com/originsim/originsim/model"
)

// kindsOfTypes maps the type names the databases' catalogs report
// (ListColumnTypes, lower-cased, without length or precision) to the
// kinds of values they hold.
var kindsOfTypes = map[string][]model.Kind{
	"integer": {model.Int}, "int": {model.Int}, "int4": {model.Int}, "bigint": {model.Int}, "int8": {model.Int},
	"smallint": {model.Int}, "int2": {model.Int}, "mediumint": {model.Int},
	// MySQL's BOOLEAN is TINYINT(1).
	"tinyint":           {model.Int, model.Bool},
	"character varying": {model.Text}, "varchar": {model.Text}, "text": {model.Text}, "char": {model.Text},
	"character": {model.Text}, "bpchar": {model.Text}, "nvarchar": {model.Text}, "nchar": {model.Text},
	"string": {model.Text}, "tinytext": {model.Text}, "mediumtext": {model.Text}, "longtext": {model.Text},
	"numeric": {model.Decimal}, "decimal": {model.Decimal},
	"date":      {model.Date},
	"timestamp": {model.Timestamp}, "timestamp without time zone": {model.Timestamp}, "datetime": {model.Timestamp},
	"datetime2": {model.Timestamp},
	"boolean":   {model.Bool}, "bool": {model.Bool}, "bit": {model.Bool},
}

// TypeHolds reports whether a column of the named type (as a catalog
// reports it) holds values of kind k: the check that a table someone else
// made has the columns originsim's has.
func TypeHolds(typeName string, k model.Kind) bool {
	name := strings.ToLower(strings.TrimSpace(typeName))
	if i := strings.IndexByte(name, '('); i >= 0 {
		name = strings.TrimSpace(name[:i])
	}
	for _, have := range kindsOfTypes[name] {
		if have == k {
			return true
		}
	}
	return false
}
