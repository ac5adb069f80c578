package cli

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
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

// changes --to publishes the day to a Kafka broker (franz-go's kfake, on
// loopback): one topic per table with the day's records and a tombstone
// per delete, reported per topic; bad combinations are usage errors and
// an unreachable broker is exit 4.
func TestChangesToKafka(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	url := "kafka://" + c.ListenAddrs()[0]
	r := run(t, "changes", "--day", "1", "--deletes", "hard", "--to", url, "--topic-prefix", "cdc", "--json")
	var out struct {
		Records int64            `json:"records"`
		Topics  map[string]int64 `json:"topics"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); r.code != 0 || err != nil {
		t.Fatalf("changes --to: exit %d %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	events := strings.Count(run(t, "changes", "--day", "1", "--deletes", "hard").stdout, "\n")
	deletes := strings.Count(run(t, "changes", "--day", "1", "--deletes", "hard").stdout, `"op":"d"`)
	var sum int64
	for _, n := range out.Topics {
		sum += n
	}
	if deletes == 0 || out.Records != int64(events+deletes) || sum != out.Records || out.Topics["cdc.jaffle_shop.orders"] == 0 {
		t.Fatalf("published %d records (%v); the day has %d events and %d deletes", out.Records, out.Topics, events, deletes)
	}
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--to", url, "--out", "x.jsonl"}, "--out writes a file: --to publishes to Kafka instead"},
		{[]string{"--to", url, "--format", "csv"}, "--format csv: --to publishes Debezium's form only"},
		{[]string{"--to", "127.0.0.1:9092"}, "--to: \"127.0.0.1:9092\" is not a Kafka URL"},
		{[]string{"--to", "kafka://user:pw@127.0.0.1:9092"}, "SASL are not supported yet"},
	} {
		r := run(t, append([]string{"changes", "--day", "1"}, c.args...)...)
		if r.code != exitUsage || !strings.Contains(r.stderr, c.says) || strings.Contains(r.stderr, "pw@") {
			t.Errorf("%v: exit %d %q; want %q", c.args, r.code, r.stderr, c.says)
		}
	}
	if r := run(t, "changes", "--day", "1", "--to", "kafka://127.0.0.1:1", "--connect-timeout", "2s"); r.code != exitConnect {
		t.Errorf("an unreachable broker: exit %d %s", r.code, r.stderr)
	}
}

// apply-delta --to reaches the brokers before the day (an unreachable one
// is exit 4 and the day is not applied), then publishes the committed
// day: every topic holds the day's records and tombstones, as changes
// --to would have sent.
func TestApplyDeltaToKafka(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline", "-q")
	if r := e.run("apply-delta", "--day", "1", "--to", "kafka://127.0.0.1:1", "--connect-timeout", "2s"); r.code != exitConnect {
		t.Fatalf("an unreachable broker: exit %d %s", r.code, r.stderr)
	}
	if r := e.must("status", "--json"); !strings.Contains(r.stdout, `"day": 0,`) {
		t.Fatalf("the day was applied though the broker could not be reached: %s", r.stdout)
	}
	if r := e.run("apply-delta", "--day", "1", "--topic-prefix", "cdc"); r.code != exitUsage || !strings.Contains(r.stderr, "--topic-prefix applies to the Debezium form") {
		t.Fatalf("--topic-prefix without --to: exit %d %s", r.code, r.stderr)
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	e.must("apply-delta", "--day", "1", "--to", "kafka://"+c.ListenAddrs()[0], "--topic-prefix", "cdc", "-q")
	want := map[string]int64{}
	for _, l := range strings.Split(strings.TrimSpace(run(t, "changes", "--day", "1").stdout), "\n") {
		var ev struct{ Schema, Table string }
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatal(err)
		}
		want["cdc."+ev.Schema+"."+ev.Table]++
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ends, err := kadm.NewClient(cl).ListEndOffsets(t.Context(), slices.Collect(maps.Keys(want))...)
	if err != nil {
		t.Fatal(err)
	}
	for topic, n := range want {
		end, ok := ends.Lookup(topic, 0)
		if !ok || end.Offset != n {
			t.Errorf("%s: %d records, the day has %d events", topic, end.Offset, n)
		}
	}
	if r := e.must("status", "--json"); !strings.Contains(r.stdout, `"day": 1,`) {
		t.Fatalf("after apply-delta --to: %s", r.stdout)
	}
}
