package extras

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/originsim/originsim/model"
)

// sources is dbt's sources.yml: one source per system, named for the
// system so models keep {{ source('jaffle_shop', 'customers') }}, pointing
// at the configured schema.
func (g generator) sources() *yaml.Node {
	var srcs []*yaml.Node
	for _, sys := range []model.System{model.Shop, model.CRM} {
		var tables []*yaml.Node
		for _, t := range model.Tables() {
			if t.System == sys {
				tables = append(tables, g.sourceTable(t))
			}
		}
		freshness := mapping("warn_after", flow(mapping("count", 1, "period", "day")))
		src := mapping(
			"name", model.DefaultSchemas.Of(sys),
			"description", systemDescription(sys),
			"schema", g.Schemas.Of(sys))
		if g.legacyDBT() {
			src.Content = append(src.Content, mapping("loaded_at_field", "updated_at", "freshness", freshness).Content...)
		} else {
			// dbt 1.10: freshness and loaded_at_field are configs.
			src.Content = append(src.Content, mapping("config", mapping("loaded_at_field", "updated_at", "freshness", freshness)).Content...)
		}
		src.Content = append(src.Content, mapping("tables", tables).Content...)
		srcs = append(srcs, src)
	}
	forms := "dbt 1.10 and later (config: for freshness and loaded_at_field, arguments: for tests)"
	if g.legacyDBT() {
		forms = "dbt " + g.DBT + " (freshness and loaded_at_field on the source, tests without arguments:)"
	}
	comment := g.header("dbt sources for the two systems originsim simulates, in the forms of "+forms+".",
		"Copy to your project's models/ folder; use {{ source('jaffle_shop', 'orders') }}.",
		"Freshness only warns: updated_at follows the simulated calendar, not the wall clock.")
	return document(comment, mapping("version", 2, "sources", srcs))
}

func (g generator) sourceTable(t *model.Table) *yaml.Node {
	refs := g.references(t)
	var cols []*yaml.Node
	for i, c := range t.Columns {
		var tests []*yaml.Node
		if i == 0 {
			tests = append(tests, scalar("unique"))
		}
		if !c.Nullable {
			tests = append(tests, scalar("not_null"))
		}
		if ref := refs[c.Name]; ref != nil {
			args := mapping(
				"to", fmt.Sprintf("source('%s', '%s')", model.DefaultSchemas.Of(ref.System), ref.Name),
				"field", ref.Key())
			if !g.legacyDBT() {
				args = mapping("arguments", args) // dbt 1.10.8: a generic test's arguments under arguments:
			}
			tests = append(tests, mapping("relationships", args))
		}
		typ := sqlType(c)
		if g.ColumnType != nil {
			typ = g.ColumnType(c)
		}
		col := mapping("name", c.Name, "description", c.Description, "data_type", strings.ToLower(typ))
		if len(tests) > 0 {
			col.Content = append(col.Content, scalar("data_tests"), seq(tests...))
		}
		cols = append(cols, col)
	}
	return mapping("name", t.Name, "description", t.Description, "columns", cols)
}

// legacyDBT tells whether sources.yml is for a dbt before 1.10.
func (g generator) legacyDBT() bool { return g.DBT == "1.8" || g.DBT == "1.9" }
