package duckdb

import (
	"context"
	"fmt"
	"strings"

	"github.com/originsim/originsim/model"
)

// duckTimestamp is the export's timestamp form (2025-01-01
// 07:30:00.000000) in DuckDB's strftime.
const duckTimestamp = "%Y-%m-%d %H:%M:%S.%f"

// CopyTable has DuckDB write a table with COPY, in the text forms the
// export package writes itself (see export's text sinks).
func (t *tx) CopyTable(ctx context.Context, schema string, tb *model.Table, path, format string, stored bool) error {
	opts, ok := map[string]string{"csv": "FORMAT csv, HEADER true", "jsonl": "FORMAT json", "parquet": "FORMAT parquet"}[format]
	if !ok {
		return fmt.Errorf("duckdb: no COPY format %q", format)
	}
	q := fmt.Sprintf("COPY (%s) TO %s (%s)", copySelect(schema, tb, format, stored), Dialect.String(path), opts)
	return t.Exec(ctx, q)
}

// copySelect is the query COPY writes for a format: every column in key
// order, with the export's text forms forced where DuckDB's own differ (it
// drops zero microseconds and writes decimals in JSON as numbers).
// Parquet keeps the column types.
func copySelect(schema string, t *model.Table, format string, stored bool) string {
	d := Dialect
	exprs := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		q := d.Quote(c.Name)
		exprs[i] = q
		switch {
		case format == "parquet":
		case c.Kind == model.Timestamp:
			exprs[i] = fmt.Sprintf("strftime(%s, '%s') AS %s", q, duckTimestamp, q)
		case c.Kind == model.Decimal && format == "jsonl":
			exprs[i] = fmt.Sprintf("CAST(%s AS VARCHAR) AS %s", q, q)
		}
	}
	q := fmt.Sprintf("SELECT %s FROM %s.%s", strings.Join(exprs, ", "), d.Quote(schema), d.Quote(t.Name))
	if stored {
		return q // DuckDB keeps insertion order without an ORDER BY
	}
	return q + " ORDER BY " + d.Quote(t.Key())
}
