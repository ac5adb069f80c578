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
		srcs = append(srcs, mapping(
			"name", model.DefaultSchemas.Of(sys),
			"description", systemDescription(sys),
			"schema", g.Schemas.Of(sys),
			"loaded_at_field", "updated_at",
			"freshness", mapping("warn_after", flow(mapping("count", 1, "period", "day"))),
			"tables", tables))
	}
	comment := g.header("dbt sources for the two systems originsim simulates.",
		"Copy to your project's models/ folder; use {{ source('jaffle_shop', 'orders') }}.",
		"Freshness only warns: updated_at follows the simulated calendar, not the wall clock.")
	return document(comment, mapping("version", 2, "sources", srcs))
}

func (g generator) sourceTable(t *model.Table) *yaml.Node {
	refs := map[string]*model.Table{}
	for _, fk := range t.ForeignKeys {
		if g.checked(fk) {
			refs[fk.Column] = model.Get(fk.Ref)
		}
	}
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
			tests = append(tests, mapping("relationships", mapping(
				"to", fmt.Sprintf("source('%s', '%s')", model.DefaultSchemas.Of(ref.System), ref.Name),
				"field", ref.Key())))
		}
		col := mapping("name", c.Name, "description", c.Description, "data_type", strings.ToLower(sqlType(c)))
		if len(tests) > 0 {
			col.Content = append(col.Content, scalar("data_tests"), seq(tests...))
		}
		cols = append(cols, col)
	}
	return mapping("name", t.Name, "description", t.Description, "columns", cols)
}
