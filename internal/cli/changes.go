package cli

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/feed"
	"github.com/originsim/originsim/feed/kafka"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

func (a *app) changesCmd() *cobra.Command {
	var g genFlags
	var day int
	var format, out string
	var force bool
	var dbz debeziumFlags
	var to string
	cmd := &cobra.Command{
		Use:   "changes --day N",
		Short: "Print one day's row changes as events (no database needed)",
		Long: `Prints every row change of day N as an event, in the order apply-delta writes
them: one per inserted, updated or soft-deleted row, with the operation (c
create, u update, d delete), the table, the key, the full row before and
after, and the simulated time. Day 0 is the baseline, every row a create.

The events come from the same changeset apply-delta writes, so they are
exactly what a change-data-capture tool should see. A soft delete is an
update in a change log (the row stays, deleted_at is set): its op is u and
its kind soft_delete.

Formats:
  jsonl     one object per line: day, seq, op, kind, schema, table, key, ts,
            before, after
  debezium  each event's record value as a Debezium PostgreSQL connector
            writes it through Kafka Connect's JsonConverter, one a line:
            {"before", "after", "source", "transaction", "op", "ts_ms",
            "ts_us", "ts_ns"}; with --debezium-schemas {"schema": ...,
            "payload": ...} (schemas.enable=true). The baseline is a snapshot
            (op r, source.snapshot first, true, last...); a day is one
            transaction (source.txId 1000+N) at stand-in log positions
            (source.lsn, source.sequence), the same every run. Timestamps as
            microseconds and dates as days since the epoch (adaptive
            precision); decimals by --decimal-handling: precise (Debezium's
            default: base64 bytes of the unscaled value, scale 2 in the
            schema), string ("12.34", what Flink's debezium-json reads) or
            double. source.name is --topic-prefix, source.db --debezium-db.
  csv       a header, then day, seq, op, kind, schema, table, key, ts and the
            before and after rows as JSON

--seed, --start-date and --scale are those of load-baseline (and
./originsim.yaml); --shop-schema and --crm-schema name the schemas. --out
writes the file whole or not at all and keeps an existing one (exit 3)
unless --force.

--to kafka://HOST:PORT publishes the day to Kafka as a Debezium PostgreSQL
connector does: one topic per table, PREFIX.SCHEMA.TABLE (made with one
partition where missing), each record keyed by the primary key
({"customer_id": 101}, with --debezium-schemas its schema too), its value
the debezium format's, and a tombstone (the key, a null value) after each
delete. The producer is idempotent and waits for every in-sync replica;
the records of a day are the same on every run. --connect-timeout bounds
reaching the brokers and each record's delivery (default 30s). Brokers
with SASL or TLS are not supported yet.`,
		Example: `  originsim changes --day 1
  originsim changes --day 1 --format debezium | kafka-console-producer ...
  originsim changes --day 1 --format debezium --debezium-schemas --topic-prefix shop_cdc
  originsim changes --day 1 --format debezium --decimal-handling string   # for Flink's debezium-json
  originsim changes --day 1 --to kafka://127.0.0.1:9092 --topic-prefix shop_cdc
  originsim changes --day 2 --scale 100 --format csv --out day2.csv
  originsim changes --day 3 | jq -c 'select(.table == "orders" and .op == "u")'`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("to") {
				return a.publishChanges(cmd, &g, &dbz, day, format, to)
			}
			return a.runChanges(cmd, &g, &dbz, day, format, out, force)
		},
	}
	g.register(cmd)
	f := cmd.Flags()
	f.IntVar(&day, "day", 0, "the day: 0 (the baseline) to 3650")
	f.StringVar(&format, "format", "jsonl", "output format: "+strings.Join(feed.Formats, ", "))
	f.StringVar(&out, "out", "", "write to this file instead of standard output (an existing file is kept unless --force)")
	f.BoolVar(&force, "force", false, "replace the --out file if it exists")
	f.StringVar(&to, "to", "", "publish to Kafka instead: kafka://HOST:PORT[,HOST:PORT...], one topic per table (PREFIX.SCHEMA.TABLE), keyed, Debezium's form")
	dbz.register(cmd)
	return cmd
}

// debeziumFlags shape --format debezium.
type debeziumFlags struct {
	schemas         bool
	decimal, prefix string
	db              string
}

func (f *debeziumFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.schemas, "debezium-schemas", false, "debezium: {\"schema\": ..., \"payload\": ...} as JsonConverter writes with schemas.enable=true")
	fl.StringVar(&f.decimal, "decimal-handling", feed.DecimalPrecise, "debezium: decimals as precise (base64 bytes, Debezium's default), string or double")
	fl.StringVar(&f.prefix, "topic-prefix", "originsim", "debezium: the connector's topic.prefix: source.name, and topics PREFIX.SCHEMA.TABLE")
	fl.StringVar(&f.db, "debezium-db", "postgres", "debezium: source.db, the database the connector reads")
	_ = cmd.RegisterFlagCompletionFunc("decimal-handling", fixedCompletion(feed.DecimalModes...))
}

// options reads the flags, refusing them for another format.
func (f *debeziumFlags) options(cmd *cobra.Command, format string) (feed.DebeziumOptions, error) {
	if format != "debezium" {
		for _, name := range []string{"debezium-schemas", "decimal-handling", "topic-prefix", "debezium-db"} {
			if cmd.Flags().Changed(name) {
				return feed.DebeziumOptions{}, usageError{fmt.Errorf("--%s applies to the Debezium form: --format debezium, or --to", name)}
			}
		}
	}
	if f.prefix == "" {
		return feed.DebeziumOptions{}, usageError{errors.New("--topic-prefix is empty: give the prefix of the topics, such as originsim (topics PREFIX.SCHEMA.TABLE)")}
	}
	if strings.TrimSpace(f.db) == "" {
		return feed.DebeziumOptions{}, usageError{errors.New("--debezium-db is empty: give the database name the events say they come from")}
	}
	o := feed.DebeziumOptions{Schemas: f.schemas, Decimal: f.decimal, Prefix: f.prefix, DB: f.db, Version: originsim.Version}
	if _, err := feed.NewDebezium(o); err != nil {
		return o, usageError{fmt.Errorf("--format debezium: %w", err)}
	}
	return o, nil
}

// runChanges writes day --day's change events in --format.
func (a *app) runChanges(cmd *cobra.Command, g *genFlags, dbz *debeziumFlags, day int, format, out string, force bool) error {
	if err := changesDay(cmd, day); err != nil {
		return err
	}
	if !slices.Contains(feed.Formats, format) {
		return usageError{fmt.Errorf("--format %q: use one of %s", format, strings.Join(feed.Formats, ", "))}
	}
	do, err := dbz.options(cmd, format)
	if err != nil {
		return err
	}
	cfg, sc, err := a.generator(cmd, g)
	if err != nil {
		return err
	}
	write := func(w io.Writer) error {
		fw, err := feed.NewWriter(w, format, originsim.Version)
		if format == "debezium" {
			fw, err = feed.NewDebeziumWriter(w, do)
		}
		if err != nil {
			return usageError{fmt.Errorf("--format: %w", err)}
		}
		if err := feed.Day(cfg, sc, day, fw.Write); err != nil {
			return err
		}
		return fw.Flush()
	}
	if out == "" {
		return write(a.stdout)
	}
	return writeOut("--out", out, force, write)
}

// publishChanges publishes day --day's events to Kafka (--to).
func (a *app) publishChanges(cmd *cobra.Command, g *genFlags, dbz *debeziumFlags, day int, format, to string) error {
	if err := changesDay(cmd, day); err != nil {
		return err
	}
	for _, name := range []string{"out", "force"} {
		if cmd.Flags().Changed(name) {
			return usageError{fmt.Errorf("--%s writes a file: --to publishes to Kafka instead; give one or the other", name)}
		}
	}
	if cmd.Flags().Changed("format") && format != "debezium" {
		return usageError{fmt.Errorf("--format %s: --to publishes Debezium's form only (leave --format out)", format)}
	}
	pub, err := a.publisher(cmd, dbz, to)
	if err != nil {
		return err
	}
	cfg, sc, err := a.generator(cmd, g)
	if err != nil {
		return err
	}
	if err := pub.open(cmd, sc); err != nil {
		return err
	}
	if err := pub.publish(cfg, sc, day, day); err != nil {
		return err
	}
	if a.json {
		return a.writeJSON(map[string]any{"day": day, "to": to, "records": pub.p.Sent(), "topics": pub.topics})
	}
	if !a.quiet {
		for _, n := range slices.Sorted(maps.Keys(pub.topics)) {
			fmt.Fprintf(a.stdout, "%s\t%d\n", n, pub.topics[n])
		}
	}
	return nil
}

// kafkaPublisher publishes days of the feed to Kafka, for changes --to
// and apply-delta --to.
type kafkaPublisher struct {
	a       *app
	to      string
	brokers []string
	enc     *feed.Debezium
	p       *kafka.Producer
	topics  map[string]int64
}

// publisher checks --to and the Debezium flags; nothing is contacted yet.
func (a *app) publisher(cmd *cobra.Command, dbz *debeziumFlags, to string) (*kafkaPublisher, error) {
	brokers, err := kafka.ParseURL(to)
	if err != nil {
		return nil, usageError{fmt.Errorf("--to: %w", err)}
	}
	do, err := dbz.options(cmd, "debezium")
	if err != nil {
		return nil, err
	}
	enc, err := feed.NewDebezium(do)
	if err != nil {
		return nil, usageError{err}
	}
	return &kafkaPublisher{a: a, to: to, brokers: brokers, enc: enc, topics: map[string]int64{}}, nil
}

// open connects to the brokers and makes the topics of the schemas'
// tables (exit 4 when they cannot be reached).
func (k *kafkaPublisher) open(cmd *cobra.Command, sc model.Schemas) error {
	p, err := kafka.Open(cmd.Context(), k.brokers, k.enc, sc, k.a.connectTimeout)
	if err != nil {
		return fmt.Errorf("%w: %w", originsim.ErrConnect, err)
	}
	k.p = p
	return nil
}

// publish sends the events of days from to to and waits for every
// record to be acknowledged; the producer is closed after.
func (k *kafkaPublisher) publish(cfg gen.Config, sc model.Schemas, from, to int) error {
	k.a.printEvent(originsim.Event{Kind: originsim.Title, Text: fmt.Sprintf("Publishing %s to %s...", daysText(from, to), k.to)})
	err := feed.Days(cfg, sc, from, to, func(e *feed.Event) error {
		k.topics[k.enc.Topic(e)]++
		if e.Op == feed.Delete {
			k.topics[k.enc.Topic(e)]++
		}
		return k.p.Write(e)
	})
	if cerr := k.p.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	k.a.printEvent(originsim.Event{Kind: originsim.Done, Text: fmt.Sprintf("Published %d records of %s to %d topics", k.p.Sent(), daysText(from, to), len(k.topics))})
	return nil
}

// close disconnects a producer that published nothing.
func (k *kafkaPublisher) close() {
	if k.p != nil {
		k.p.Close()
	}
}

func daysText(from, to int) string {
	if from == to {
		return fmt.Sprintf("day %d", from)
	}
	return fmt.Sprintf("days %d-%d", from, to)
}

// changesDay refuses a --day left out or out of range.
func changesDay(cmd *cobra.Command, day int) error {
	if !cmd.Flags().Changed("day") {
		return usageError{errors.New("--day: give the day, 0 (the baseline) to " + fmt.Sprint(gen.MaxDay))}
	}
	if err := gen.CheckDay(day, 0); err != nil {
		return usageError{err}
	}
	return nil
}
