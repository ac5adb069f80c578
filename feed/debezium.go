package feed

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/originsim/originsim/model"
)

// Debezium's decimal.handling.mode: how a DECIMAL column is encoded.
const (
	// DecimalPrecise, Debezium's default: Connect's Decimal logical type,
	// the unscaled value as big-endian two's complement bytes (base64 in
	// JSON), the scale in the schema.
	DecimalPrecise = "precise"
	// DecimalString: the value as text, "12.34".
	DecimalString = "string"
	// DecimalDouble: the value as a JSON number, as Java prints a double.
	DecimalDouble = "double"
)

// DecimalModes lists the decimal handling modes.
var DecimalModes = []string{DecimalPrecise, DecimalString, DecimalDouble}

// DebeziumOptions shape events as a Debezium PostgreSQL connector writes
// them through Kafka Connect's JsonConverter.
type DebeziumOptions struct {
	// Schemas is the converter's schemas.enable: each key and value is
	// {"schema": ..., "payload": ...}; without it the bare payload.
	Schemas bool
	// Decimal is the decimal handling mode; empty: DecimalPrecise.
	Decimal string
	// Prefix is the connector's topic.prefix: topics are
	// PREFIX.SCHEMA.TABLE, and it is source.name; empty: "originsim".
	Prefix string
	// DB is source.db, the database the connector reads; empty: "postgres".
	DB string
	// Version is source.version.
	Version string
}

// prefixRE is a topic prefix Kafka accepts in a topic name.
var prefixRE = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// Debezium encodes events as a Debezium PostgreSQL connector (its 3.x
// envelope) with the JSON converter does: the record key, the value, and
// the topic of each. Use NewDebezium.
type Debezium struct {
	o DebeziumOptions
	// the schemas of each table, rendered once: key, value.
	keySchema, valueSchema map[*model.Table]string
}

// NewDebezium checks the options and returns the encoder.
func NewDebezium(o DebeziumOptions) (*Debezium, error) {
	if o.Decimal == "" {
		o.Decimal = DecimalPrecise
	}
	if !slices.Contains(DecimalModes, o.Decimal) {
		return nil, fmt.Errorf("decimal handling %q: use precise, string or double", o.Decimal)
	}
	if o.Prefix == "" {
		o.Prefix = "originsim"
	}
	if !prefixRE.MatchString(o.Prefix) {
		return nil, fmt.Errorf("topic prefix %q: use letters, digits, '.', '_' and '-'", o.Prefix)
	}
	if o.DB == "" {
		o.DB = "postgres"
	}
	return &Debezium{o: o, keySchema: map[*model.Table]string{}, valueSchema: map[*model.Table]string{}}, nil
}

// topicChars are the characters Debezium's topic naming keeps; others
// become '_'.
var topicChars = regexp.MustCompile(`[^A-Za-z0-9._-]`)

// Topic is the event's topic, as Debezium names it: PREFIX.SCHEMA.TABLE.
func (d *Debezium) Topic(e *Event) string {
	return topicChars.ReplaceAllString(d.o.Prefix+"."+e.Schema+"."+e.Table.Name, "_")
}

// Key is the record key: the primary key, as a struct.
func (d *Debezium) Key(e *Event) []byte {
	t := e.Table
	payload := fmt.Sprintf(`{%q:%d}`, t.Key(), e.Key)
	if !d.o.Schemas {
		return []byte(payload)
	}
	s, ok := d.keySchema[t]
	if !ok {
		s = fmt.Sprintf(`{"type":"struct","fields":[%s],"optional":false,"name":%q}`, d.columnSchema(t.Columns[0], t.Key()), d.name(e, "Key"))
		d.keySchema[t] = s
	}
	return []byte(`{"schema":` + s + `,"payload":` + payload + `}`)
}

// name is a schema name of the event's table: PREFIX.SCHEMA.TABLE.kind.
func (d *Debezium) name(e *Event, kind string) string { return d.Topic(e) + "." + kind }

// Value is the record value: the envelope (before, after, source,
// transaction, op and the times), with its schema when Schemas is set.
// The baseline is a snapshot: its rows are reads (op r).
func (d *Debezium) Value(e *Event) ([]byte, error) {
	before, after, err := images(e, d.value)
	if err != nil {
		return nil, err
	}
	op := string(e.Op)
	if e.Day == 0 {
		op = "r"
	}
	var b strings.Builder
	if d.o.Schemas {
		s, ok := d.valueSchema[e.Table]
		if !ok {
			s = d.envelopeSchema(e)
			d.valueSchema[e.Table] = s
		}
		b.WriteString(`{"schema":` + s + `,"payload":`)
	}
	us := e.At.UnixMicro()
	fmt.Fprintf(&b, `{"before":%s,"after":%s,"source":%s,"transaction":null,"op":%q,"ts_ms":%d,"ts_us":%d,"ts_ns":%d}`,
		before, after, d.source(e), op, e.At.UnixMilli(), us, us*1000)
	if d.o.Schemas {
		b.WriteString("}")
	}
	return []byte(b.String()), nil
}

// The positions originsim stands in for the server's: the baseline is a
// snapshot at one log position in transaction txBase; day d (d >= 1) is
// one transaction, txBase+d, that begins at lsnOf(d) (its events follow,
// lsnStep apart) and commits just before lsnOf(d+1).
const (
	txBase  = 1000
	lsnStep = 16
)

func lsnOf(day int) int64 { return int64(day+1) << 32 }

// source is the source block, as the PostgreSQL connector fills it.
func (d *Debezium) source(e *Event) string {
	us := e.At.UnixMicro()
	snap, seq, lsn := "false", "", lsnOf(e.Day)
	if e.Day == 0 {
		snap, seq = d.snapshotMark(e), fmt.Sprintf(`[null,"%d"]`, lsn)
	} else {
		lsn += int64(e.Seq) * lsnStep
		seq = fmt.Sprintf(`["%d","%d"]`, lsnOf(e.Day)-lsnStep, lsn)
	}
	return fmt.Sprintf(`{"version":%q,"connector":"postgresql","name":%q,"ts_ms":%d,"snapshot":%q,"db":%q,"sequence":%q,"ts_us":%d,"ts_ns":%d,"schema":%q,"table":%q,"txId":%d,"lsn":%d,"xmin":null}`,
		d.o.Version, d.o.Prefix, e.At.UnixMilli(), snap, d.o.DB, seq, us, us*1000, e.Schema, e.Table.Name, txBase+e.Day, lsn)
}

// snapshotMark is Debezium's snapshot marker of a baseline row: "first"
// for the first row of the first table, "last" for the last row of the
// last, first_in_data_collection and last_in_data_collection for the
// first and last rows of the others, "true" between.
func (d *Debezium) snapshotMark(e *Event) string {
	tables := model.Tables()
	switch {
	case e.Last && e.Table.ID == tables[len(tables)-1].ID:
		return "last"
	case e.First && e.Table.ID == tables[0].ID:
		return "first"
	case e.Last:
		return "last_in_data_collection"
	case e.First:
		return "first_in_data_collection"
	}
	return "true"
}

// value encodes a column value as the connector does with
// time.precision.mode=adaptive: dates as days and timestamps as
// microseconds since the epoch; decimals by the decimal handling mode.
func (d *Debezium) value(k model.Kind, v any) any {
	if v == nil {
		return nil
	}
	switch k {
	case model.Decimal:
		c := v.(model.Cents)
		switch d.o.Decimal {
		case DecimalString:
			return c.String()
		case DecimalDouble:
			return json.RawMessage(javaDouble(float64(c) / 100))
		}
		return base64.StdEncoding.EncodeToString(twosComplement(int64(c)))
	case model.Date:
		// Days since the epoch, rounded down for dates before it.
		s := v.(time.Time).Unix()
		days := s / 86400
		if s < 0 && s%86400 != 0 {
			days--
		}
		return days
	case model.Timestamp:
		return v.(time.Time).UnixMicro()
	}
	return v
}

// twosComplement is v as Java's BigInteger.toByteArray writes it: the
// fewest big-endian bytes of its two's complement, sign included.
func twosComplement(v int64) []byte {
	n := 1
	for n < 8 && (v < -(1<<(8*n-1)) || v >= 1<<(8*n-1)) {
		n++
	}
	out := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = byte(v)
		v >>= 8
	}
	return out
}

// javaDouble prints f as Java's Double.toString does, which Kafka
// Connect's JSON writer uses: at least one digit after the point
// ("12.0"), and from 10^7 on (or below 10^-3) in computer notation
// ("9.999999999E7").
func javaDouble(f float64) string {
	a := f
	if a < 0 {
		a = -a
	}
	if a != 0 && (a >= 1e7 || a < 1e-3) {
		s := strconv.FormatFloat(f, 'E', -1, 64) // 9.999999999E+07
		mant, exp, _ := strings.Cut(s, "E")
		if !strings.Contains(mant, ".") {
			mant += ".0"
		}
		e, _ := strconv.Atoi(exp)
		return mant + "E" + strconv.Itoa(e)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

// columnSchema is a column's Connect schema, as JsonConverter writes it
// (keys in its order: type, optional, name, version, parameters, field).
func (d *Debezium) columnSchema(c model.Column, field string) string {
	opt := strconv.FormatBool(c.Nullable)
	switch c.Kind {
	case model.Int:
		return fmt.Sprintf(`{"type":"int32","optional":%s,"field":%q}`, opt, field)
	case model.Bool:
		return fmt.Sprintf(`{"type":"boolean","optional":%s,"field":%q}`, opt, field)
	case model.Date:
		return fmt.Sprintf(`{"type":"int32","optional":%s,"name":"io.debezium.time.Date","version":1,"field":%q}`, opt, field)
	case model.Timestamp:
		return fmt.Sprintf(`{"type":"int64","optional":%s,"name":"io.debezium.time.MicroTimestamp","version":1,"field":%q}`, opt, field)
	case model.Decimal:
		switch d.o.Decimal {
		case DecimalString:
			return fmt.Sprintf(`{"type":"string","optional":%s,"field":%q}`, opt, field)
		case DecimalDouble:
			return fmt.Sprintf(`{"type":"double","optional":%s,"field":%q}`, opt, field)
		}
		return fmt.Sprintf(`{"type":"bytes","optional":%s,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2","connect.decimal.precision":"10"},"field":%q}`, opt, field)
	}
	return fmt.Sprintf(`{"type":"string","optional":%s,"field":%q}`, opt, field)
}

// sourceSchema is the PostgreSQL connector's source block schema
// (io.debezium.connector.postgresql.Source, as Debezium 3.1 writes it).
const sourceSchema = `{"type":"struct","fields":[{"type":"string","optional":false,"field":"version"},{"type":"string","optional":false,"field":"connector"},{"type":"string","optional":false,"field":"name"},{"type":"int64","optional":false,"field":"ts_ms"},{"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,"parameters":{"allowed":"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental"},"default":"false","field":"snapshot"},{"type":"string","optional":false,"field":"db"},{"type":"string","optional":true,"field":"sequence"},{"type":"int64","optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts_ns"},{"type":"string","optional":false,"field":"schema"},{"type":"string","optional":false,"field":"table"},{"type":"int64","optional":true,"field":"txId"},{"type":"int64","optional":true,"field":"lsn"},{"type":"int64","optional":true,"field":"xmin"}],"optional":false,"name":"io.debezium.connector.postgresql.Source","version":1,"field":"source"}`

// transactionSchema is the transaction block's (event.block).
const transactionSchema = `{"type":"struct","fields":[{"type":"string","optional":false,"field":"id"},{"type":"int64","optional":false,"field":"total_order"},{"type":"int64","optional":false,"field":"data_collection_order"}],"optional":true,"name":"event.block","version":1,"field":"transaction"}`

// envelopeSchema is the value schema of the event's table: the envelope
// (version 2, as Debezium 2.7 and 3.x write it).
func (d *Debezium) envelopeSchema(e *Event) string {
	cols := make([]string, len(e.Table.Columns))
	for i, c := range e.Table.Columns {
		cols[i] = d.columnSchema(c, c.Name)
	}
	row := func(field string) string {
		return fmt.Sprintf(`{"type":"struct","fields":[%s],"optional":true,"name":%q,"field":%q}`, strings.Join(cols, ","), d.name(e, "Value"), field)
	}
	return fmt.Sprintf(`{"type":"struct","fields":[%s,%s,%s,%s,{"type":"string","optional":false,"field":"op"},{"type":"int64","optional":true,"field":"ts_ms"},{"type":"int64","optional":true,"field":"ts_us"},{"type":"int64","optional":true,"field":"ts_ns"}],"optional":false,"name":%q,"version":2}`,
		row("before"), row("after"), sourceSchema, transactionSchema, d.name(e, "Envelope"))
}
