package postgres

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/originsim/originsim/driver"
)

func TestConfig(t *testing.T) {
	t.Setenv("PGCONNECT_TIMEOUT", "")
	cases := []struct {
		url     string
		timeout time.Duration
		host    string
		db      string
	}{
		{"postgres://u:pw@db.example:5433/shop?sslmode=disable", DefaultConnectTimeout, "db.example", "shop"},
		{"postgresql://u@127.0.0.1/x?connect_timeout=3&sslmode=disable", 3 * time.Second, "127.0.0.1", "x"},
	}
	for _, c := range cases {
		u, err := driver.ParseURL(c.url)
		if err != nil {
			t.Fatal(err)
		}
		cfg, _, err := config(u)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		if cfg.ConnectTimeout != c.timeout || cfg.Host != c.host || cfg.Database != c.db {
			t.Errorf("%s: timeout %s host %s database %s", c.url, cfg.ConnectTimeout, cfg.Host, cfg.Database)
		}
	}
	for _, bad := range []string{"postgres://u:hunter2@h/db?connect_timeout=x", "postgres://u:hunter2@h/db?lock_wait=x", "postgres://u:hunter2@h/db?lock_wait=-2"} {
		u, _ := driver.ParseURL(bad)
		if _, _, err := config(u); !errors.Is(err, driver.ErrURL) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: %v", bad, err)
		}
	}
	// lock_wait is originsim's: taken out before pgx sees the URL (the
	// server would refuse it as a run-time parameter).
	u, _ := driver.ParseURL("postgres://u:p%40ss@h/db?sslmode=disable&lock_wait=0.5&application_name=x")
	cfg, wait, err := config(u)
	if err != nil || wait != 500*time.Millisecond || cfg.Password != "p@ss" || cfg.RuntimeParams["application_name"] != "x" {
		t.Errorf("lock_wait: %s, %v", wait, err)
	}
	if _, ok := cfg.RuntimeParams["lock_wait"]; ok {
		t.Errorf("lock_wait reaches the server: %v", cfg.RuntimeParams)
	}
	u, _ = driver.ParseURL("postgres://u@h/db")
	if _, wait, err := config(u); err != nil || wait != LockWait {
		t.Errorf("default lock wait: %s, %v", wait, err)
	}
}

func TestOpenNeedsServerURL(t *testing.T) {
	u, _ := driver.ParseURL("postgres:nohost")
	if _, err := Open(t.Context(), u); !errors.Is(err, driver.ErrURL) {
		t.Errorf("postgres:nohost: %v", err)
	}
}

// A capture on a server whose wal_level is not logical says so, with the
// remedy; on logical it says nothing.
func TestWalLevelWarning(t *testing.T) {
	if w := walWarning("logical"); w != "" {
		t.Fatalf("wal_level logical: warning %q", w)
	}
	for _, level := range []string{"replica", "minimal"} {
		w := walWarning(level)
		if !strings.Contains(w, "wal_level is "+level) || !strings.Contains(w, "ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL") {
			t.Fatalf("wal_level %s: warning %q", level, w)
		}
	}
}
