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
		cfg, err := config(u)
		if err != nil {
			t.Fatalf("%s: %v", c.url, err)
		}
		if cfg.ConnectTimeout != c.timeout || cfg.Host != c.host || cfg.Database != c.db {
			t.Errorf("%s: timeout %s host %s database %s", c.url, cfg.ConnectTimeout, cfg.Host, cfg.Database)
		}
	}
	u, _ := driver.ParseURL("postgres://u:hunter2@h/db?connect_timeout=x")
	if _, err := config(u); !errors.Is(err, driver.ErrURL) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("bad connect_timeout: %v", err)
	}
}

func TestOpenNeedsServerURL(t *testing.T) {
	u, _ := driver.ParseURL("postgres:nohost")
	if _, err := Open(t.Context(), u); !errors.Is(err, driver.ErrURL) {
		t.Errorf("postgres:nohost: %v", err)
	}
}
