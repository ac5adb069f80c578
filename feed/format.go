package feed

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// Formats lists the formats a Writer writes.
var Formats = []string{"jsonl", "debezium", "csv"}

// Writer writes events in one format.
type Writer interface {
	Write(e *Event) error
	// Flush writes what is buffered; call it once at the end.
	Flush() error
}

// NewWriter returns a writer of the named format (see Formats).
//
//   - jsonl: one JSON object per line: day, seq, op, kind, schema, table,
//     key, ts, before, after. Decimals are JSON numbers with two decimals,
//     timestamps "2006-01-02T15:04:05.999999" (no zone: the columns have
//     none), dates "2006-01-02".
//   - debezium: each event's record value, one a line, as a Debezium
//     PostgreSQL connector writes it through Kafka Connect's JsonConverter
//     with schemas disabled (see Debezium and NewDebeziumWriter for the
//     other forms).
//   - csv: a header, then day, seq, op, kind, schema, table, key, ts, and
//     the before and after rows as JSON objects (jsonl's encoding).
func NewWriter(w io.Writer, format, version string) (Writer, error) {
	b := bufio.NewWriterSize(w, 1<<16)
	switch format {
	case "jsonl":
		return &jsonlWriter{w: b}, nil
	case "debezium":
		return NewDebeziumWriter(w, DebeziumOptions{Version: version})
	case "csv":
		c := csv.NewWriter(b)
		err := c.Write([]string{"day", "seq", "op", "kind", "schema", "table", "key", "ts", "before", "after"})
		return &csvWriter{b: b, c: c}, err
	}
	return nil, fmt.Errorf("unknown format %q: use one of jsonl, debezium, csv", format)
}

// kind names a change the way the feed spells it.
func kind(k changeset.Kind) string {
	switch k {
	case changeset.Insert:
		return "insert"
	case changeset.Update:
		return "update"
	case changeset.SoftDelete:
		return "soft_delete"
	}
	return "delete"
}

const tsLayout = "2006-01-02T15:04:05.999999"

// plain encodes a value for jsonl and csv.
func plain(k model.Kind, v any) any {
	if v == nil {
		return nil
	}
	switch k {
	case model.Decimal:
		return json.RawMessage(v.(model.Cents).String())
	case model.Date:
		return v.(time.Time).Format(time.DateOnly)
	case model.Timestamp:
		return v.(time.Time).Format(tsLayout)
	}
	return v
}

// object encodes a row as a JSON object with its columns in table order.
func object(t *model.Table, row []any, enc func(model.Kind, any) any) ([]byte, error) {
	if row == nil {
		return []byte("null"), nil
	}
	out := []byte{'{'}
	for i, c := range t.Columns {
		if i > 0 {
			out = append(out, ',')
		}
		out = strconv.AppendQuote(out, c.Name)
		out = append(out, ':')
		v, err := json.Marshal(enc(c.Kind, row[i]))
		if err != nil {
			return nil, err
		}
		out = append(out, v...)
	}
	return append(out, '}'), nil
}

// images encodes an event's rows before and after.
func images(e *Event, enc func(model.Kind, any) any) (before, after []byte, err error) {
	if before, err = object(e.Table, e.Before, enc); err != nil {
		return nil, nil, err
	}
	after, err = object(e.Table, e.After, enc)
	return before, after, err
}

type jsonlWriter struct{ w *bufio.Writer }

func (j *jsonlWriter) Write(e *Event) error {
	before, after, err := images(e, plain)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(j.w, `{"day":%d,"seq":%d,"op":%q,"kind":%q,"schema":%q,"table":%q,"key":{%q:%d},"ts":%q,"before":%s,"after":%s}`+"\n",
		e.Day, e.Seq, e.Op, kind(e.Kind), e.Schema, e.Table.Name, e.Table.Key(), e.Key, e.At.Format(tsLayout), before, after)
	return err
}

func (j *jsonlWriter) Flush() error { return j.w.Flush() }

// NewDebeziumWriter writes each event's record value (see Debezium), one
// a line, as kafka-console-producer or a file source takes them. Keys and
// the tombstones after deletes need a keyed output: see Debezium.
func NewDebeziumWriter(w io.Writer, o DebeziumOptions) (Writer, error) {
	enc, err := NewDebezium(o)
	if err != nil {
		return nil, err
	}
	return &debeziumWriter{w: bufio.NewWriterSize(w, 1<<16), enc: enc}, nil
}

type debeziumWriter struct {
	w   *bufio.Writer
	enc *Debezium
}

func (d *debeziumWriter) Write(e *Event) error {
	v, err := d.enc.Value(e)
	if err != nil {
		return err
	}
	d.w.Write(v)
	return d.w.WriteByte('\n')
}

func (d *debeziumWriter) Flush() error { return d.w.Flush() }

type csvWriter struct {
	b *bufio.Writer
	c *csv.Writer
}

func (c *csvWriter) Write(e *Event) error {
	before, after, err := images(e, plain)
	if err != nil {
		return err
	}
	if e.Before == nil {
		before = nil
	}
	if e.After == nil {
		after = nil
	}
	return c.c.Write([]string{strconv.Itoa(e.Day), strconv.Itoa(e.Seq), string(e.Op), kind(e.Kind), e.Schema, e.Table.Name,
		strconv.FormatInt(e.Key, 10), e.At.Format(tsLayout), string(before), string(after)})
}

func (c *csvWriter) Flush() error {
	c.c.Flush()
	if err := c.c.Error(); err != nil {
		return err
	}
	return c.b.Flush()
}
