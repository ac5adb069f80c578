package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// changes needs no database, names the schemas it is given, writes every
// format, and refuses bad input without writing anything.
func TestChanges(t *testing.T) {
	r := run(t, "changes", "--day", "3", "--shop-schema", "erp", "--crm-schema", "mkt")
	if r.code != 0 {
		t.Fatalf("changes: %d %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	ops := map[string]int{}
	for _, l := range lines {
		var e struct {
			Op, Kind, Schema, Table string
			Key                     map[string]int64
		}
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		if e.Schema != "erp" && e.Schema != "mkt" {
			t.Fatalf("schema %q: %s", e.Schema, l)
		}
		ops[e.Op+" "+e.Kind]++
	}
	// Day 3 inserts 28+65+115+58+50+50 rows and changes orders and customers.
	if ops["c insert"] != 366 || ops["u update"] == 0 || ops["u soft_delete"] == 0 {
		t.Errorf("day 3 events: %v", ops)
	}
	again := run(t, "changes", "--day", "3", "--shop-schema", "erp", "--crm-schema", "mkt")
	if again.stdout != r.stdout {
		t.Error("two runs differ")
	}

	out := filepath.Join(t.TempDir(), "day1.csv")
	if r := run(t, "changes", "--day", "1", "--format", "csv", "--out", out); r.code != 0 {
		t.Fatalf("csv: %d %s", r.code, r.stderr)
	}
	if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "day,seq,op,kind,") {
		t.Errorf("csv file: %v %.40q", err, b)
	}
	if r := run(t, "changes", "--day", "1", "--format", "debezium"); r.code != 0 || !strings.HasPrefix(r.stdout, `{"before":null,"after":{"customer_id":101`) ||
		!strings.Contains(r.stdout, `"connector":"postgresql","name":"originsim"`) || !strings.Contains(r.stdout, `"op":"c"`) {
		t.Errorf("debezium: %d %.200s", r.code, r.stdout)
	}
	r = run(t, "changes", "--day", "0", "--format", "debezium", "--debezium-schemas", "--topic-prefix", "shop_cdc", "--debezium-db", "erp", "--decimal-handling", "string")
	if first, _, _ := strings.Cut(r.stdout, "\n"); r.code != 0 || !strings.HasPrefix(first, `{"schema":{"type":"struct","fields":[`) ||
		!strings.Contains(first, `"name":"shop_cdc.jaffle_shop.customers.Envelope","version":2}`) || !strings.Contains(first, `"op":"r"`) ||
		!strings.Contains(first, `"snapshot":"first","db":"erp"`) {
		t.Errorf("debezium with schemas: %d %.300s", r.code, first)
	}

	bad := filepath.Join(t.TempDir(), "bad.out")
	for _, args := range [][]string{
		{"changes"},
		{"changes", "--day", "-1"},
		{"changes", "--day", "3651"},
		{"changes", "--day", "1", "--format", "xml", "--out", bad},
		{"changes", "--day", "1", "--debezium-schemas", "--out", bad},
		{"changes", "--day", "1", "--format", "csv", "--decimal-handling", "string", "--out", bad},
		{"changes", "--day", "1", "--format", "debezium", "--decimal-handling", "float", "--out", bad},
		{"changes", "--day", "1", "--format", "debezium", "--topic-prefix", "a/b", "--out", bad},
		{"changes", "--day", "1", "--format", "debezium", "--topic-prefix", "", "--out", bad},
		{"changes", "--day", "1", "--format", "debezium", "--debezium-db", "", "--out", bad},
		{"changes", "--day", "1", "--scale", "0", "--out", bad},
		{"changes", "--day", "1", "--shop-schema", "a;drop", "--out", bad},
	} {
		r := run(t, args...)
		if r.code != exitUsage || r.stderr == "" {
			t.Errorf("%v: exit %d, want %d: %s", args, r.code, exitUsage, r.stderr)
		}
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Error("a refused command wrote its --out file")
	}
}
