package export

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/driver/duckdb"
	"github.com/originsim/originsim/model"
)

// The text forms of the files, the same on every path (DuckDB's COPY and
// the files written here): dates 2025-01-01, timestamps with six fractional
// digits 2025-01-01 07:30:00.000000, decimals with two places 12.50 (in
// JSON a string, "12.50", so no reader turns money into a float), booleans
// true/false. NULL is an empty CSV field and JSON null; an empty string is
// "" in CSV, so the two stay apart.
const (
	exportDate      = "2006-01-02"
	exportTimestamp = "2006-01-02 15:04:05.000000"
)

// sink writes one table's rows to one file.
type sink interface {
	write(ctx context.Context, row []any) error
	// finish completes the file; abort leaves it to be removed.
	finish(ctx context.Context) error
	abort()
}

// textSink writes CSV or JSON lines, byte for byte what DuckDB's COPY
// writes (see driver/duckdb's CopyTable).
type textSink struct {
	f      *os.File
	w      *bufio.Writer
	t      *model.Table
	format Format
	buf    []byte
}

func newTextSink(path string, t *model.Table, format Format) (*textSink, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	s := &textSink{f: f, w: bufio.NewWriterSize(f, 1<<20), t: t, format: format}
	if format == CSV {
		_, err = s.w.WriteString(strings.Join(t.ColumnNames(), ",") + "\n")
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func (s *textSink) write(_ context.Context, row []any) error {
	if s.format == CSV {
		s.buf = appendCSVRow(s.buf[:0], s.t, row)
	} else {
		s.buf = appendJSONRow(s.buf[:0], s.t, row)
	}
	_, err := s.w.Write(s.buf)
	return err
}

func (s *textSink) finish(context.Context) error {
	err := s.w.Flush()
	if err == nil {
		err = s.f.Sync()
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s *textSink) abort() { s.f.Close() }

// appendCSVRow renders a row as DuckDB's CSV writer does: a field is quoted
// when it holds a comma, a quote or a line break, or is an empty string.
func appendCSVRow(b []byte, t *model.Table, row []any) []byte {
	for i, c := range t.Columns {
		if i > 0 {
			b = append(b, ',')
		}
		v := row[i]
		if v == nil {
			continue
		}
		if c.Kind != model.Text {
			b = appendText(b, c.Kind, v)
			continue
		}
		s := v.(string)
		if s != "" && !strings.ContainsAny(s, ",\"\r\n") {
			b = append(b, s...)
			continue
		}
		b = append(b, '"')
		b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
		b = append(b, '"')
	}
	return append(b, '\n')
}

// appendJSONRow renders a row as one JSON object, keys in column order, as
// DuckDB's JSON writer does.
func appendJSONRow(b []byte, t *model.Table, row []any) []byte {
	b = append(b, '{')
	for i, c := range t.Columns {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, c.Name)
		b = append(b, ':')
		v := row[i]
		switch {
		case v == nil:
			b = append(b, "null"...)
		case c.Kind == model.Int || c.Kind == model.Bool:
			b = appendText(b, c.Kind, v)
		case c.Kind == model.Text:
			b = appendJSONString(b, v.(string))
		default:
			b = append(b, '"')
			b = appendText(b, c.Kind, v)
			b = append(b, '"')
		}
	}
	return append(b, '}', '\n')
}

// appendText renders a non-NULL value of a kind other than Text.
func appendText(b []byte, k model.Kind, v any) []byte {
	switch k {
	case model.Int:
		return strconv.AppendInt(b, v.(int64), 10)
	case model.Decimal:
		return append(b, v.(model.Cents).String()...)
	case model.Date:
		return v.(time.Time).AppendFormat(b, exportDate)
	case model.Timestamp:
		return v.(time.Time).AppendFormat(b, exportTimestamp)
	case model.Bool:
		return strconv.AppendBool(b, v.(bool))
	}
	panic(fmt.Sprintf("export: no text form for kind %v", k))
}

// appendJSONString escapes as DuckDB's JSON writer (yyjson) does: quote,
// backslash and control characters only; everything else as it is.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// scratchSchema is where the scratch tables live.
const scratchSchema = "main"

// parquetSink gathers a table's rows in the scratch database, a batch at a
// time, and copies them to the file when the table is complete.
type parquetSink struct {
	sc   *duckdb.Scratch
	t    *model.Table
	path string
	rows [][]any
}

func newParquetSink(ctx context.Context, sc *duckdb.Scratch, path string, t *model.Table) (*parquetSink, error) {
	err := sc.Exec(ctx, func(tx driver.Tx) error { return tx.Exec(ctx, duckdb.PlainTable(t)) })
	if err != nil {
		return nil, err
	}
	return &parquetSink{sc: sc, t: t, path: path}, nil
}

func (p *parquetSink) write(ctx context.Context, row []any) error {
	p.rows = append(p.rows, append([]any(nil), row...))
	if len(p.rows) < originsim.BatchRows {
		return nil
	}
	return p.flush(ctx)
}

func (p *parquetSink) flush(ctx context.Context) error {
	if len(p.rows) == 0 {
		return nil
	}
	err := p.sc.Exec(ctx, func(tx driver.Tx) error { return tx.Insert(ctx, scratchSchema, p.t, p.rows) })
	p.rows = p.rows[:0]
	return err
}

// finish copies the table out in the order it was appended (DuckDB keeps
// insertion order without an ORDER BY), then drops it.
func (p *parquetSink) finish(ctx context.Context) error {
	if err := p.flush(ctx); err != nil {
		return err
	}
	return p.sc.Exec(ctx, func(tx driver.Tx) error {
		if err := tx.(driver.FileCopier).CopyTable(ctx, scratchSchema, p.t, p.path, string(Parquet), true); err != nil {
			return err
		}
		return tx.Exec(ctx, duckdb.Dialect.DropTable(scratchSchema, p.t))
	})
}

func (p *parquetSink) abort() { p.rows = nil }
