package feed_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/driver"
	_ "github.com/originsim/originsim/driver/duckdb" // the database the test compares with
	"github.com/originsim/originsim/feed"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// snapshot reads every table of a database: table -> key -> canonical row.
func snapshot(t *testing.T, url string, sc model.Schemas) map[string]map[int64]string {
	t.Helper()
	ctx := context.Background()
	db, err := driver.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	out := map[string]map[int64]string{}
	for _, tb := range model.Tables() {
		rows := map[int64]string{}
		err := tx.Query(ctx, db.Dialect().Select(sc.Of(tb.System), tb), driver.Kinds(tb), func(r []any) error {
			rows[r[0].(int64)] = line(tb, r)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		out[tb.Name] = rows
	}
	return out
}

func line(tb *model.Table, r []any) string {
	parts := make([]string, len(r))
	for i, c := range tb.Columns {
		parts[i] = model.Canonical(c.Kind, r[i])
	}
	return strings.Join(parts, "|")
}

// For Days 1-3 the feed names exactly the rows an independent diff of the
// database shows as inserted or changed by apply-delta, with the rows as
// they were before and after.
func TestFeedAgreesWithTheDatabase(t *testing.T) {
	ctx := context.Background()
	url := "duckdb:" + filepath.Join(t.TempDir(), "feed.duckdb")
	sc := model.DefaultSchemas
	sim, err := originsim.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{}); err != nil {
		t.Fatal(err)
	}
	sim.Close()
	for n := 1; n <= 3; n++ {
		before := snapshot(t, url, sc)
		sim, err := originsim.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sim.ApplyDelta(ctx, n); err != nil {
			t.Fatal(err)
		}
		sim.Close()
		after := snapshot(t, url, sc)

		diff := map[string]bool{}
		for _, tb := range model.Tables() {
			for k, row := range after[tb.Name] {
				if before[tb.Name][k] != row {
					diff[fmt.Sprintf("%s.%d", tb.Name, k)] = true
				}
			}
			for k := range before[tb.Name] {
				if _, ok := after[tb.Name][k]; !ok {
					t.Errorf("day %d: %s %d disappeared", n, tb.Name, k)
				}
			}
		}
		named := map[string]bool{}
		first := map[string]bool{}
		last := map[string]string{}
		err = feed.Day(gen.Default(), sc, n, func(e *feed.Event) error {
			id := fmt.Sprintf("%s.%d", e.Table.Name, e.Key)
			named[id] = true
			if e.Op == feed.Create {
				if _, existed := before[e.Table.Name][e.Key]; existed {
					t.Errorf("day %d: create of %s, which existed", n, id)
				}
			} else if !first[id] {
				if got, want := line(e.Table, e.Before), before[e.Table.Name][e.Key]; got != want {
					t.Errorf("day %d: %s before:\n got %s\nwant %s", n, id, got, want)
				}
			}
			first[id] = true
			last[id] = line(e.Table, e.After)
			if e.Day != n || e.Seq < 1 {
				t.Errorf("day %d: event %s has day %d seq %d", n, id, e.Day, e.Seq)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(diff) == 0 {
			t.Fatalf("day %d: the database did not change", n)
		}
		for id := range diff {
			if !named[id] {
				t.Errorf("day %d: %s changed in the database, not in the feed", n, id)
			}
		}
		for id := range named {
			if !diff[id] {
				t.Errorf("day %d: the feed names %s, which did not change", n, id)
			}
			tb, key, _ := strings.Cut(id, ".")
			var k int64
			fmt.Sscan(key, &k)
			if last[id] != after[tb][k] {
				t.Errorf("day %d: %s after:\n got %s\nwant %s", n, id, last[id], after[tb][k])
			}
		}
		t.Logf("day %d: %d rows changed, all in the feed", n, len(diff))
	}
}

// Day 0 is the baseline as creates, as many as the contract's rows.
func TestBaselineFeed(t *testing.T) {
	n := 0
	err := feed.Day(gen.Default(), model.DefaultSchemas, 0, func(e *feed.Event) error {
		n++
		if e.Op != feed.Create || e.Before != nil || e.Seq != n {
			t.Fatalf("baseline event %d: op %s seq %d", n, e.Op, e.Seq)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 2075 {
		t.Errorf("baseline: %d events, want 2075", n)
	}
	for _, bad := range []int{-1, gen.MaxDay + 1} {
		if err := feed.Day(gen.Default(), model.DefaultSchemas, bad, func(*feed.Event) error { return nil }); err == nil {
			t.Errorf("day %d: no error", bad)
		}
	}
}

// Past the user's band (keys 5000-9999, which generated keys skip), an
// update's or delete's before-image is the row with that key the day
// before, as the generator holds it, with soft and hard deletes.
func TestFeedPastTheUsersBand(t *testing.T) {
	for _, hard := range []bool{false, true} {
		cfg := gen.Default()
		cfg.Scale, cfg.HardDeletes = 5, hard
		const n = 12
		prev, err := gen.At(cfg, n-1)
		if err != nil {
			t.Fatal(err)
		}
		rows := map[model.TableID]map[int64]string{}
		for _, tb := range model.Tables() {
			rows[tb.ID] = map[int64]string{}
			for i := range prev.Dataset().Len(tb.ID) {
				r := prev.Dataset().Row(tb.ID, i)
				rows[tb.ID][r[0].(int64)] = line(tb, r)
			}
		}
		seen := map[string]bool{}
		past := 0
		err = feed.Day(cfg, model.DefaultSchemas, n, func(e *feed.Event) error {
			id := fmt.Sprintf("%s.%d", e.Table.Name, e.Key)
			if model.IsCustom(e.Key) {
				t.Errorf("hard %v: the feed changes the user's %s", hard, id)
			}
			if e.Op != feed.Create && !seen[id] {
				if e.Key > model.CustomTo {
					past++
				}
				if got, want := line(e.Table, e.Before), rows[e.Table.ID][e.Key]; got != want {
					t.Errorf("hard %v: %s before:\n got %s\nwant %s", hard, id, got, want)
				}
			}
			seen[id] = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if past == 0 {
			t.Errorf("hard %v: day %d changes no row past the band: the test tests nothing", hard, n)
		}
	}
}

// Every format writes one parseable record per event, in event order, and
// the same bytes every time.
func TestFormats(t *testing.T) {
	for _, f := range feed.Formats {
		render := func() []byte {
			var b bytes.Buffer
			w, err := feed.NewWriter(&b, f, "test")
			if err != nil {
				t.Fatal(err)
			}
			if err := feed.Day(gen.Default(), model.DefaultSchemas, 1, w.Write); err != nil {
				t.Fatal(err)
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			return b.Bytes()
		}
		out := render()
		if !bytes.Equal(out, render()) {
			t.Errorf("%s: two runs differ", f)
		}
		var records int
		switch f {
		case "csv":
			rs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			records = len(rs) - 1
			if rs[0][0] != "day" || rs[1][2] != "c" || rs[1][8] != "" {
				t.Errorf("csv: header %v, first %v", rs[0], rs[1])
			}
		default:
			for i, l := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
				var v map[string]any
				if err := json.Unmarshal(l, &v); err != nil {
					t.Fatalf("%s line %d: %v", f, i+1, err)
				}
				if f == "debezium" {
					src, _ := v["source"].(map[string]any)
					if v["op"] == nil || src["table"] == nil || v["ts_ms"] == nil {
						t.Fatalf("debezium line %d: %s", i+1, l)
					}
				} else if v["op"] == nil || v["key"] == nil || v["ts"] == nil {
					t.Fatalf("jsonl line %d: %s", i+1, l)
				}
				records++
			}
		}
		cs := countEvents(t)
		if records != cs {
			t.Errorf("%s: %d records, want %d events", f, records, cs)
		}
	}
	if _, err := feed.NewWriter(&bytes.Buffer{}, "xml", "test"); err == nil {
		t.Error("unknown format: no error")
	}
}

func countEvents(t *testing.T) int {
	s, err := gen.Resume(gen.Default(), 0)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := s.Advance()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, k := range []changeset.Kind{changeset.Insert, changeset.Update, changeset.SoftDelete} {
		for _, tb := range model.Tables() {
			n += cs.Count(tb.ID, k)
		}
	}
	return n
}

// Days, one replay over a range of days, gives exactly the events Day
// gives for each day of it, in order, in both delete modes, from Day 0
// and from a later day.
func TestDaysIsEachDay(t *testing.T) {
	render := func(e *feed.Event) string {
		return fmt.Sprint(e.Day, e.Seq, e.Op, e.Kind, e.Schema, e.Table.Name, e.Key, e.Before, e.After, e.At)
	}
	for _, hard := range []bool{false, true} {
		cfg := gen.Default()
		cfg.HardDeletes = hard
		for _, from := range []int{0, 3} {
			var want, got []string
			for d := from; d <= 6; d++ {
				if err := feed.Day(cfg, model.DefaultSchemas, d, func(e *feed.Event) error { want = append(want, render(e)); return nil }); err != nil {
					t.Fatal(err)
				}
			}
			if err := feed.Days(cfg, model.DefaultSchemas, from, 6, func(e *feed.Event) error { got = append(got, render(e)); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("hard=%v, days %d-6: %d events, Day gives %d", hard, from, len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("hard=%v, days %d-6, event %d:\n Days: %s\n Day:  %s", hard, from, i, got[i], want[i])
				}
			}
		}
	}
	if err := feed.Days(gen.Default(), model.DefaultSchemas, 3, 2, func(*feed.Event) error { return nil }); err == nil {
		t.Fatal("days 3 to 2: want an error")
	}
}
