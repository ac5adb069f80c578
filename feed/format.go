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
//   - debezium: one {"payload": {...}} envelope per line, as Debezium's JSON
//     converter writes without schemas: before, after, source (version,
//     connector, name, ts_ms, snapshot, db, schema, table), op, ts_ms.
//     Values as Debezium encodes them with time.precision.mode=adaptive
//     and decimal.handling.mode=string: timestamps as microseconds since
//     the epoch, dates as days since the epoch, decimals as strings.
//   - csv: a header, then day, seq, op, kind, schema, table, key, ts, and
//     the before and after rows as JSON objects (jsonl's encoding).
func NewWriter(w io.Writer, format, version string) (Writer, error) {
	b := bufio.NewWriterSize(w, 1<<16)
	switch format {
	case "jsonl":
		return &jsonlWriter{w: b}, nil
	case "debezium":
		return &debeziumWriter{w: b, version: version}, nil
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

// debezium encodes a value as Debezium does (see NewWriter).
func debezium(k model.Kind, v any) any {
	if v == nil {
		return nil
	}
	switch k {
	case model.Decimal:
		return v.(model.Cents).String()
	case model.Date:
		// Days since the epoch, rounded down for dates before it.
		s := v.(time.Time).Unix()
		d := s / 86400
		if s < 0 && s%86400 != 0 {
			d--
		}
		return d
	case model.Timestamp:
		return v.(time.Time).UnixMicro()
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

type debeziumWriter struct {
	w       *bufio.Writer
	version string
}

func (d *debeziumWriter) Write(e *Event) error {
	before, after, err := images(e, debezium)
	if err != nil {
		return err
	}
	ms := e.At.UnixMilli()
	_, err = fmt.Fprintf(d.w, `{"payload":{"before":%s,"after":%s,"source":{"version":%q,"connector":"originsim","name":"originsim","ts_ms":%d,"snapshot":%q,"db":"","schema":%q,"table":%q,"day":%d,"seq":%d},"op":%q,"ts_ms":%d}}`+"\n",
		before, after, d.version, ms, snapshot(e), e.Schema, e.Table.Name, e.Day, e.Seq, e.Op, ms)
	return err
}

// snapshot is Debezium's marker for rows of an initial snapshot: the
// baseline is one.
func snapshot(e *Event) string {
	if e.Day == 0 {
		return "true"
	}
	return "false"
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
