package model

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidateSchemaName(t *testing.T) {
	good := []string{"jaffle_shop", "shop_db", "_x", "A1", strings.Repeat("a", MaxSchemaName)}
	for _, n := range good {
		if err := ValidateSchemaName(n); err != nil {
			t.Errorf("%q refused: %v", n, err)
		}
	}
	bad := []string{"", "1shop", "shop-db", "shop db", `x"; DROP SCHEMA public; --`, "a.b", "sch\x00ema", "ß", strings.Repeat("a", MaxSchemaName+1)}
	for _, n := range bad {
		if err := ValidateSchemaName(n); !errors.Is(err, ErrSchemaName) {
			t.Errorf("%q accepted (err %v)", n, err)
		}
	}
	if err := (Schemas{Shop: "same", CRM: "SAME"}).Validate(); err == nil {
		t.Error("equal schema names accepted")
	}
}

// A system schema reached the engine and failed there (exit 1), or worse,
// on MySQL, put the tables among the server's own (--crm-schema mysql).
func TestSystemSchemasAreRefused(t *testing.T) {
	for _, n := range []string{"information_schema", "INFORMATION_SCHEMA", "pg_catalog", "pg_toast", "pg_temp_3", "PG_x", "temp", "system",
		"mysql", "MySQL", "performance_schema", "sys", "SYS", "guest", "db_owner", "db_datareader",
		"master", "model", "msdb", "tempdb"} {
		for _, sc := range []Schemas{{Shop: n, CRM: "jaffle_crm"}, {Shop: "jaffle_shop", CRM: n}} {
			err := sc.Validate()
			if !errors.Is(err, ErrSchemaName) || !strings.Contains(err.Error(), "system schema") || !strings.Contains(err.Error(), n) {
				t.Errorf("%+v: %v", sc, err)
			}
		}
	}
	// The default schemas of the databases are ordinary ones, and names
	// that only begin like a system one are the user's.
	for _, n := range []string{"main", "public", "dbo", "pg", "pgshop", "mysql_shop", "system_crm", "temporary", "sys_x", "db_shop"} {
		if err := (Schemas{Shop: n, CRM: "jaffle_crm"}).Validate(); err != nil {
			t.Errorf("%q refused: %v", n, err)
		}
	}
}

func TestCents(t *testing.T) {
	cases := map[string]Cents{"1299.99": 129999, "12.5": 1250, "7": 700, "-3.10": -310, "0.01": 1, ".5": 50, "7.000": 700}
	for in, want := range cases {
		got, err := ParseCents(in)
		if err != nil || got != want {
			t.Errorf("ParseCents(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1.234", "1.2.3", "-"} {
		if _, err := ParseCents(in); err == nil {
			t.Errorf("ParseCents(%q) accepted", in)
		}
	}
	if s := Cents(-5).String(); s != "-0.05" {
		t.Errorf("Cents(-5) = %s", s)
	}
}

func TestCanonicalAndNormalize(t *testing.T) {
	ts := time.Date(2025, 1, 2, 15, 4, 5, 123456789, time.FixedZone("x", 3600))
	v, err := Normalize(Timestamp, ts)
	if err != nil {
		t.Fatal(err)
	}
	if got := Canonical(Timestamp, v); got != "2025-01-02 15:04:05.123456" {
		t.Errorf("timestamp canonical %q: the wall clock must be kept, truncated to microseconds", got)
	}
	d, _ := Normalize(Date, ts)
	if got := Canonical(Date, d); got != "2025-01-02" {
		t.Errorf("date canonical %q", got)
	}
	for _, c := range []struct {
		k    Kind
		in   any
		want string
	}{
		{Int, int32(7), "7"}, {Int, []byte("42"), "42"}, {Text, []byte("a\tb"), `a\tb`},
		{Decimal, "12.50", "12.50"}, {Bool, int64(1), "t"}, {Bool, false, "f"}, {Int, nil, `\N`},
	} {
		v, err := Normalize(c.k, c.in)
		if err != nil {
			t.Fatalf("Normalize(%v, %v): %v", c.k, c.in, err)
		}
		if got := Canonical(c.k, v); got != c.want {
			t.Errorf("Canonical(%v, %v) = %q, want %q", c.k, c.in, got, c.want)
		}
	}
	if _, err := Normalize(Int, 1.5); err == nil {
		t.Error("float accepted as integer")
	}
}

func TestTablesAreInForeignKeyOrder(t *testing.T) {
	seen := map[TableID]bool{}
	for i, tb := range Tables() {
		if tb.ID != TableID(i) {
			t.Fatalf("%s has id %d at position %d", tb.Name, tb.ID, i)
		}
		for _, fk := range tb.ForeignKeys {
			if fk.Enforced && !seen[fk.Ref] {
				t.Errorf("%s references %s before it is created", tb.Name, Get(fk.Ref).Name)
			}
			if fk.Enforced && Get(fk.Ref).System != tb.System {
				t.Errorf("%s: an enforced key crosses systems", tb.Name)
			}
		}
		seen[tb.ID] = true
		n := len(tb.Columns)
		if tb.Columns[n-3].Name != "created_at" || tb.Columns[n-1].Name != "deleted_at" || !tb.Columns[n-1].Nullable {
			t.Errorf("%s does not end with the change-detection trio", tb.Name)
		}
	}
}

// Each record type must produce one value per column, of the column's kind.
func TestRecordsMatchTheirTables(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	trio := Trio{CreatedAt: now, UpdatedAt: now, DeletedAt: now}
	d := &Dataset{
		Customers: []Customer{{1, "A", "B", "a.b1@example.com", trio}}, Products: []Product{{1, "P", "Decor", 100, trio}},
		Orders: []Order{{1, 1, now, StatusPending, trio}}, OrderItems: []OrderItem{{1, 1, 1, 2, 100, trio}},
		Payments: []Payment{{1, 1, "coupon", 200, trio}}, Campaigns: []Campaign{{1, "C", now, now, 100, trio}},
		EmailActivity: []Email{{1, 1, 1, now, true, false, trio}}, WebSessions: []WebSession{{1, 0, now, now, 3, trio}},
	}
	back := &Dataset{}
	for _, tb := range Tables() {
		row := d.Row(tb.ID, 0)
		if len(row) != len(tb.Columns) {
			t.Fatalf("%s: %d values for %d columns", tb.Name, len(row), len(tb.Columns))
		}
		for i, c := range tb.Columns {
			if row[i] == nil {
				if !c.Nullable {
					t.Errorf("%s.%s is nil but NOT NULL", tb.Name, c.Name)
				}
				continue
			}
			if _, err := Normalize(c.Kind, row[i]); err != nil {
				t.Errorf("%s.%s: %v", tb.Name, c.Name, err)
			}
		}
		if err := back.Append(tb.ID, row); err != nil {
			t.Fatal(err)
		}
		if back.Fingerprint(tb.ID) != d.Fingerprint(tb.ID) {
			t.Errorf("%s does not survive Values -> Append", tb.Name)
		}
	}
}
