package feed_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/originsim/originsim/feed"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// connectSchema is a Kafka Connect schema as JsonConverter reads it
// (apache/kafka connect/json JsonConverter.asConnectSchema, Kafka 3.x).
type connectSchema struct {
	Type       string            `json:"type"`
	Optional   bool              `json:"optional"`
	Name       string            `json:"name"`
	Version    *int              `json:"version"`
	Parameters map[string]string `json:"parameters"`
	Default    json.RawMessage   `json:"default"`
	Fields     []connectSchema   `json:"fields"`
	Field      string            `json:"field"`
}

// connectTypes are the type names JsonConverter knows.
var connectTypes = []string{"boolean", "int8", "int16", "int32", "int64", "float", "double", "bytes", "string", "array", "map", "struct"}

// connectRead decodes a record as JsonConverter with schemas.enable=true
// does: exactly "schema" and "payload" at the top, a schema whose every
// type is known and whose versions are integers and parameters strings,
// and the payload read by it (a required field must be there and not
// null, unless it has a default; Decimal bytes are base64 of the
// unscaled two's complement value, scaled by the schema's "scale").
func connectRead(msg []byte) (any, connectSchema, error) {
	var top map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(msg))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil {
		return nil, connectSchema{}, err
	}
	if len(top) != 2 || top["schema"] == nil || top["payload"] == nil {
		return nil, connectSchema{}, errors.New(`JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields`)
	}
	var s connectSchema
	if err := json.Unmarshal(top["schema"], &s); err != nil {
		return nil, s, err
	}
	if err := checkSchema(s); err != nil {
		return nil, s, err
	}
	var payload any
	d := json.NewDecoder(bytes.NewReader(top["payload"]))
	d.UseNumber()
	if err := d.Decode(&payload); err != nil {
		return nil, s, err
	}
	v, err := connectValue(s, payload)
	return v, s, err
}

func checkSchema(s connectSchema) error {
	if !slices.Contains(connectTypes, s.Type) {
		return fmt.Errorf("unknown schema type %q", s.Type)
	}
	if s.Type == "struct" {
		for _, f := range s.Fields {
			if f.Field == "" {
				return errors.New("struct field without a name")
			}
			if err := checkSchema(f); err != nil {
				return fmt.Errorf("%s: %w", f.Field, err)
			}
		}
	}
	return nil
}

// connectValue converts a payload value by its schema into Go values:
// structs as map[string]any, integers as int64, Decimals as *big.Rat.
func connectValue(s connectSchema, v any) (any, error) {
	if v == nil {
		if !s.Optional && s.Default == nil {
			return nil, errors.New("a required field is null")
		}
		return nil, nil
	}
	switch s.Type {
	case "struct":
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errors.New("a struct that is not an object")
		}
		out := map[string]any{}
		for _, f := range s.Fields {
			fv, err := connectValue(f, m[f.Field])
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f.Field, err)
			}
			out[f.Field] = fv
		}
		return out, nil
	case "int8", "int16", "int32", "int64":
		n, ok := v.(json.Number)
		if !ok {
			return nil, fmt.Errorf("%s that is not a number: %v", s.Type, v)
		}
		i, err := n.Int64()
		bits := map[string]int{"int8": 8, "int16": 16, "int32": 32, "int64": 64}[s.Type]
		if err != nil || (bits < 64 && (i < -(1<<(bits-1)) || i >= 1<<(bits-1))) {
			return nil, fmt.Errorf("%v does not fit %s", v, s.Type)
		}
		return i, nil
	case "double", "float":
		n, ok := v.(json.Number)
		if !ok {
			return nil, errors.New("a double that is not a number")
		}
		return n.Float64()
	case "boolean":
		b, ok := v.(bool)
		if !ok {
			return nil, errors.New("a boolean that is not one")
		}
		return b, nil
	case "string":
		str, ok := v.(string)
		if !ok {
			return nil, errors.New("a string that is not one")
		}
		return str, nil
	case "bytes":
		str, ok := v.(string)
		if !ok {
			return nil, errors.New("bytes that are not base64 text")
		}
		b, err := base64.StdEncoding.DecodeString(str)
		if err != nil {
			return nil, err
		}
		if s.Name != "org.apache.kafka.connect.data.Decimal" {
			return b, nil
		}
		scale, err := strconv.Atoi(s.Parameters["scale"])
		if err != nil {
			return nil, errors.New("a Decimal without a scale")
		}
		// Big-endian two's complement, as BigInteger(byte[]) reads it.
		u := new(big.Int).SetBytes(b)
		if len(b) > 0 && b[0]&0x80 != 0 {
			u.Sub(u, new(big.Int).Lsh(big.NewInt(1), uint(8*len(b))))
		}
		return new(big.Rat).SetFrac(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale)), nil)), nil
	}
	return nil, fmt.Errorf("type %s in a payload", s.Type)
}

// modelValue turns a decoded column back into originsim's value, by the
// Debezium name of its schema.
func modelValue(s connectSchema, v any) any {
	if v == nil {
		return nil
	}
	switch {
	case s.Name == "io.debezium.time.MicroTimestamp":
		return time.UnixMicro(v.(int64)).UTC()
	case s.Name == "io.debezium.time.Date":
		return time.Unix(v.(int64)*86400, 0).UTC()
	case s.Name == "org.apache.kafka.connect.data.Decimal":
		r := new(big.Rat).Mul(v.(*big.Rat), big.NewRat(100, 1))
		return model.Cents(r.Num().Int64())
	case s.Type == "double":
		return model.Cents(int64(v.(float64)*100 + 0.5))
	}
	return v
}

func sameRow(t *model.Table, s connectSchema, got any, want []any) error {
	if want == nil {
		if got != nil {
			return fmt.Errorf("want null, got %v", got)
		}
		return nil
	}
	m, ok := got.(map[string]any)
	if !ok {
		return fmt.Errorf("want a row, got %v", got)
	}
	for i, c := range t.Columns {
		gv := modelValue(s.Fields[i], m[c.Name])
		wv := want[i]
		if c.Kind == model.Decimal && s.Fields[i].Type == "string" && gv != nil {
			if wv == nil || gv.(string) != wv.(model.Cents).String() {
				return fmt.Errorf("%s: got %v, want %v", c.Name, gv, wv)
			}
			continue
		}
		if c.Kind == model.Int && gv != nil {
			wv = want[i].(int64)
		}
		if fmt.Sprint(gv) != fmt.Sprint(wv) {
			return fmt.Errorf("%s: got %v, want %v", c.Name, gv, wv)
		}
	}
	return nil
}

// With schemas, every key and value of days 0 and 1 (both delete modes,
// every decimal mode) is what JsonConverter (schemas.enable=true)
// accepts, and decodes back to exactly the event's key and rows; the
// envelope's fields are Debezium's, in its order.
func TestDebeziumDecodesAsJsonConverter(t *testing.T) {
	for _, hard := range []bool{false, true} {
		for _, mode := range feed.DecimalModes {
			cfg := gen.Default()
			cfg.HardDeletes = hard
			enc, err := feed.NewDebezium(feed.DebeziumOptions{Schemas: true, Decimal: mode, Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			ops := map[string]int{}
			var baseline []string // the tables with rows on day 0
			err = feed.Days(cfg, model.DefaultSchemas, 0, 1, func(e *feed.Event) error {
				key, ks, err := connectRead(enc.Key(e))
				if err != nil {
					return fmt.Errorf("key: %w", err)
				}
				if ks.Name != "originsim."+e.Schema+"."+e.Table.Name+".Key" || fmt.Sprint(key) != fmt.Sprintf("map[%s:%d]", e.Table.Key(), e.Key) {
					return fmt.Errorf("key %v (%s)", key, ks.Name)
				}
				msg, err := enc.Value(e)
				if err != nil {
					return err
				}
				v, s, err := connectRead(msg)
				if err != nil {
					return fmt.Errorf("value: %w: %s", err, msg)
				}
				var names []string
				for _, f := range s.Fields {
					names = append(names, f.Field)
				}
				if s.Name != "originsim."+e.Schema+"."+e.Table.Name+".Envelope" || s.Version == nil || *s.Version != 2 ||
					strings.Join(names, ",") != "before,after,source,transaction,op,ts_ms,ts_us,ts_ns" {
					return fmt.Errorf("envelope schema %s v%v %v", s.Name, s.Version, names)
				}
				p := v.(map[string]any)
				if err := sameRow(e.Table, s.Fields[0], p["before"], e.Before); err != nil {
					return fmt.Errorf("day %d seq %d before: %w", e.Day, e.Seq, err)
				}
				if err := sameRow(e.Table, s.Fields[1], p["after"], e.After); err != nil {
					return fmt.Errorf("day %d seq %d after: %w", e.Day, e.Seq, err)
				}
				src := p["source"].(map[string]any)
				if src["connector"] != "postgresql" || src["db"] != "postgres" || src["schema"] != e.Schema || src["table"] != e.Table.Name ||
					src["lsn"] == nil || src["txId"] != int64(1000+e.Day) || src["ts_ms"] != e.At.UnixMilli() {
					return fmt.Errorf("source %v", src)
				}
				ops[fmt.Sprintf("%d %v %v", e.Day, p["op"], src["snapshot"])]++
				if e.Day == 0 && !slices.Contains(baseline, e.Table.Name) {
					baseline = append(baseline, e.Table.Name)
				}
				return nil
			})
			if err != nil {
				t.Fatalf("hard=%v decimal=%s: %v", hard, mode, err)
			}
			// The baseline is a snapshot of reads, marked first and last
			// as Debezium marks them; day 1 streams.
			if ops["0 r first"] != 1 || ops["0 r last"] != 1 || ops["0 r first_in_data_collection"] != len(baseline)-1 ||
				ops["0 r last_in_data_collection"] != len(baseline)-1 || ops["1 c false"] == 0 || ops["1 u false"] == 0 {
				t.Fatalf("hard=%v: ops and snapshot marks %v", hard, ops)
			}
			if hard && ops["1 d false"] == 0 {
				t.Fatalf("hard deletes: no delete event on day 1: %v", ops)
			}
		}
	}
}

// flinkRows decodes a message as Flink's debezium-json format does
// (DebeziumJsonDeserializationSchema, Flink 1.15-1.20): a null message is
// skipped (a tombstone); with schema-include the envelope is under
// "payload"; op c and r give an INSERT of after, u an UPDATE_BEFORE of
// before and an UPDATE_AFTER of after (before must not be null: REPLICA
// IDENTITY FULL), d a DELETE of before; any other op is an error. DECIMAL
// columns are read as text (new BigDecimal(text)), so Debezium's precise
// bytes do not parse.
func flinkRows(msg []byte, schemaInclude bool, t *model.Table) ([]string, error) {
	if len(msg) == 0 {
		return nil, nil
	}
	var env map[string]any
	d := json.NewDecoder(bytes.NewReader(msg))
	d.UseNumber()
	if err := d.Decode(&env); err != nil {
		return nil, err
	}
	if schemaInclude {
		env, _ = env["payload"].(map[string]any)
	}
	row := func(kind string, v any) (string, error) {
		m, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf(`the "before" field of %s message is null, if you are using Debezium Postgres Connector, please check the Postgres table has been set REPLICA IDENTITY to FULL level`, kind)
		}
		for _, c := range t.Columns {
			if c.Kind == model.Decimal && m[c.Name] != nil {
				if _, ok := new(big.Rat).SetString(fmt.Sprint(m[c.Name])); !ok {
					return "", fmt.Errorf("decimal %v is not a number", m[c.Name])
				}
			}
		}
		return kind + " " + fmt.Sprint(m[t.Key()]), nil
	}
	op, _ := env["op"].(string)
	switch op {
	case "c", "r":
		r, err := row("INSERT", env["after"])
		return []string{r}, err
	case "u":
		b, err := row("UPDATE", env["before"])
		if err != nil {
			return nil, err
		}
		a, err := row("UPDATE_AFTER", env["after"])
		return []string{strings.Replace(b, "UPDATE", "UPDATE_BEFORE", 1), a}, err
	case "d":
		r, err := row("DELETE", env["before"])
		return []string{r}, err
	}
	return nil, fmt.Errorf(`unknown "op" value %q`, op)
}

// Flink's debezium-json reads every event of day 1 (both delete modes)
// into the rows the change means, with and without schemas, with string
// and double decimals; precise decimals (base64 bytes) it cannot read, as
// the README says.
func TestDebeziumDecodesAsFlink(t *testing.T) {
	for _, hard := range []bool{false, true} {
		cfg := gen.Default()
		cfg.HardDeletes = hard
		for _, schemas := range []bool{false, true} {
			for _, mode := range feed.DecimalModes {
				enc, err := feed.NewDebezium(feed.DebeziumOptions{Schemas: schemas, Decimal: mode})
				if err != nil {
					t.Fatal(err)
				}
				var failed error
				err = feed.Day(cfg, model.DefaultSchemas, 1, func(e *feed.Event) error {
					msg, err := enc.Value(e)
					if err != nil {
						return err
					}
					rows, err := flinkRows(msg, schemas, e.Table)
					if err != nil {
						failed = err
						return nil
					}
					want := map[feed.Op][]string{feed.Create: {"INSERT"}, feed.Update: {"UPDATE_BEFORE", "UPDATE_AFTER"}, feed.Delete: {"DELETE"}}[e.Op]
					for i, r := range rows {
						if r != fmt.Sprintf("%s %d", want[i], e.Key) {
							return fmt.Errorf("%s event %d: Flink reads %v", e.Op, e.Seq, rows)
						}
					}
					if len(rows) != len(want) {
						return fmt.Errorf("%s event %d: Flink reads %v", e.Op, e.Seq, rows)
					}
					return nil
				})
				if err != nil {
					t.Fatalf("hard=%v schemas=%v %s: %v", hard, schemas, mode, err)
				}
				if (failed != nil) != (mode == feed.DecimalPrecise) {
					t.Fatalf("hard=%v schemas=%v %s: Flink's error %v", hard, schemas, mode, failed)
				}
			}
		}
	}
	// A tombstone is skipped.
	if rows, err := flinkRows(nil, false, model.Get(model.Orders)); rows != nil || err != nil {
		t.Fatalf("tombstone: %v %v", rows, err)
	}
}

// Decimals as Debezium writes them: two's complement bytes as Java's
// BigInteger.toByteArray, Java's Double.toString.
func TestDebeziumDecimals(t *testing.T) {
	for cents, want := range map[model.Cents][3]string{
		1234:        {"BNI=", "12.34", "12.34"},
		100:         {"ZA==", "1.00", "1.0"},
		-100:        {"nA==", "-1.00", "-1.0"},
		128:         {"AIA=", "1.28", "1.28"},
		0:           {"AA==", "0.00", "0.0"},
		9999999999:  {"AlQL4/8=", "99999999.99", "9.999999999E7"},
		-9999999999: {"/av0HAE=", "-99999999.99", "-9.999999999E7"},
	} {
		for i, mode := range feed.DecimalModes {
			enc, err := feed.NewDebezium(feed.DebeziumOptions{Decimal: mode})
			if err != nil {
				t.Fatal(err)
			}
			tb := model.Get(model.Products)
			row := make([]any, len(tb.Columns))
			for j, c := range tb.Columns {
				switch c.Kind {
				case model.Decimal:
					row[j] = cents
				case model.Int:
					row[j] = int64(1)
				case model.Text:
					row[j] = "x"
				case model.Timestamp, model.Date:
					row[j] = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
				case model.Bool:
					row[j] = true
				}
			}
			msg, err := enc.Value(&feed.Event{Day: 1, Seq: 1, Op: feed.Create, Schema: "s", Table: tb, Key: 1, After: row, At: time.Unix(0, 0)})
			if err != nil {
				t.Fatal(err)
			}
			q := want[i]
			if mode != feed.DecimalDouble {
				q = strconv.Quote(q)
			}
			if !bytes.Contains(msg, []byte(`"price":`+q)) {
				t.Errorf("%d cents, %s: want %s in %s", cents, mode, q, msg)
			}
		}
	}
}
