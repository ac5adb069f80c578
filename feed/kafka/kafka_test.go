package kafka_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/originsim/originsim/feed"
	"github.com/originsim/originsim/feed/kafka"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// kcat is the path of kcat (librdkafka's client, Debian's package), the
// independent consumer the tests read the topics back with; without it
// the test is skipped, unless ORIGINSIM_TEST_REQUIRE_SERVERS=1 (CI, which
// installs it).
func kcat(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("ORIGINSIM_TEST_REQUIRE_SERVERS") == "1" {
			t.Fatal("kcat is not installed (apt-get install kcat): ORIGINSIM_TEST_REQUIRE_SERVERS=1 requires it")
		}
		t.Skip("kcat is not installed (apt-get install kcat)")
	}
	return path
}

// broker starts a Kafka protocol broker (franz-go's kfake) on loopback.
func broker(t *testing.T) string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

// consume reads a topic whole with kcat: a line per record, the key, the
// value's length (-1: null, a tombstone) and the value.
func consume(t *testing.T, kcat, addr, topic string) []string {
	t.Helper()
	cmd := exec.Command(kcat, "-b", addr, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", `%k\t%S\t%s\n`)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("kcat %s: %v: %s", topic, err, errb.String())
	}
	s := strings.TrimSuffix(out.String(), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// The events of days 0-2 with hard deletes, published, are read back by
// kcat from one topic per table (PREFIX.SCHEMA.TABLE): each record keyed
// by its primary key, its value exactly the Debezium event, in the feed's
// order, a tombstone after each delete; and with schemas the same.
func TestPublishedEventsAreTheFeed(t *testing.T) {
	kc := kcat(t)
	for _, schemas := range []bool{false, true} {
		addr := broker(t)
		cfg := gen.Default()
		cfg.HardDeletes = true
		enc, err := feed.NewDebezium(feed.DebeziumOptions{Schemas: schemas, Prefix: "shop_cdc", Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		p, err := kafka.Open(t.Context(), []string{addr}, enc, model.DefaultSchemas, 20*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		// What kcat must read: each topic's records, from the feed.
		want := map[string][]string{}
		deletes := 0
		err = feed.Days(cfg, model.DefaultSchemas, 0, 2, func(e *feed.Event) error {
			v, err := enc.Value(e)
			if err != nil {
				return err
			}
			topic, key := enc.Topic(e), string(enc.Key(e))
			want[topic] = append(want[topic], fmt.Sprintf("%s\t%d\t%s", key, len(v), v))
			if e.Op == feed.Delete {
				want[topic] = append(want[topic], key+"\t-1\t")
				deletes++
			}
			return p.Write(e)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		if deletes == 0 {
			t.Fatal("no delete in days 0-2: the test tests no tombstone")
		}
		var sent int
		for _, tb := range model.Tables() {
			topic := "shop_cdc." + model.DefaultSchemas.Of(tb.System) + "." + tb.Name
			got := consume(t, kc, addr, topic)
			if len(got) != len(want[topic]) {
				t.Fatalf("schemas=%v %s: kcat read %d records, the feed has %d", schemas, topic, len(got), len(want[topic]))
			}
			for i := range got {
				if got[i] != want[topic][i] {
					t.Fatalf("schemas=%v %s record %d:\n kcat: %.300s\n feed: %.300s", schemas, topic, i, got[i], want[topic][i])
				}
			}
			sent += len(got)
		}
		if int64(sent) != p.Sent() {
			t.Fatalf("kcat read %d records, the producer had %d acknowledged", sent, p.Sent())
		}
	}
}

// Bad URLs are refused with what to give; a password is never repeated.
func TestParseURL(t *testing.T) {
	if b, err := kafka.ParseURL("kafka://127.0.0.1:9092,127.0.0.1:9093"); err != nil || len(b) != 2 || b[1] != "127.0.0.1:9093" {
		t.Fatalf("two brokers: %v %v", b, err)
	}
	for raw, says := range map[string]string{
		"127.0.0.1:9092":                  "is not a Kafka URL",
		"kafka://127.0.0.1":               `"127.0.0.1" is not HOST:PORT`,
		"kafka://u:s3cret@127.0.0.1:9092": "credentials",
		"kafka://127.0.0.1:9092/topic":    "no path or options",
		"kafka://:9092":                   "is not HOST:PORT",
	} {
		_, err := kafka.ParseURL(raw)
		if err == nil || !strings.Contains(err.Error(), says) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: %v; want %q", raw, err, says)
		}
	}
}
