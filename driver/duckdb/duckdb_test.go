package duckdb_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/internal/simtest"
	"github.com/originsim/originsim/model"
)

// TestConformance runs the conformance suite against a DuckDB file: the
// reference every other target is compared with must pass it too.
func TestConformance(t *testing.T) {
	simtest.Run(t, "duckdb:"+filepath.Join(t.TempDir(), "conformance.duckdb"), simtest.NoProcessLock())
}

// Settings in the URL reach DuckDB; unknown
// or empty settings are refused before anything is opened.
func TestURLSettings(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cases := []struct {
		query, limit string
	}{
		{"?memory_limit=1GB&threads=1", "953.6 MiB"},
	}
	for _, c := range cases {
		db, err := driver.Open(ctx, "duckdb:"+filepath.Join(dir, "s.duckdb")+c.query)
		if err != nil {
			t.Fatalf("%q: %v", c.query, err)
		}
		tx, err := db.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		err = tx.Query(ctx, "SELECT current_setting('memory_limit')", []model.Kind{model.Text}, func(row []any) error {
			got = row[0].(string)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		tx.Rollback()
		db.Close()
		if got != c.limit {
			t.Errorf("%q: memory_limit %q, want %q", c.query, got, c.limit)
		}
	}
	for _, q := range []string{"?x=1", "?memory_limit=", "?threads=1&threads=2", "?%zz"} {
		path := filepath.Join(dir, "bad", "b.duckdb")
		if _, err := driver.Open(ctx, "duckdb:"+path+q); !errors.Is(err, driver.ErrURL) {
			t.Errorf("%q: %v, want ErrURL", q, err)
		}
		if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
			t.Errorf("%q: the folder was created before the URL was checked", q)
		}
	}
}
