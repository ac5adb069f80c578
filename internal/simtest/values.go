package simtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// valuesTable holds one column of every kind, all nullable but the key.
var valuesTable = &model.Table{
	ID: -1, System: model.Shop, Name: "ostest_values",
	Columns: []model.Column{
		{Name: "id", Kind: model.Int},
		{Name: "txt", Kind: model.Text, Size: 40, Nullable: true},
		{Name: "amount", Kind: model.Decimal, Nullable: true},
		{Name: "day", Kind: model.Date, Nullable: true},
		{Name: "at", Kind: model.Timestamp, Nullable: true},
		{Name: "flag", Kind: model.Bool, Nullable: true},
		{Name: "n", Kind: model.Int, Nullable: true},
	},
}

func ts(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.999999", s)
	if err != nil {
		panic(err)
	}
	return t
}

// Edge values each target must write and read back unchanged.
var (
	texts = []any{"", "O'Brien", `back\slash`, "tab\there", "new\nline", "Zoë Ünïcødé 東京 🎉", `"quoted" 100% _x_`,
		"semi;colon -- not a comment", strings.Repeat("x", 40)}
	amounts = []any{model.Cents(0), model.Cents(1), model.Cents(-5), model.Cents(9999999999), model.Cents(-9999999999), model.Cents(129999)}
	days    = []any{ts("1970-01-01 00:00:00"), ts("1999-12-31 00:00:00"), ts("2000-01-01 00:00:00"), ts("2038-01-20 00:00:00"),
		ts("1900-03-01 00:00:00"), ts("2099-12-31 00:00:00")}
	stamps = []any{ts("1999-12-31 23:59:59.999999"), ts("2000-01-01 00:00:00.000001"), ts("1969-12-31 23:59:59.5"),
		ts("2025-03-30 02:30:00"), ts("2038-01-19 03:14:08.123456"), ts("1900-01-01 00:00:00"), ts("2025-01-01 12:34:56.789012")}
	flags = []any{true, false}
	ints  = []any{int64(2147483647), int64(-2147483648), int64(0), int64(42)}
)

func valueRows(n, shift int) [][]any {
	pick := func(vals []any, i int) any {
		if (i+shift)%5 == 4 {
			return nil
		}
		return vals[(i+shift)%len(vals)]
	}
	rows := make([][]any, n)
	for i := range rows {
		rows[i] = []any{int64(i + 1), pick(texts, i), pick(amounts, i), pick(days, i), pick(stamps, i), pick(flags, i), pick(ints, i)}
	}
	return rows
}

// values writes edge values with Insert and Update and reads them back.
func (s *suite) values(t *testing.T) {
	ctx := t.Context()
	sc := s.newSchemas(t)
	tb := valuesTable
	const n = 12
	want := valueRows(n, 0)
	err := s.raw(ctx, func(ctx context.Context, d driver.Dialect, tx driver.Tx) error {
		if err := tx.Exec(ctx, d.CreateSchema(sc.Shop)); err != nil {
			return err
		}
		if err := tx.Exec(ctx, d.CreateTable(sc.Shop, tb)); err != nil {
			return err
		}
		if err := tx.Insert(ctx, sc.Shop, tb, want); err != nil {
			return err
		}
		if err := compareRows(ctx, d, tx, sc.Shop, "after insert", want); err != nil {
			return err
		}
		// Update every column of the even rows to other values, NULLs
		// included, in one statement.
		upd := valueRows(n, 3)
		var set [][]any
		for i := 0; i < n; i += 2 {
			set = append(set, upd[i])
			want[i] = upd[i]
		}
		if err := tx.Exec(ctx, d.Update(sc.Shop, tb, tb.ColumnNames(), set)); err != nil {
			return fmt.Errorf("update: %w", err)
		}
		// A column set only to NULLs.
		if err := tx.Exec(ctx, d.Update(sc.Shop, tb, []string{"id", "at", "amount"}, [][]any{{int64(2), nil, nil}, {int64(4), nil, nil}})); err != nil {
			return fmt.Errorf("update to NULL: %w", err)
		}
		want[1][4], want[1][2], want[3][4], want[3][2] = nil, nil, nil, nil
		return compareRows(ctx, d, tx, sc.Shop, "after update", want)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func compareRows(ctx context.Context, d driver.Dialect, tx driver.Tx, schema, when string, want [][]any) error {
	tb := valuesTable
	var got [][]any
	err := tx.Query(ctx, d.Select(schema, tb), driver.Kinds(tb), func(v []any) error {
		got = append(got, append([]any(nil), v...))
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: read: %w", when, err)
	}
	if len(got) != len(want) {
		return fmt.Errorf("%s: %d rows read, %d written", when, len(got), len(want))
	}
	var errs []error
	for i := range want {
		for j, c := range tb.Columns {
			g, w := model.Canonical(c.Kind, got[i][j]), model.Canonical(c.Kind, want[i][j])
			if g != w {
				errs = append(errs, fmt.Errorf("%s: row %d %s: read %q, wrote %q", when, i+1, c.Name, g, w))
			}
		}
	}
	return errors.Join(errs...)
}

// connect checks that connection failures are fast, clear and never show
// the password. Only for server URLs.
func (s *suite) connect(t *testing.T) {
	base, err := url.Parse(s.url)
	if err != nil || base.Host == "" {
		t.Skip("not a server URL")
	}
	const secret = "Ostest-Secret-Pw-91"
	open := func(u *url.URL) (time.Duration, error) {
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		start := time.Now()
		sim, err := originsim.Open(ctx, u.String())
		if err == nil {
			sim.Close()
		}
		return time.Since(start), err
	}
	check := func(what string, u *url.URL, want error, limit time.Duration, mentions ...string) {
		t.Helper()
		took, err := open(u)
		if !errors.Is(err, want) {
			t.Errorf("%s: got %v, want %v", what, err, want)
			return
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the message shows the password: %v", what, err)
		}
		for _, m := range mentions {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("%s: the message does not name %q: %v", what, m, err)
			}
		}
		if took > limit {
			t.Errorf("%s: took %s, want under %s", what, took, limit)
		}
		t.Logf("%s (%s): %v", what, took.Round(time.Millisecond), err)
	}
	with := func(f func(u *url.URL)) *url.URL {
		u := *base
		f(&u)
		return &u
	}

	u := with(func(u *url.URL) { u.User = url.UserPassword("ostest_nobody", secret) })
	check("unknown user and password", u, originsim.ErrConnect, 15*time.Second, base.Hostname())

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	u = with(func(u *url.URL) { u.User = url.UserPassword("ostest_nobody", secret); u.Host = closed })
	check("nothing listening", u, originsim.ErrConnect, 5*time.Second, closed)

	// A server that accepts and never answers: connect_timeout bounds it.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		var held []net.Conn
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	u = with(func(u *url.URL) {
		u.User = url.UserPassword("ostest_nobody", secret)
		u.Host = silent.Addr().String()
		q := u.Query()
		q.Set("connect_timeout", "1")
		u.RawQuery = q.Encode()
	})
	check("silent server, connect_timeout=1", u, originsim.ErrConnect, 8*time.Second, silent.Addr().String())

	u = with(func(u *url.URL) {
		u.User = url.UserPassword("ostest_nobody", secret)
		q := u.Query()
		q.Set("connect_timeout", "soon")
		u.RawQuery = q.Encode()
	})
	check("bad connect_timeout", u, originsim.ErrURL, 5*time.Second)
}
