package extras

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
)

// contract is the documented row counts, Day 0 to Day 3, in model order.
var contract = []Counts{
	{100, 20, 500, 1200, 0, 5, 100, 150},
	{125, 20, 560, 1303, 272, 5, 150, 200},
	{147, 20, 615, 1387, 316, 5, 200, 250},
	{175, 20, 680, 1502, 374, 5, 250, 300},
}

func generate(t *testing.T, o Options) map[string][]byte {
	t.Helper()
	files, err := Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		if _, dup := out[f.Path]; dup {
			t.Fatalf("%s generated twice", f.Path)
		}
		out[f.Path] = f.Data
	}
	return out
}

func parse(t *testing.T, name string, data []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s is not YAML: %v\n%s", name, err, data)
	}
	return v
}

func defaults() Options {
	return Options{Config: gen.Default(), Schemas: model.DefaultSchemas, Days: DefaultDays, Tool: "1.2.3"}
}

func TestRowCountsAreTheContract(t *testing.T) {
	got, err := RowCounts(gen.Default(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("%d days of counts, want 4", len(got))
	}
	for day := range got {
		if got[day] != contract[day] {
			t.Errorf("day %d: %v, want %v", day, got[day], contract[day])
		}
	}
	// Counts played forward equal a state generated for the day directly.
	cfg := gen.Config{Seed: 7, Start: time.Date(2024, 2, 27, 0, 0, 0, 0, time.UTC), Scale: 3}
	got, err = RowCounts(cfg, 5)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gen.At(cfg, 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range model.Tables() {
		if got[5][tb.ID] != s.Dataset().Len(tb.ID) {
			t.Errorf("%s after day 5: %d, gen.At says %d", tb.Name, got[5][tb.ID], s.Dataset().Len(tb.ID))
		}
	}
}

var rowCountRE = regexp.MustCompile(`^row_count = (\d+)$`)

// sodaCounts reads the row_count checks back from a scan file.
func sodaCounts(t *testing.T, name string, data []byte) map[string]int {
	t.Helper()
	out := map[string]int{}
	for key, checks := range parse(t, name, data) {
		table, ok := strings.CutPrefix(key, "checks for ")
		if !ok {
			t.Errorf("%s: unexpected key %q", name, key)
			continue
		}
		for _, c := range checks.([]any) {
			if s, ok := c.(string); ok {
				if m := rowCountRE.FindStringSubmatch(s); m != nil {
					out[table], _ = strconv.Atoi(m[1])
				}
			}
		}
	}
	return out
}

func TestSodaScansCarryTheExactCounts(t *testing.T) {
	o := defaults()
	o.Soda = SodaV3
	files := generate(t, o)
	for day := 0; day <= 3; day++ {
		name := "soda/checks_day_" + strconv.Itoa(day) + ".yml"
		got := sodaCounts(t, name, files[name])
		if len(got) != model.NumTables {
			t.Errorf("%s: row counts for %d tables, want 8: %v", name, len(got), got)
		}
		for _, tb := range model.Tables() {
			q := model.DefaultSchemas.Of(tb.System) + "." + tb.Name
			if got[q] != contract[day][tb.ID] {
				t.Errorf("%s: %s row_count %d, want %d", name, q, got[q], contract[day][tb.ID])
			}
		}
		// Every foreign key of the model has its reference check.
		text := string(files[name])
		for _, tb := range model.Tables() {
			for _, fk := range tb.ForeignKeys {
				ref := model.Get(fk.Ref)
				want := "values in (" + fk.Column + ") must exist in " + model.DefaultSchemas.Of(ref.System) + "." + ref.Name + " (" + ref.Key() + ")"
				if !strings.Contains(text, want) {
					t.Errorf("%s lacks %q", name, want)
				}
			}
		}
	}
	if _, ok := files["soda/checks_day_4.yml"]; ok {
		t.Error("a scan past --days")
	}
}

func TestScaleAndSchemasReachEveryFile(t *testing.T) {
	o := defaults()
	o.Config.Scale = 2
	o.Schemas = model.Schemas{Shop: "shop_db", CRM: "crm_db"}
	o.Days = 1
	files := generate(t, o)
	if _, ok := files["soda/day_1/shop_db_customers.yml"]; !ok {
		t.Error("no Soda v4 contract of shop_db.customers for day 1")
	}
	o.Soda = SodaV3
	got := sodaCounts(t, "day 1", generate(t, o)["soda/checks_day_1.yml"])
	want, _ := RowCounts(o.Config, 1)
	if got["shop_db.customers"] != want[1][model.Customers] || got["shop_db.customers"] != 250 || got["crm_db.campaigns"] != 5 {
		t.Errorf("scale 2 day 1: %v", got)
	}
	for path, data := range files {
		if strings.Contains(string(data), "jaffle_shop.") || strings.Contains(string(data), "jaffle_crm.") {
			t.Errorf("%s names a default schema: the schemas are shop_db and crm_db", path)
		}
	}
	src := parse(t, "sources", files["dbt/sources.yml"])["sources"].([]any)
	if s := src[0].(map[string]any); s["name"] != "jaffle_shop" || s["schema"] != "shop_db" {
		t.Errorf("source keeps its name and points at the schema: %v %v", s["name"], s["schema"])
	}
	for _, f := range []string{"vscode/tasks.json", "github/originsim.yml"} {
		if !strings.Contains(string(files[f]), "--scale 2") && !strings.Contains(string(files[f]), `"2"`) || !strings.Contains(string(files[f]), "shop_db") {
			t.Errorf("%s does not pass the scale and schemas:\n%s", f, files[f])
		}
	}
}

func TestSourcesNameEveryTableAndColumn(t *testing.T) {
	files := generate(t, defaults())
	var doc struct {
		Version int `yaml:"version"`
		Sources []struct {
			Name, Schema, Description string
			Config                    struct { // dbt 1.10: freshness and loaded_at_field are configs
				LoadedAtField string `yaml:"loaded_at_field"`
				Freshness     map[string]any
			}
			Tables []struct {
				Name, Description string
				Columns           []struct {
					Name, Description string
					DataTests         []any `yaml:"data_tests"`
				}
			}
		}
	}
	if err := yaml.Unmarshal(files["dbt/sources.yml"], &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 2 || len(doc.Sources) != 2 {
		t.Fatalf("version %d, %d sources", doc.Version, len(doc.Sources))
	}
	seen := 0
	for _, s := range doc.Sources {
		if s.Config.LoadedAtField != "updated_at" || s.Config.Freshness["warn_after"] == nil || s.Description == "" {
			t.Errorf("source %s: loaded_at_field %q, freshness %v", s.Name, s.Config.LoadedAtField, s.Config.Freshness)
		}
		for _, tb := range s.Tables {
			m, ok := model.ByName(tb.Name)
			if !ok || model.DefaultSchemas.Of(m.System) != s.Name || s.Schema != s.Name {
				t.Errorf("table %s under source %s", tb.Name, s.Name)
				continue
			}
			seen++
			if len(tb.Columns) != len(m.Columns) || tb.Description != m.Description {
				t.Errorf("%s: %d columns, want %d", tb.Name, len(tb.Columns), len(m.Columns))
				continue
			}
			for i, c := range tb.Columns {
				if c.Name != m.Columns[i].Name || c.Description != m.Columns[i].Description || c.Description == "" {
					t.Errorf("%s column %d: %q %q", tb.Name, i, c.Name, c.Description)
				}
			}
			if tests := tb.Columns[0].DataTests; len(tests) < 2 || tests[0] != "unique" {
				t.Errorf("%s key tests: %v", tb.Name, tests)
			}
		}
	}
	if seen != model.NumTables {
		t.Errorf("sources.yml names %d tables, want 8", seen)
	}
	if !strings.Contains(string(files["dbt/sources.yml"]), "to: source('jaffle_shop', 'customers')") {
		t.Error("no relationships test to customers")
	}
}

func TestContracts(t *testing.T) {
	files := generate(t, defaults())
	n := 0
	for _, tb := range model.Tables() {
		path := "contracts/" + model.DefaultSchemas.Of(tb.System) + "_" + tb.Name + ".odcs.yaml"
		data, ok := files[path]
		if !ok {
			t.Errorf("no %s", path)
			continue
		}
		n++
		var c struct {
			APIVersion string `yaml:"apiVersion"`
			Kind, ID   string
			Name       string
			Version    string
			Status     string
			Schema     []struct {
				Name         string
				PhysicalName string `yaml:"physicalName"`
				Properties   []struct {
					Name         string
					LogicalType  string `yaml:"logicalType"`
					PhysicalType string `yaml:"physicalType"`
					Required     bool
					PrimaryKey   bool `yaml:"primaryKey"`
					Description  string
				}
				Quality          []map[string]any
				CustomProperties []struct {
					Property string
					Value    int
				} `yaml:"customProperties"`
			}
		}
		if err := yaml.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !strings.HasPrefix(c.APIVersion, "v3.0.") || c.Kind != "DataContract" || c.ID == "" || c.Version == "" || c.Status == "" || len(c.Schema) != 1 {
			t.Errorf("%s: header %+v", path, c)
			continue
		}
		s := c.Schema[0]
		if s.Name != tb.Name || len(s.Properties) != len(tb.Columns) {
			t.Errorf("%s: object %s with %d properties", path, s.Name, len(s.Properties))
			continue
		}
		for i, p := range s.Properties {
			col := tb.Columns[i]
			if p.Name != col.Name || p.Required == col.Nullable || p.PrimaryKey != (i == 0) || p.LogicalType == "" || p.PhysicalType == "" || p.Description != col.Description {
				t.Errorf("%s: property %+v for column %+v", path, p, col)
			}
		}
		if len(s.Quality) != len(tb.ForeignKeys)+1 {
			t.Errorf("%s: %d quality checks for %d references", path, len(s.Quality), len(tb.ForeignKeys))
		}
		for day, cp := range s.CustomProperties {
			if cp.Property != "rowCountDay"+strconv.Itoa(day) || cp.Value != contract[day][tb.ID] {
				t.Errorf("%s: %+v, want day %d = %d", path, cp, day, contract[day][tb.ID])
			}
		}
	}
	if n != model.NumTables {
		t.Errorf("%d contracts", n)
	}
}

func TestTasksAndWorkflow(t *testing.T) {
	files := generate(t, defaults())
	var tasks struct {
		Version string
		Tasks   []struct {
			Label, Command string
			Args           []string
		}
	}
	if err := json.Unmarshal(files["vscode/tasks.json"], &tasks); err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, tk := range tasks.Tasks {
		labels = append(labels, tk.Label)
		if tk.Command != "originsim" || len(tk.Args) == 0 {
			t.Errorf("task %+v", tk)
		}
	}
	if tasks.Version != "2.0.0" || !strings.Contains(strings.Join(labels, "|"), "apply Day 3") {
		t.Errorf("tasks: %s %v", tasks.Version, labels)
	}
	wf := parse(t, "workflow", files["github/originsim.yml"])
	var runs []string
	for _, st := range wf["jobs"].(map[string]any)["sources"].(map[string]any)["steps"].([]any) {
		if r, ok := st.(map[string]any)["run"].(string); ok {
			runs = append(runs, r)
		}
	}
	want := []string{"go install github.com/originsim/originsim/cmd/originsim@v1.2.3", "originsim load-baseline --seed 42 --start-date 2025-01-01 --scale 1", "originsim apply-delta --day 1", "originsim verify"}
	if strings.Join(runs, "\n") != strings.Join(want, "\n") {
		t.Errorf("workflow runs\n%s\nwant\n%s", strings.Join(runs, "\n"), strings.Join(want, "\n"))
	}
	o := defaults()
	o.Tool = "0.1.0-dev"
	if !bytes.Contains(generate(t, o)["github/originsim.yml"], []byte("cmd/originsim@latest")) {
		t.Error("a development build should install @latest")
	}
}

func TestDeterministic(t *testing.T) {
	a, b := generate(t, defaults()), generate(t, defaults())
	if len(a) != 44 {
		t.Errorf("%d files, want 44 (sources, a Soda data source, 4 days of 8 Soda contracts, 8 ODCS contracts, tasks, workflow)", len(a))
	}
	for path := range a {
		if !bytes.Equal(a[path], b[path]) {
			t.Errorf("%s differs between two runs", path)
		}
	}
	dir := t.TempDir()
	files, _ := Generate(defaults())
	if err := Write(dir, files); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil || !bytes.Equal(got, f.Data) {
			t.Errorf("%s written wrongly: %v", f.Path, err)
		}
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{
		{Config: gen.Default(), Schemas: model.DefaultSchemas, Days: -1},
		{Config: gen.Default(), Schemas: model.DefaultSchemas, Days: gen.MaxDay + 1},
		{Config: gen.Config{Seed: 1, Start: gen.DefaultStart}, Schemas: model.DefaultSchemas},
		{Config: gen.Default(), Schemas: model.Schemas{Shop: "x", CRM: "x"}},
	} {
		if _, err := Generate(o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}
