package extras

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// ODCSVersion is the Open Data Contract Standard release the contracts
// follow.
const ODCSVersion = "v3.0.2"

// logicalType maps a column kind to an ODCS v3.0 logical type; timestamps
// are dates in v3.0, their physical type says TIMESTAMP.
func logicalType(k model.Kind) string {
	switch k {
	case model.Int:
		return "integer"
	case model.Decimal:
		return "number"
	case model.Date, model.Timestamp:
		return "date"
	case model.Bool:
		return "boolean"
	}
	return "string"
}

// contract is the ODCS data contract of one table: its columns with types,
// keys and descriptions, its references as SQL quality checks, and its exact
// row count on each generated day.
func (g generator) contract(t *model.Table) *yaml.Node {
	schema := g.Schemas.Of(t.System)
	var props []*yaml.Node
	for i, c := range t.Columns {
		p := mapping("name", c.Name, "logicalType", logicalType(c.Kind), "physicalType", sqlType(c))
		if c.Kind == model.Text {
			p.Content = append(p.Content, scalar("logicalTypeOptions"), mapping("maxLength", c.Size))
		}
		p.Content = append(p.Content, mapping("required", !c.Nullable).Content...)
		if i == 0 {
			p.Content = append(p.Content, mapping("primaryKey", true, "primaryKeyPosition", 1, "unique", true).Content...)
		}
		p.Content = append(p.Content, mapping("description", c.Description).Content...)
		props = append(props, p)
	}
	var quality []*yaml.Node
	for _, fk := range t.ForeignKeys {
		if !g.checked(fk) {
			continue
		}
		ref := model.Get(fk.Ref)
		quality = append(quality, mapping(
			"type", "sql",
			"description", fmt.Sprintf("Every %s refers to a row of %s.", fk.Column, g.qualified(ref)),
			"query", fmt.Sprintf("SELECT COUNT(*) FROM %s c WHERE c.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s p WHERE p.%s = c.%s)",
				g.qualified(t), fk.Column, g.qualified(ref), ref.Key(), fk.Column),
			"mustBe", 0))
	}
	// With soft deletes rows are never removed; with hard deletes they are,
	// and only the exact counts of each day (customProperties) hold.
	if !g.Config.HardDeletes {
		quality = append(quality, mapping(
			"type", "sql",
			"description", "Rows are never removed (a soft delete sets deleted_at): at least the Day 0 count.",
			"query", "SELECT COUNT(*) FROM "+g.qualified(t),
			"mustBeGreaterOrEqualTo", g.counts[0][t.ID]))
	}
	var counts []*yaml.Node
	for day := range g.counts {
		counts = append(counts, mapping("property", fmt.Sprintf("rowCountDay%d", day), "value", g.counts[day][t.ID]))
	}
	obj := mapping(
		"name", t.Name,
		"physicalName", t.Name,
		"logicalType", "object",
		"physicalType", "table",
		"description", t.Description,
		"properties", props,
		"quality", quality,
		"customProperties", counts)
	comment := g.header(fmt.Sprintf("Open Data Contract Standard (ODCS %s) contract for %s.", ODCSVersion, g.qualified(t)),
		"customProperties rowCountDayN: the exact row count after Day N.")
	return document(comment, mapping(
		"apiVersion", ODCSVersion,
		"kind", "DataContract",
		"id", fmt.Sprintf("originsim-%s-%s", schema, t.Name),
		"name", g.qualified(t),
		"version", fmt.Sprintf("%d.0.0", gen.Version),
		"status", "active",
		"domain", schema,
		"dataProduct", "originsim",
		"description", mapping("purpose", systemDescription(t.System)+" "+t.Description),
		"servers", seq(g.odcsServer(schema)),
		"schema", seq(obj)))
}

// odcsServer is the contract's servers entry: the database it was
// generated for, and the system's place in it.
func (g generator) odcsServer(system string) *yaml.Node {
	s := g.server()
	n := mapping("server", "originsim", "type", s.Type)
	db, schema := s.Where(system)
	if s.File {
		db = s.Database
	} else {
		n.Content = append(n.Content, mapping("host", s.Host, "port", s.Port).Content...)
	}
	if db != "" {
		n.Content = append(n.Content, mapping("database", db).Content...)
	}
	if schema != "" {
		n.Content = append(n.Content, mapping("schema", schema).Content...)
	}
	return n
}
