// Package ceiling is the reference the DuckDB load is measured against:
// the baseline's tables filled inside DuckDB by INSERT ... SELECT FROM
// range(), with no client in the way.
package ceiling

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	originduck "github.com/originsim/originsim/driver/duckdb"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// SQL is DuckDB's own ceiling for loading the baseline: the same
// eight tables (the same DDL, keys and foreign keys) filled with the same
// number of rows by INSERT ... SELECT ... FROM range(), computed inside
// DuckDB. Values are cheap expressions of the row number of each column's
// kind; foreign keys point at existing parents.
func SQL(cfg gen.Config, sc model.Schemas) []string {
	d := originduck.Dialect
	var out []string
	for _, sys := range []string{sc.Shop, sc.CRM} {
		out = append(out, d.CreateSchema(sys))
	}
	for _, t := range model.Tables() {
		out = append(out, d.CreateTable(sc.Of(t.System), t))
	}
	for _, t := range model.Tables() {
		n := gen.BaselineCount(cfg, t.ID)
		if n == 0 {
			continue
		}
		refs := map[string]int{}
		for _, fk := range t.ForeignKeys {
			refs[fk.Column] = gen.BaselineCount(cfg, fk.Ref)
		}
		exprs := make([]string, len(t.Columns))
		for j, c := range t.Columns {
			var e string
			switch {
			case j == 0:
				e = "i"
			case refs[c.Name] > 0:
				e = fmt.Sprintf("CAST(hash(i, %d) %% %d AS INTEGER) + 1", j, refs[c.Name])
			case c.Kind == model.Int:
				e = "CAST(i % 5 AS INTEGER) + 1"
			case c.Kind == model.Text:
				e = fmt.Sprintf("left(concat('v', i, '.', hash(i, %d) %% 100000, '@example.com'), %d)", j, c.Size)
			case c.Kind == model.Decimal:
				e = fmt.Sprintf("CAST((hash(i, %d) %% 1000000) / 100 AS DECIMAL(10,2))", j)
			case c.Kind == model.Date:
				e = "DATE '2025-01-01' - CAST(i % 400 AS INTEGER)"
			case c.Kind == model.Timestamp:
				e = fmt.Sprintf("TIMESTAMP '2024-01-01' + to_microseconds(CAST(hash(i, %d) %% 31536000000000 AS BIGINT))", j)
			case c.Kind == model.Bool:
				e = fmt.Sprintf("hash(i, %d) %% 2 = 0", j)
			}
			if c.Nullable {
				e = fmt.Sprintf("CASE WHEN i %% 3 = 0 THEN %s END", e)
			}
			exprs[j] = e
		}
		out = append(out, fmt.Sprintf("INSERT INTO %s.%s SELECT %s FROM range(1, %d) AS r(i)",
			d.Quote(sc.Of(t.System)), d.Quote(t.Name), strings.Join(exprs, ", "), n+1))
	}
	return out
}

// Load fills a new DuckDB file at path with the ceiling of cfg's baseline
// in one transaction, with originsim's file options, and checkpoints it.
func Load(ctx context.Context, path string, cfg gen.Config) error {
	c, err := duckdb.NewConnector(path+"?default_block_size=16384", nil)
	if err != nil {
		return err
	}
	db := sql.OpenDB(c)
	defer db.Close()
	stmts := append(append([]string{"BEGIN TRANSACTION"}, SQL(cfg, model.DefaultSchemas)...), "COMMIT", "CHECKPOINT")
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%w\n%s", err, q)
		}
	}
	return db.Close()
}
