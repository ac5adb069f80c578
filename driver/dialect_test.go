package driver_test

import (
	"flag"
	"fmt"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/driver/duckdb"
	"github.com/originsim/originsim/driver/mysql"
	"github.com/originsim/originsim/driver/postgres"
	"github.com/originsim/originsim/driver/sqlserver"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/originsim/originsim/model"
)

// The dialects of the drivers, by their old names.
var (
	DuckDB             = duckdb.Dialect
	Postgres           = postgres.Dialect
	MySQL              = mysql.Dialect
	SQLServer          = sqlserver.Dialect
	SQLServerDatabases = sqlserver.DatabasesDialect
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// sample has one column of every kind.
var sample = &model.Table{
	ID: -1, System: model.Shop, Name: "sample",
	Columns: []model.Column{
		{Name: "id", Kind: model.Int},
		{Name: "name", Kind: model.Text, Size: 30},
		{Name: "price", Kind: model.Decimal},
		{Name: "day", Kind: model.Date},
		{Name: "at", Kind: model.Timestamp, Nullable: true},
		{Name: "ok", Kind: model.Bool},
	},
	ForeignKeys: []model.ForeignKey{{Column: "id", Ref: model.Customers, Enforced: true}},
}

func sampleRows() [][]any {
	day := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	at := time.Date(1999, 12, 31, 23, 59, 59, 999999000, time.UTC)
	return [][]any{
		{int64(1), "O'Brien", model.Cents(1299), day, at, true},
		{int64(2), `back\slash`, model.Cents(-5), day, nil, false},
		{int64(-2147483648), "Zoë 東京", model.Cents(9999999999), day, at, true},
	}
}

// render is every statement a dialect writes, for the golden file.
func render(d *driver.SQL) string {
	var b strings.Builder
	section := func(title, sql string) { fmt.Fprintf(&b, "-- %s\n%s;\n\n", title, sql) }
	section("CreateSchema", d.CreateSchema("jaffle_shop"))
	for _, t := range model.Tables() {
		schema := model.DefaultSchemas.Of(t.System)
		section("CreateTable "+t.Name, d.CreateTable(schema, t))
	}
	section("CreateTable sample", d.CreateTable("jaffle_shop", sample))
	if d.KeysAfterLoad {
		for _, t := range model.Tables() {
			schema := model.DefaultSchemas.Of(t.System)
			section("LoadTable "+t.Name, d.LoadTable(schema, t))
			pk, fks := d.AfterLoad(schema, t)
			section("AfterLoad primary "+t.Name, pk)
			for _, fk := range fks {
				section("AfterLoad foreign "+t.Name, fk)
			}
		}
	}
	section("DropTable", d.DropTable("jaffle_shop", sample))
	rows := sampleRows()
	section("InsertValues", d.InsertValues("jaffle_shop", sample, rows))
	var upd [][]any
	for _, r := range rows {
		upd = append(upd, []any{r[0], r[2], r[4], r[5]})
	}
	section("Update", d.Update("jaffle_shop", sample, []string{"id", "price", "at", "ok"}, upd))
	section("Delete", d.Delete("jaffle_shop", model.Get(model.OrderItems), []int64{3, 4, 17}))
	section("Update one row", d.Update("jaffle_shop", model.Get(model.Orders), []string{"order_id", "status", "deleted_at"},
		[][]any{{int64(7), "cancelled", time.Date(2025, 1, 3, 10, 0, 0, 0, time.UTC)}}))
	for _, t := range model.Tables() {
		section("Select "+t.Name, d.Select(model.DefaultSchemas.Of(t.System), t))
	}
	section("ListTables", d.ListTables("jaffle_crm"))
	if d.ObjectGuards { // added with T-SQL; the older goldens stay as they were
		section("ListColumns", d.ListColumns("jaffle_shop", "customers"))
		section("Table", d.Table("jaffle_shop", "customers"))
	}
	section("ListColumnTypes", d.ListColumnTypes("jaffle_shop", "customers"))
	section("ReferencingKeys", d.ReferencingKeys("jaffle_shop"))
	if q := d.Truncate([]string{d.Table("jaffle_shop", "orders"), d.Table("jaffle_shop", "customers")}); q != "" {
		section("Truncate", q)
	}
	fmt.Fprintf(&b, "-- Quote\n%s\n", d.Quote("we\"ird`name"))
	return b.String()
}

// goldenDialects are the dialects with a golden file, by file name.
var goldenDialects = map[string]*driver.SQL{
	"duckdb": DuckDB, "postgres": Postgres, "mysql": MySQL,
	"sqlserver": SQLServer, "sqlserver_databases": SQLServerDatabases,
}

func TestDialectGolden(t *testing.T) {
	for name, d := range goldenDialects {
		t.Run(name, func(t *testing.T) {
			got := render(d)
			path := filepath.Join("testdata", name+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./target -run TestDialectGolden -update to write it)", err)
			}
			if got != string(want) {
				t.Errorf("%s renders differently from %s; if the change is meant, rerun with -update and review the diff\n%s",
					d.Name(), path, firstDiff(string(want), got))
			}
		})
	}
}

// firstDiff shows the first line that differs.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, wl, gl)
		}
	}
	return ""
}

func TestLiterals(t *testing.T) {
	at := time.Date(2000, 1, 1, 0, 0, 0, 1000, time.UTC)
	cases := []struct {
		d    *driver.SQL
		k    model.Kind
		v    any
		want string
	}{
		{Postgres, model.Text, `it's \ ok`, `'it''s \ ok'`},
		{MySQL, model.Text, `it's \ ok`, `'it''s \\ ok'`},
		{MySQL, model.Timestamp, at, `TIMESTAMP '2000-01-01 00:00:00.000001'`},
		{Postgres, model.Decimal, model.Cents(-5), `-0.05`},
		{MySQL, model.Bool, false, `FALSE`},
		{Postgres, model.Int, nil, `NULL`},
		{SQLServer, model.Text, `it's \ Zoë`, `N'it''s \ Zoë'`},
		{SQLServer, model.Text, "a\\\nb\\\r\nc", `N'a\'+NCHAR(10)+N'b\'+NCHAR(13)+N'` + "\nc'"},
		{SQLServer, model.Timestamp, at, `CAST(N'2000-01-01 00:00:00.000001' AS DATETIME2(6))`},
		{SQLServer, model.Date, at, `CAST(N'2000-01-01' AS DATE)`},
		{SQLServer, model.Bool, true, `1`},
		{SQLServer, model.Bool, false, `0`},
		{SQLServer, model.Decimal, model.Cents(129999), `1299.99`},
	}
	for _, c := range cases {
		if got := c.d.Literal(c.k, c.v); got != c.want {
			t.Errorf("%s Literal(%v, %v) = %s, want %s", c.d.Name(), c.k, c.v, got, c.want)
		}
	}
}

// TestTSQL checks what T-driver.SQL must and must not contain, in both layouts:
// no type or clause driver.SQL Server lacks, every table guarded and keyed.
func TestTSQL(t *testing.T) {
	for name, d := range map[string]*driver.SQL{"schemas": SQLServer, "databases": SQLServerDatabases} {
		t.Run(name, func(t *testing.T) {
			all := render(d)
			for _, banned := range []string{"BOOLEAN", "INTERVAL", "TIMESTAMP", "IF NOT EXISTS", "IF EXISTS", "VARCHAR(%", "TRUE", "FALSE", `"`} {
				if strings.Contains(strings.ReplaceAll(all, `[we"ird`, ""), banned) {
					t.Errorf("T-driver.SQL contains %q", banned)
				}
			}
			types := map[model.Kind]string{model.Int: "INT", model.Text: "NVARCHAR(50)", model.Decimal: "DECIMAL(10,2)",
				model.Date: "DATE", model.Timestamp: "DATETIME2(6)", model.Bool: "BIT"}
			for k, want := range types {
				if got := d.ColumnType(model.Column{Kind: k, Size: 50}); got != want {
					t.Errorf("type of %v: %s, want %s", k, got, want)
				}
			}
			for _, tb := range model.Tables() {
				schema := model.DefaultSchemas.Of(tb.System)
				ct := d.CreateTable(schema, tb)
				if !strings.HasPrefix(ct, "IF OBJECT_ID(N'"+d.Table(schema, tb.Name)+"', N'U') IS NULL\nCREATE TABLE "+d.Table(schema, tb.Name)+" (") {
					t.Errorf("%s: not guarded by OBJECT_ID:\n%s", tb.Name, ct)
				}
				if !strings.Contains(ct, "CONSTRAINT [PK_"+tb.Name+"] PRIMARY KEY (["+tb.Key()+"])") {
					t.Errorf("%s: no named primary key:\n%s", tb.Name, ct)
				}
				for _, fk := range tb.ForeignKeys {
					if got := strings.Contains(ct, "FOREIGN KEY (["+fk.Column+"]) REFERENCES "+d.Table(schema, model.Get(fk.Ref).Name)); got != fk.Enforced {
						t.Errorf("%s.%s: foreign key present %v, enforced %v", tb.Name, fk.Column, got, fk.Enforced)
					}
				}
			}
		})
	}
	if got := SQLServerDatabases.Table("shop_db", "orders"); got != "[shop_db].[dbo].[orders]" {
		t.Errorf("database layout table name %s", got)
	}
	if got := SQLServer.Quote("a]b"); got != "[a]]b]" {
		t.Errorf("Quote(a]b) = %s", got)
	}
}
