package mysql

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

func TestConfig(t *testing.T) {
	u, err := driver.ParseURL("mariadb://app:p%40ss%3Aw%2Frd@db.example:3307/shop?connect_timeout=2.5&tls=skip-verify&lock_wait=0.5")
	if err != nil {
		t.Fatal(err)
	}
	cfg, wait, err := config(u)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "app" || cfg.Passwd != "p@ss:w/rd" || cfg.Addr != "db.example:3307" || cfg.DBName != "shop" ||
		cfg.Timeout != 2500*time.Millisecond || !cfg.ParseTime || cfg.Loc != time.UTC || cfg.TLSConfig != "skip-verify" {
		t.Errorf("config: %+v", cfg)
	}
	if _, ok := cfg.Params["lock_wait"]; ok || wait != 500*time.Millisecond {
		t.Errorf("lock_wait: %s, params %v", wait, cfg.Params)
	}
	u, _ = driver.ParseURL("mysql://root@127.0.0.1/")
	if cfg, wait, err = config(u); err != nil || cfg.Addr != "127.0.0.1:3306" || cfg.DBName != "" || cfg.Timeout != DefaultConnectTimeout || wait != LockWait {
		t.Errorf("defaults: %+v %s %v", cfg, wait, err)
	}
	for _, bad := range []string{
		"mysql://root:hunter2@h/?connect_timeout=soon",
		"mysql://root:hunter2@h/?lock_wait=-1",
		"mysql://root:hunter2@h/?lock_wait=NaN",
		"mysql://root:hunter2@h/a/b",
		"mysql://root:hunter2@h/?parseTime=false",
		"mysql://root:hunter2@h/?tls=nonsense",
	} {
		u, _ := driver.ParseURL(bad)
		if _, _, err := config(u); !errors.Is(err, driver.ErrURL) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestClassify(t *testing.T) {
	d := Dialect
	cases := []struct {
		q    string
		kind stKind
		obj  object
	}{
		{d.CreateSchema("we`ird"), stCreateSchema, object{schema: "we`ird"}},
		{"CREATE TABLE IF NOT EXISTS `s`.`t` (\n  `id` INT NOT NULL\n)", stCreateTable, object{"s", "t"}},
		{"DROP TABLE IF EXISTS `s`.`t`", stDropTable, object{"s", "t"}},
		{"DROP TABLE IF EXISTS `s`.`t`, `s`.`u`", stDDL, object{}},
		{"DROP DATABASE IF EXISTS `s`", stDDL, object{}},
		{"alter table x add y int", stDDL, object{}},
		{"UPDATE `s`.`t` AS t JOIN (SELECT 1 AS `id`) AS v ON t.`id` = v.`id` SET t.`x` = 1", stWrite, object{}},
		{"INSERT INTO `s`.`t` VALUES (1)", stWrite, object{}},
	}
	for _, c := range cases {
		st := classify(c.q)
		if st.kind != c.kind || st.obj != c.obj {
			t.Errorf("classify(%q) = %+v, want %v %+v", c.q, st, c.kind, c.obj)
		}
	}
}

func TestQualifiedNames(t *testing.T) {
	q := Dialect.CreateTable("shop", model.Get(model.OrderItems))
	got := qualifiedNames(q)
	want := []object{{"shop", "order_items"}, {"shop", "orders"}, {"shop", "products"}}
	if !slices.Equal(got, want) {
		t.Errorf("qualifiedNames(%q) = %v, want %v", q, got, want)
	}
	got = qualifiedNames("UPDATE `s`.`t` AS t JOIN (SELECT 1 AS `id`) AS v ON t.`id` = v.`id` SET t.`x` = 'a`b'")
	if len(got) == 0 || got[0] != (object{"s", "t"}) {
		t.Errorf("update: %v", got)
	}
}
