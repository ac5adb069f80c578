package all_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/originsim/originsim/driver"
	_ "github.com/originsim/originsim/driver/all"
)

// Every driver says where its URLs point, without the user or password,
// and where each system sits there.
func TestServerOf(t *testing.T) {
	for raw, want := range map[string]string{
		"duckdb:data/x.duckdb":                                           "duckdb  0 data/x.duckdb file:true | :jaffle_shop",
		"postgres://u:pw@db.example/warehouse?sslmode=disable":           "postgres db.example 5432 warehouse file:false | warehouse:jaffle_shop",
		"mysql://u:pw@127.0.0.1:3307/test":                               "mysql 127.0.0.1 3307 test file:false | jaffle_shop:",
		"sqlserver://u:pw@sql.example:1444?database=src":                 "sqlserver sql.example 1444 src file:false | src:jaffle_shop",
		"sqlserver://u@sql.example?database=src&separate_databases=true": "sqlserver sql.example 1433 src file:false | jaffle_shop:dbo",
	} {
		s, err := driver.ServerOf(raw)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		db, schema := s.Where("jaffle_shop")
		got := strings.Join([]string{s.Type, s.Host, strconv.Itoa(s.Port), s.Database, "file:" + map[bool]string{true: "true", false: "false"}[s.File], "|", db + ":" + schema}, " ")
		if got != want {
			t.Errorf("%s:\n got  %s\n want %s", raw, got, want)
		}
		if strings.Contains(got, "pw") {
			t.Errorf("%s: the password reached the description", raw)
		}
	}
}
