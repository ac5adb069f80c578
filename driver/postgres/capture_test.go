package postgres_test

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver/postgres"
	"github.com/originsim/originsim/feed"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/simtest"
	"github.com/originsim/originsim/model"
)

// change is one row change as text, the way logical decoding shows it.
type change struct {
	op, table     string
	key           int64
	before, after string
}

func (c change) String() string {
	return fmt.Sprintf("%s %s %d\n  before %s\n  after  %s", c.op, c.table, c.key, c.before, c.after)
}

// pgText renders a feed value the way PostgreSQL's text output does.
func pgText(k model.Kind, v any) string {
	if v == nil {
		return "NULL"
	}
	switch k {
	case model.Int:
		return strconv.FormatInt(v.(int64), 10)
	case model.Decimal:
		return v.(model.Cents).String()
	case model.Date:
		return v.(time.Time).Format(time.DateOnly)
	case model.Timestamp:
		return v.(time.Time).Format("2006-01-02 15:04:05.999999")
	case model.Bool:
		if v.(bool) {
			return "t"
		}
		return "f"
	}
	return v.(string)
}

func rowText(t *model.Table, row []any) string {
	if row == nil {
		return ""
	}
	parts := make([]string, len(row))
	for i, c := range t.Columns {
		parts[i] = pgText(c.Kind, row[i])
	}
	return strings.Join(parts, "|")
}

func tupleText(td *pglogrepl.TupleData) string {
	if td == nil {
		return ""
	}
	parts := make([]string, len(td.Columns))
	for i, c := range td.Columns {
		if c.DataType == pglogrepl.TupleDataTypeNull {
			parts[i] = "NULL"
		} else {
			parts[i] = string(c.Data)
		}
	}
	return strings.Join(parts, "|")
}

// inKeyOrder sorts each run of changes to one table with one operation by
// key: a set-based statement changes its rows in the order the database's
// plan visits them, which the feed cannot know; the runs and their
// contents must still match one for one.
func inKeyOrder(cs []change) {
	for i := 0; i < len(cs); {
		j := i
		for j < len(cs) && cs[j].op == cs[i].op && cs[j].table == cs[i].table {
			j++
		}
		slices.SortFunc(cs[i:j], func(a, b change) int { return cmp.Compare(a.key, b.key) })
		i = j
	}
}

// TestCaptureMatchesTheFeed loads with --enable-cdc, reads a logical
// replication slot (pgoutput, through the publication load-baseline made)
// while days 1-3 are applied, and asserts that the decoded changes equal
// `changes --day N` event for event.
//
// With --deletes hard the same holds, delete events included.
func TestCaptureMatchesTheFeed(t *testing.T) {
	url := simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL")
	t.Run("soft", func(t *testing.T) { captureMatchesTheFeed(t, url, "soft") })
	t.Run("hard", func(t *testing.T) { captureMatchesTheFeed(t, url, "hard") })
}

func captureMatchesTheFeed(t *testing.T, url, deletes string) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) }) // after the drops below
	var level string
	if err := conn.QueryRow(ctx, "SHOW wal_level").Scan(&level); err != nil {
		t.Fatal(err)
	}
	if level != "logical" && os.Getenv("ORIGINSIM_TEST_REQUIRE_SERVERS") == "" {
		t.Skipf("wal_level is %s: logical decoding needs wal_level=logical (.ci/run sets it)", level)
	}
	if level != "logical" {
		t.Fatalf("wal_level is %s: logical decoding needs wal_level=logical (.ci/run sets it)", level)
	}
	b := make([]byte, 5)
	rand.Read(b)
	suffix := hex.EncodeToString(b)
	sc := model.Schemas{Shop: "ostest_" + suffix + "_shop", CRM: "ostest_" + suffix + "_crm"}
	slot := "ostest_" + suffix
	t.Cleanup(func() {
		for _, q := range []string{
			"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'",
			"DROP PUBLICATION IF EXISTS " + pgx.Identifier{postgres.Publication(sc.Shop)}.Sanitize(),
			"DROP SCHEMA IF EXISTS " + pgx.Identifier{sc.Shop}.Sanitize() + " CASCADE",
			"DROP SCHEMA IF EXISTS " + pgx.Identifier{sc.CRM}.Sanitize() + " CASCADE",
		} {
			if _, err := conn.Exec(context.Background(), q); err != nil {
				t.Errorf("cleanup %q: %v", q, err)
			}
		}
	})

	sim, err := originsim.Open(ctx, url, originsim.WithSchemas(sc))
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	st, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{EnableCDC: true, Deletes: deletes})
	if err != nil {
		t.Fatal(err)
	}
	if st.Capture != "cdc" {
		t.Errorf("status after load-baseline --enable-cdc: capture %q, want cdc", st.Capture)
	}
	pub := postgres.Publication(sc.Shop)
	var published int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_publication_tables WHERE pubname = $1", pub).Scan(&published); err != nil {
		t.Fatal(err)
	}
	if published != model.NumTables {
		t.Fatalf("publication %s has %d tables, want %d", pub, published, model.NumTables)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_create_logical_replication_slot($1, 'pgoutput')", slot); err != nil {
		t.Fatal(err)
	}

	for n := 1; n <= 3; n++ {
		if _, err := sim.ApplyDelta(ctx, n); err != nil {
			t.Fatal(err)
		}
		cfg := gen.Default()
		cfg.HardDeletes = deletes == "hard"
		var want []change
		deleted := 0
		err := feed.Day(cfg, sc, n, func(e *feed.Event) error {
			if e.Op == feed.Delete {
				deleted++
			}
			want = append(want, change{op: string(e.Op), table: e.Schema + "." + e.Table.Name, key: e.Key,
				before: rowText(e.Table, e.Before), after: rowText(e.Table, e.After)})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got := decode(t, conn, slot, pub)
		inKeyOrder(want)
		inKeyOrder(got)
		if len(got) != len(want) {
			t.Errorf("day %d: the slot has %d changes, the feed %d", n, len(got), len(want))
		}
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("day %d, change %d:\nslot %s\nfeed %s", n, i+1, got[i], want[i])
			}
		}
		if (deleted > 0) != (deletes == "hard") {
			t.Errorf("day %d with %s deletes: %d delete events", n, deletes, deleted)
		}
		t.Logf("day %d: %d changes decoded (%d deletes), equal to the feed", n, len(got), deleted)
	}
	if deletes == "hard" {
		return
	}

	// reset makes the tables anew; the capture that was on stays on.
	st, err = sim.Reset(ctx, originsim.BaselineOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Capture != "cdc" {
		t.Errorf("status after reset: capture %q, want cdc", st.Capture)
	}
	// Change tracking is SQL Server's: refused, nothing changed.
	_, err = sim.Reset(ctx, originsim.BaselineOptions{ChangeTracking: true, Seed: 7})
	if !errors.Is(err, originsim.ErrUsage) || !strings.Contains(err.Error(), string(originsim.TermEnableCDC)) {
		t.Errorf("reset --change-tracking on PostgreSQL: %v, want a usage error naming the option that enables CDC", err)
	}
	if st, err := sim.Status(ctx); err != nil || st.Ledger.Config.Seed != gen.DefaultSeed {
		t.Errorf("after the refused reset: %v, seed %+v", err, st)
	}
}

// decode consumes the slot's changes since the last call.
func decode(t *testing.T, conn *pgx.Conn, slot, pub string) []change {
	t.Helper()
	rows, err := conn.Query(context.Background(),
		"SELECT data FROM pg_logical_slot_get_binary_changes($1, NULL, NULL, 'proto_version', '1', 'publication_names', $2)", slot, pub)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	relations := map[uint32]*pglogrepl.RelationMessage{}
	var out []change
	name := func(id uint32) string {
		r := relations[id]
		if r == nil {
			t.Fatalf("change to unknown relation %d", id)
		}
		return r.Namespace + "." + r.RelationName
	}
	key := func(td *pglogrepl.TupleData) int64 {
		k, err := strconv.ParseInt(string(td.Columns[0].Data), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			t.Fatal(err)
		}
		m, err := pglogrepl.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		switch m := m.(type) {
		case *pglogrepl.RelationMessage:
			relations[m.RelationID] = m
		case *pglogrepl.InsertMessage:
			out = append(out, change{op: "c", table: name(m.RelationID), key: key(m.Tuple), after: tupleText(m.Tuple)})
		case *pglogrepl.UpdateMessage:
			if m.OldTuple == nil {
				t.Fatalf("update of %s without the old row: REPLICA IDENTITY FULL is not set", name(m.RelationID))
			}
			out = append(out, change{op: "u", table: name(m.RelationID), key: key(m.NewTuple), before: tupleText(m.OldTuple), after: tupleText(m.NewTuple)})
		case *pglogrepl.DeleteMessage:
			out = append(out, change{op: "d", table: name(m.RelationID), key: key(m.OldTuple), before: tupleText(m.OldTuple)})
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
