package extras

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// Soda versions the scans are written for: Soda Core v4 reads data
// contracts (soda contract verify), v3 SodaCL checks (soda scan).
const (
	SodaV4 = "v4"
	SodaV3 = "v3"
)

// sodaSource is the Soda data source every contract names.
const sodaSource = "originsim"

// dataset is a table's fully qualified name in a Soda v4 contract: the
// data source, then the table's database and schema where the database
// has those levels (a file database names no database part), then the
// table.
func (g generator) dataset(t *model.Table) string {
	parts := []string{sodaSource}
	db, schema := g.server().Where(g.Schemas.Of(t.System))
	for _, p := range []string{db, schema} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(append(parts, t.Name), "/")
}

// server is the database the files name: the embedded default (a file
// database, originsim.DefaultURL) when none was given.
func (g generator) server() driver.Server {
	if g.Server.Type == "" {
		typ, path, _ := strings.Cut(originsim.DefaultURL, ":")
		return driver.Server{Type: typ, Database: path, File: true}
	}
	return g.Server
}

// sodaContract is the Soda v4 data contract of one table after one day:
// the exact row count, every column the model says is never NULL without
// missing values, the key without duplicates, and each reference that
// holds (see checked) resolving.
func (g generator) sodaContract(t *model.Table, day int) *yaml.Node {
	refs := g.references(t)
	var cols []*yaml.Node
	for i, c := range t.Columns {
		var checks []*yaml.Node
		if !c.Nullable {
			checks = append(checks, mapping("missing", null()))
		}
		if i == 0 {
			checks = append(checks, mapping("duplicate", null()))
		}
		if ref := refs[c.Name]; ref != nil {
			checks = append(checks, mapping("invalid", mapping(
				"name", fmt.Sprintf("%s.%s refers to %s", t.Name, c.Name, ref.Name),
				"valid_reference_data", mapping("dataset", g.dataset(ref), "column", ref.Key()))))
		}
		col := mapping("name", c.Name)
		if len(checks) > 0 {
			col.Content = append(col.Content, scalar("checks"), seq(checks...))
		}
		cols = append(cols, col)
	}
	run := "originsim load-baseline"
	if day > 0 {
		run = fmt.Sprintf("originsim apply-delta --day %d", day)
	}
	comment := g.header(fmt.Sprintf("Soda Core v4 data contract for %s after Day %d (%s): exact row count, keys, references.",
		g.qualified(t), day, g.Config.DayDate(day).Format("2006-01-02")),
		"Run after '"+run+"':",
		fmt.Sprintf("  soda contract verify -ds data_source.yml -c day_%d/%s_%s.yml", day, g.Schemas.Of(t.System), t.Name))
	return document(comment, mapping(
		"dataset", g.dataset(t),
		"columns", cols,
		"checks", seq(mapping("row_count", mapping("threshold", mapping("must_be", g.counts[day][t.ID]))))))
}

// sodaDataSource is the Soda v4 data source the contracts name, for the
// database the files were generated for; credentials come from the
// environment (never written).
func (g generator) sodaDataSource() *yaml.Node {
	s := g.server()
	conn := mapping("database", s.Database)
	if !s.File {
		conn = mapping("host", s.Host, "port", s.Port, "database", s.Database,
			"user", "${env."+s.UserEnv+"}", "password", "${env."+s.PasswordEnv+"}")
	}
	more := []string{"The Soda v4 data source the contracts name (" + sodaSource + "); the user and password come",
		"from the environment. Open-source Soda Core v4 reads PostgreSQL, SQL Server and DuckDB;",
		"for MySQL and MariaDB write the v3 checks (originsim extras --soda v3)."}
	return document(g.header("Soda data source for the contracts in day_N/.", more...), mapping("type", s.Type, "name", sodaSource, "connection", conn))
}

// null is a YAML null: a check without settings ("missing:").
func null() *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: ""} }
