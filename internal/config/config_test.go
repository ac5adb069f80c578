package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestRenderParsesBack(t *testing.T) {
	start := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range []File{
		{DB: "duckdb:data/ingestion_simulator.duckdb", ShopSchema: "jaffle_shop", CRMSchema: "jaffle_crm", Start: start, Scale: 1, Seed: 42},
		// Characters YAML would otherwise read as syntax.
		{DB: "postgres://u:p#w: x@h:5432/db?sslmode=disable", ShopSchema: "shop_db", CRMSchema: "crm_db", Start: start, Scale: 100, Seed: 7},
		{Profile: "ingestion_simulator", Target: "dev", ProfilesDir: "/etc/dbt", ShopSchema: "s", CRMSchema: "c", Start: start, Scale: 3, Seed: 18446744073709551615},
		{Profile: "yes", ShopSchema: "s", CRMSchema: "c", Start: start, Scale: 1, Seed: 1},
	} {
		data := Render(f)
		if !strings.Contains(string(data), "# ") {
			t.Error("the file has no comments")
		}
		got, err := Parse("x.yaml", data)
		if err != nil {
			t.Fatalf("%v\n%s", err, data)
		}
		got.Path = ""
		if !reflect.DeepEqual(*got, f) {
			t.Errorf("parsed back\n%+v\nwant\n%+v\n%s", *got, f, data)
		}
		var any map[string]any
		if err := yaml.Unmarshal(data, &any); err != nil {
			t.Errorf("not YAML: %v", err)
		}
	}
}

func TestBadFiles(t *testing.T) {
	cases := []struct{ content, says string }{
		{"seed: 1\nsede: 7\n", "x.yaml line 2: sede: unknown key (known: db, profile"},
		{"scale: 0\n", "line 1: scale: \"0\": must be a whole number between 1 and 100000"},
		{"scale: many\n", "scale: \"many\""},
		{"seed: 0\n", "seed: \"0\": must be a whole number from 1"},
		{"start_date: 2025-02-30\n", "start_date: invalid configuration: start date \"2025-02-30\": use YYYY-MM-DD"},
		{"shop_schema: x; drop\n", "shop_schema: invalid schema name"},
		{"crm_schema: [a, b]\n", "crm_schema: expected a single value"},
		{"db: a\ndb: b\n", "line 2: db: given twice"},
		{"db: duckdb:x\nprofile: p\n", "give db or profile, not both"},
		{"target: dev\n", "target and profiles_dir need a profile"},
		{"- a\n- b\n", "expected key: value lines"},
		{"db: [\n", "x.yaml: yaml:"},
		{"db: \"\"\n", "line 1: db: empty: give a value, or remove the line"},
		{"shop_schema: ''\n", "line 1: shop_schema: empty"},
		{"profile: \"  \"\n", "profile: empty"},
		{"start_date: 0001-01-01\n", "start_date: invalid configuration: start date 0001-01-01: the year must be between 1971 and 2200"},
		{"crm_schema: information_schema\n", "crm_schema: invalid schema name: \"information_schema\" is a system schema"},
	}
	for _, c := range cases {
		_, err := Parse("x.yaml", []byte(c.content))
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%q: %v, want an error saying %q", c.content, err, c.says)
		}
	}
	for _, ok := range []string{"", "# only a comment\n", "seed:\n", "scale: 2\nseed: 9\nstart_date: 2024-01-31\n"} {
		if _, err := Parse("x.yaml", []byte(ok)); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if f, err := Load(dir); f != nil || err != nil {
		t.Fatalf("no file: %v %v", f, err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("shop_schema: shop_db\nprofiles_dir: ~/dbt\nprofile: p\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", "/home/someone")
	f, err := Load(dir)
	if err != nil || f.ShopSchema != "shop_db" || f.Path != filepath.Join(dir, FileName) || f.ProfilesDir != "/home/someone/dbt" {
		t.Fatalf("%+v %v", f, err)
	}
}
