// Package extras generates the files users of the dbt package kept beside
// it, from the one table model and the generator, so they can never drift
// from the data: dbt sources, Soda scans with the exact row counts of every
// day, ODCS data contracts, VS Code tasks and a GitHub Actions workflow.
//
// Generation is pure and deterministic: the same options give the same
// bytes (no timestamps, fixed order).
package extras

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// DefaultDays is how many days of Soda scans are written after Day 0.
const DefaultDays = 3

// Options fix what is generated.
type Options struct {
	Config  gen.Config    // seed, start date and scale, as for load-baseline
	Schemas model.Schemas // the two systems' schema names
	Days    int           // Soda scans for Day 0 through this day
	Tool    string        // the originsim version the workflow installs
	// Server is the database the ODCS contracts and the Soda data source
	// name; zero: the embedded default, a DuckDB file.
	Server driver.Server
	// DBT is the dbt version sources.yml is written for: "" or "1.10"
	// (and later) for config: freshness and loaded_at_field and arguments:
	// on generic tests; "1.8" or "1.9" for the forms those read.
	DBT string
	// ColumnType spells a column's type as the database does, for the
	// sources' data_type; nil: portable SQL.
	ColumnType func(model.Column) string
	// Soda is the Soda Core the scans are for: SodaV4 (the default) data
	// contracts, SodaV3 SodaCL checks.
	Soda string
}

// DBTVersions are the dbt versions sources.yml can be written for.
var DBTVersions = []string{"1.8", "1.9", "1.10"}

// File is one generated file; Path is relative to the output folder.
type File struct {
	Path string
	Data []byte
}

// Generate returns every file, in a fixed order.
func Generate(o Options) ([]File, error) {
	if err := o.Config.Validate(); err != nil {
		return nil, err
	}
	if err := o.Schemas.Validate(); err != nil {
		return nil, err
	}
	if err := gen.CheckDay(o.Days, 0); err != nil {
		return nil, err
	}
	if o.Soda != "" && o.Soda != SodaV4 && o.Soda != SodaV3 {
		return nil, fmt.Errorf("soda %q: use v4 (data contracts, the default) or v3 (SodaCL checks)", o.Soda)
	}
	if o.DBT != "" && !slices.Contains(DBTVersions, o.DBT) {
		return nil, fmt.Errorf("dbt version %q: use 1.10 (and later; the default), 1.9 or 1.8", o.DBT)
	}
	counts, err := RowCounts(o.Config, o.Days)
	if err != nil {
		return nil, err
	}
	g := generator{Options: o, counts: counts}
	var files []File
	add := func(path string, doc *yaml.Node) {
		files = append(files, File{Path: path, Data: encode(doc)})
	}
	add("dbt/sources.yml", g.sources())
	if o.Soda == SodaV3 {
		for day := range counts {
			add(fmt.Sprintf("soda/checks_day_%d.yml", day), g.soda(day))
		}
	} else {
		add("soda/data_source.yml", g.sodaDataSource())
		for day := range counts {
			for _, t := range model.Tables() {
				add(fmt.Sprintf("soda/day_%d/%s_%s.yml", day, o.Schemas.Of(t.System), t.Name), g.sodaContract(t, day))
			}
		}
	}
	for _, t := range model.Tables() {
		add(fmt.Sprintf("contracts/%s_%s.odcs.yaml", o.Schemas.Of(t.System), t.Name), g.contract(t))
	}
	files = append(files, File{Path: "vscode/tasks.json", Data: g.tasks()})
	add("github/originsim.yml", g.workflow())
	return files, nil
}

// Write writes the files below dir, making folders as needed. Files of the
// same names are replaced.
func Write(dir string, files []File) error {
	for _, f := range files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Counts are the row counts of the eight tables after one day.
type Counts [model.NumTables]int

// RowCounts returns the exact row count of every table after each day from
// 0 to last, as the generator makes them. It is the one place extras ask the
// generator for counts.
func RowCounts(cfg gen.Config, last int) ([]Counts, error) {
	s, err := gen.Resume(cfg, 0)
	if err != nil {
		return nil, err
	}
	out := make([]Counts, 0, last+1)
	for {
		var c Counts
		for _, t := range model.Tables() {
			c[t.ID] = s.Len(t.ID)
		}
		out = append(out, c)
		if s.Day() == last {
			return out, nil
		}
		if _, err := s.Advance(); err != nil {
			return nil, err
		}
	}
}

type generator struct {
	Options
	counts []Counts
}

// qualified is schema.table for t.
func (g generator) qualified(t *model.Table) string {
	return g.Schemas.Of(t.System) + "." + t.Name
}

// checked tells whether a reference holds on every day, so the files
// check it: the enforced ones always (a hard delete removes the children
// first), the logical ones across the systems only with soft deletes. With
// --deletes hard the CRM keeps the key of a deleted customer, as a real
// CRM does: its rows refer to a customer that is gone.
func (g generator) checked(fk model.ForeignKey) bool { return fk.Enforced || !g.Config.HardDeletes }

// references are the table's references the files check (see checked),
// by column.
func (g generator) references(t *model.Table) map[string]*model.Table {
	refs := map[string]*model.Table{}
	for _, fk := range t.ForeignKeys {
		if g.checked(fk) {
			refs[fk.Column] = model.Get(fk.Ref)
		}
	}
	return refs
}

// deletes names the delete mode, for the headers.
func (g generator) deletes() string {
	if g.Config.HardDeletes {
		return "hard"
	}
	return "soft"
}

// header is the comment atop every generated YAML file: what it is, where
// it comes from and the settings it was generated for.
func (g generator) header(what string, more ...string) string {
	lines := append([]string{what,
		"Generated by 'originsim extras' from its table model and generator; regenerate",
		"rather than edit. Generated for:",
		fmt.Sprintf("  seed %d, start date %s, scale %d, schemas %s and %s, deletes %s, data version %d",
			g.Config.Seed, g.Config.Start.Format("2006-01-02"), g.Config.Scale, g.Schemas.Shop, g.Schemas.CRM, g.deletes(), gen.Version),
	}, more...)
	if g.Config.HardDeletes {
		lines = append(lines, "With hard deletes the CRM keeps the customer_id of a deleted customer (as a real",
			"CRM does): its references to customers are not checked.")
	}
	return strings.Join(lines, "\n")
}

// systemDescription says what each system is, for sources and contracts.
func systemDescription(sys model.System) string {
	if sys == model.Shop {
		return "E-commerce ERP simulated by originsim: customers, products, orders, order_items and payments."
	}
	return "Marketing CRM simulated by originsim: campaigns, email_activity and web_sessions."
}

// Nodes: generated YAML is built as ordered nodes and encoded, so it is
// valid YAML by construction and keeps the model's order.

// mapping builds a mapping from key, value pairs. Values may be nodes,
// strings, ints, bools or node slices (sequences).
func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i+1 < len(kv); i += 2 {
		n.Content = append(n.Content, scalar(kv[i].(string)), node(kv[i+1]))
	}
	return n
}

func seq(items ...*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}

func scalar(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

func node(v any) *yaml.Node {
	switch v := v.(type) {
	case *yaml.Node:
		return v
	case string:
		return scalar(v)
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(v)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v)}
	case []*yaml.Node:
		return seq(v...)
	}
	panic(fmt.Sprintf("extras: no YAML node for %T", v))
}

// flow makes a node print on one line ({count: 1, period: day}).
func flow(n *yaml.Node) *yaml.Node { n.Style = yaml.FlowStyle; return n }

// document wraps a node with a comment at the top of the file.
func document(comment string, content *yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.DocumentNode, HeadComment: comment, Content: []*yaml.Node{content}}
}

func encode(doc *yaml.Node) []byte {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		panic(err) // only nodes built here are encoded
	}
	_ = enc.Close()
	return b.Bytes()
}

// sqlType is the column's type in portable SQL.
func sqlType(c model.Column) string {
	if c.Kind == model.Text {
		return fmt.Sprintf("VARCHAR(%d)", c.Size)
	}
	return c.Kind.String()
}
