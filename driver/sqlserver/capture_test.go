package sqlserver

import (
	"strings"
	"testing"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

func schemaTables(sc model.Schemas) []driver.SchemaTable {
	var out []driver.SchemaTable
	for _, t := range model.Tables() {
		out = append(out, driver.SchemaTable{Schema: sc.Of(t.System), Table: t})
	}
	return out
}

// TestCaptureSQL checks that CDC and change tracking name the database(s)
// once and every one of the eight tables, in both layouts.
func TestCaptureSQL(t *testing.T) {
	sc := model.Schemas{Shop: "shop_db", CRM: "crm_db"}
	tables := schemaTables(sc)
	if len(tables) != 8 {
		t.Fatalf("%d tables", len(tables))
	}
	for _, c := range []struct {
		d         *driver.SQL
		capture   driver.Capture
		databases []string
		table     func(schema, name string) string
	}{
		{Dialect, driver.CDC, []string{"EXEC sys.sp_cdc_enable_db"},
			func(s, n string) string {
				return "EXEC sys.sp_cdc_enable_table @source_schema = N'" + s + "', @source_name = N'" + n + "', @role_name = NULL, @supports_net_changes = 1"
			}},
		{DatabasesDialect, driver.CDC, []string{"EXEC [shop_db].sys.sp_cdc_enable_db", "EXEC [crm_db].sys.sp_cdc_enable_db"},
			func(s, n string) string {
				return "EXEC [" + s + "].sys.sp_cdc_enable_table @source_schema = N'dbo', @source_name = N'" + n + "'"
			}},
		{Dialect, driver.ChangeTracking, []string{"ALTER DATABASE CURRENT SET CHANGE_TRACKING = ON (CHANGE_RETENTION = 7 DAYS, AUTO_CLEANUP = ON)"},
			func(s, n string) string {
				return "ALTER TABLE [" + s + "].[" + n + "] ENABLE CHANGE_TRACKING WITH (TRACK_COLUMNS_UPDATED = ON)"
			}},
		{DatabasesDialect, driver.ChangeTracking, []string{"ALTER DATABASE [shop_db] SET CHANGE_TRACKING", "ALTER DATABASE [crm_db] SET CHANGE_TRACKING"},
			func(s, n string) string { return "ALTER TABLE [" + s + "].[dbo].[" + n + "] ENABLE CHANGE_TRACKING" }},
	} {
		qs := captureSQL(c.d, c.capture, tables)
		if len(qs) != len(c.databases)+8 {
			t.Errorf("%s %s: %d statements, want %d:\n%s", c.d.DatabaseSchema, c.capture, len(qs), len(c.databases)+8, strings.Join(qs, "\n"))
			continue
		}
		for i, want := range c.databases {
			if !strings.Contains(qs[i], want) || !strings.HasPrefix(qs[i], "IF NOT EXISTS (") {
				t.Errorf("statement %d:\n%s\nwant a guarded %q", i, qs[i], want)
			}
		}
		for i, tb := range model.Tables() {
			q := qs[len(c.databases)+i]
			if want := c.table(sc.Of(tb.System), tb.Name); !strings.Contains(q, want) || !strings.HasPrefix(q, "IF NOT EXISTS (") {
				t.Errorf("%s:\n%s\nwant a guarded %q", tb.Name, q, want)
			}
		}
	}
}

func TestCaptureStateSQL(t *testing.T) {
	q := captureStateSQL(Dialect, schemaTables(model.DefaultSchemas))
	for _, tb := range model.Tables() {
		name := "OBJECT_ID(N'[" + model.DefaultSchemas.Of(tb.System) + "].[" + tb.Name + "]')"
		if strings.Count(q, name) != 2 {
			t.Errorf("%s is not asked about twice:\n%s", tb.Name, q)
		}
	}
	if strings.Count(q, "is_tracked_by_cdc = 1") != 8 || strings.Count(q, "sys.change_tracking_tables") != 8 {
		t.Errorf("state query:\n%s", q)
	}
	q = captureStateSQL(DatabasesDialect, schemaTables(model.DefaultSchemas))
	if !strings.Contains(q, "FROM [jaffle_crm].sys.change_tracking_tables WHERE object_id = OBJECT_ID(N'[jaffle_crm].[dbo].[web_sessions]')") {
		t.Errorf("database layout state query:\n%s", q)
	}
}

func TestCaptureState(t *testing.T) {
	for _, c := range []struct {
		st   driver.CaptureState
		want string
	}{
		{driver.CaptureState{Tables: 8}, ""},
		{driver.CaptureState{Tables: 8, CDC: 8}, "cdc"},
		{driver.CaptureState{Tables: 8, ChangeTracking: 3}, "change_tracking (3 of 8 tables)"},
		{driver.CaptureState{Tables: 8, CDC: 8, ChangeTracking: 8}, "cdc, change_tracking"},
	} {
		if got := c.st.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.st, got, c.want)
		}
	}
}
