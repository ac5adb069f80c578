package extras_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/originsim/originsim"
	_ "github.com/originsim/originsim/driver/all"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/internal/extras"
	"github.com/originsim/originsim/internal/simtest"
	"github.com/originsim/originsim/model"
)

// check is one generated check as SQL: a count query and what it must be
// (or at least, with atLeast).
type check struct {
	file, what string
	query      string
	want       int64
	atLeast    bool
}

var (
	sodaCount = regexp.MustCompile(`^row_count = (\d+)$`)
	sodaDup   = regexp.MustCompile(`^duplicate_count\((\w+)\) = 0$`)
	sodaMiss  = regexp.MustCompile(`^missing_count\((\w+)\) = 0$`)
	sodaRef   = regexp.MustCompile(`^values in \((\w+)\) must exist in (\w+\.\w+) \((\w+)\)$`)
	dbtSource = regexp.MustCompile(`^source\('(\w+)', '(\w+)'\)$`)
)

func refQuery(table, col, ref, key string) string {
	return fmt.Sprintf("SELECT COUNT(*) FROM %s c WHERE c.%s IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s p WHERE p.%s = c.%s)", table, col, ref, key, col)
}

func dupQuery(table, col string) string {
	return fmt.Sprintf("SELECT COUNT(*) FROM (SELECT %s FROM %s GROUP BY %s HAVING COUNT(*) > 1) d", col, table, col)
}

// checksOf reads every check of the generated files that applies to day:
// the Soda scan of that day (row counts, duplicates, missing values,
// references), each ODCS contract's SQL quality checks, and the dbt
// sources' tests (unique, not_null, relationships), as SQL.
func checksOf(t *testing.T, files []extras.File, sc model.Schemas, day int) []check {
	t.Helper()
	var out []check
	for _, f := range files {
		var doc yaml.Node
		if strings.HasSuffix(f.Path, ".yml") || strings.HasSuffix(f.Path, ".yaml") {
			if err := yaml.Unmarshal(f.Data, &doc); err != nil {
				t.Fatalf("%s: %v", f.Path, err)
			}
		}
		switch {
		case strings.HasPrefix(f.Path, fmt.Sprintf("soda/day_%d/", day)):
			out = append(out, contractChecks(t, f, &doc, sc)...)
		case f.Path == fmt.Sprintf("soda/checks_day_%d.yml", day):
			var v map[string][]any
			if err := doc.Decode(&v); err != nil {
				t.Fatal(err)
			}
			for head, items := range v {
				table := strings.TrimPrefix(head, "checks for ")
				for _, it := range items {
					text, ok := it.(string)
					if m, isMap := it.(map[string]any); isMap {
						for k := range m {
							text, ok = k, true
						}
					}
					if !ok {
						t.Fatalf("%s: a check %v", f.Path, it)
					}
					c := check{file: f.Path, what: table + ": " + text}
					switch {
					case sodaCount.MatchString(text):
						n, _ := strconv.ParseInt(sodaCount.FindStringSubmatch(text)[1], 10, 64)
						c.query, c.want = "SELECT COUNT(*) FROM "+table, n
					case sodaDup.MatchString(text):
						c.query = dupQuery(table, sodaDup.FindStringSubmatch(text)[1])
					case sodaMiss.MatchString(text):
						c.query = fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE %s IS NULL", table, sodaMiss.FindStringSubmatch(text)[1])
					case sodaRef.MatchString(text):
						m := sodaRef.FindStringSubmatch(text)
						c.query = refQuery(table, m[1], m[2], m[3])
					default:
						t.Fatalf("%s: a check this test cannot run: %q", f.Path, text)
					}
					out = append(out, c)
				}
			}
		case strings.HasPrefix(f.Path, "contracts/"):
			var v struct {
				Schema []struct {
					Quality []struct {
						Description, Query     string
						MustBe                 *int64 `yaml:"mustBe"`
						MustBeGreaterOrEqualTo *int64 `yaml:"mustBeGreaterOrEqualTo"`
					}
				}
			}
			if err := doc.Decode(&v); err != nil {
				t.Fatal(err)
			}
			for _, q := range v.Schema[0].Quality {
				c := check{file: f.Path, what: q.Description, query: q.Query}
				switch {
				case q.MustBe != nil:
					c.want = *q.MustBe
				case q.MustBeGreaterOrEqualTo != nil:
					c.want, c.atLeast = *q.MustBeGreaterOrEqualTo, true
				default:
					t.Fatalf("%s: a quality check without a bound: %+v", f.Path, q)
				}
				out = append(out, c)
			}
		case f.Path == "dbt/sources.yml":
			var v struct {
				Sources []struct {
					Name, Schema string
					Tables       []struct {
						Name    string
						Columns []struct {
							Name      string
							DataTests []any `yaml:"data_tests"`
						}
					}
				}
			}
			if err := doc.Decode(&v); err != nil {
				t.Fatal(err)
			}
			schemaOf := map[string]string{}
			for _, s := range v.Sources {
				schemaOf[s.Name] = s.Schema
			}
			for _, s := range v.Sources {
				for _, tb := range s.Tables {
					table := s.Schema + "." + tb.Name
					for _, col := range tb.Columns {
						for _, test := range col.DataTests {
							c := check{file: f.Path, what: fmt.Sprintf("%s.%s %v", table, col.Name, test)}
							switch test := test.(type) {
							case string:
								switch test {
								case "unique":
									c.query = dupQuery(table, col.Name)
								case "not_null":
									c.query = fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE %s IS NULL", table, col.Name)
								default:
									t.Fatalf("dbt test %q", test)
								}
							case map[string]any:
								rel, _ := test["relationships"].(map[string]any)
								if args, ok := rel["arguments"].(map[string]any); ok {
									rel = args
								}
								m := dbtSource.FindStringSubmatch(fmt.Sprint(rel["to"]))
								if m == nil {
									t.Fatalf("dbt test %v", test)
								}
								c.query = refQuery(table, col.Name, schemaOf[m[1]]+"."+m[2], fmt.Sprint(rel["field"]))
							}
							out = append(out, c)
						}
					}
				}
			}
		}
	}
	return out
}

// contractChecks reads a Soda v4 data contract (dataset SOURCE/.../
// SCHEMA/TABLE): row_count's exact threshold, missing and duplicate on
// columns, and invalid with valid_reference_data, as SQL.
func contractChecks(t *testing.T, f extras.File, doc *yaml.Node, sc model.Schemas) []check {
	t.Helper()
	var v struct {
		Dataset string
		Columns []struct {
			Name   string
			Checks []map[string]struct {
				ValidReferenceData struct{ Dataset, Column string } `yaml:"valid_reference_data"`
			}
		}
		Checks []map[string]struct {
			Threshold struct {
				MustBe *int64 `yaml:"must_be"`
			}
		}
	}
	if err := doc.Decode(&v); err != nil {
		t.Fatalf("%s: %v", f.Path, err)
	}
	table := func(dataset string) string {
		parts := strings.Split(dataset, "/")
		if len(parts) < 3 || parts[0] != "originsim" {
			t.Fatalf("%s: dataset %q", f.Path, dataset)
		}
		return parts[len(parts)-2] + "." + parts[len(parts)-1]
	}
	tb := table(v.Dataset)
	var out []check
	for _, c := range v.Checks {
		for kind, cfg := range c {
			if kind != "row_count" || cfg.Threshold.MustBe == nil {
				t.Fatalf("%s: a check this test cannot run: %v", f.Path, c)
			}
			out = append(out, check{file: f.Path, what: tb + " row_count", query: "SELECT COUNT(*) FROM " + tb, want: *cfg.Threshold.MustBe})
		}
	}
	for _, col := range v.Columns {
		for _, c := range col.Checks {
			for kind, cfg := range c {
				ch := check{file: f.Path, what: fmt.Sprintf("%s.%s %s", tb, col.Name, kind)}
				switch kind {
				case "missing":
					ch.query = fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE %s IS NULL", tb, col.Name)
				case "duplicate":
					ch.query = dupQuery(tb, col.Name)
				case "invalid":
					ch.query = refQuery(tb, col.Name, table(cfg.ValidReferenceData.Dataset), cfg.ValidReferenceData.Column)
				default:
					t.Fatalf("%s: a check this test cannot run: %s", f.Path, kind)
				}
				out = append(out, ch)
			}
		}
	}
	return out
}

// Every check the extras write holds on correct data: the Soda v4
// contracts and v3 scans, the ODCS quality checks and the dbt sources'
// tests, run as SQL on days
// 0-10 on DuckDB (soft deletes) and, soft and hard, on PostgreSQL and
// MariaDB.
func TestExtrasChecksHoldOnCorrectData(t *testing.T) {
	const days = 10
	type target struct {
		name string
		url  func(t *testing.T) (string, model.Schemas)
		hard []bool
	}
	server := func(env string) func(t *testing.T) (string, model.Schemas) {
		return func(t *testing.T) (string, model.Schemas) {
			u := simtest.ServerURL(t, env)
			return u, simtest.NewSchemas(t, u)
		}
	}
	targets := []target{
		{"duckdb", func(t *testing.T) (string, model.Schemas) {
			return "duckdb:" + filepath.Join(t.TempDir(), "x.duckdb"), model.DefaultSchemas
		}, []bool{false}},
		{"postgres", server("ORIGINSIM_TEST_POSTGRES_URL"), []bool{false, true}},
		{"mariadb", server("ORIGINSIM_TEST_MYSQL_URL"), []bool{false, true}},
	}
	for _, tg := range targets {
		for _, hard := range tg.hard {
			t.Run(fmt.Sprintf("%s/hard=%v", tg.name, hard), func(t *testing.T) {
				ctx := context.Background()
				url, sc := tg.url(t)
				cfg := gen.Default()
				cfg.HardDeletes = hard
				files, err := extras.Generate(extras.Options{Config: cfg, Schemas: sc, Days: days, Tool: "test"})
				if err != nil {
					t.Fatal(err)
				}
				v3, err := extras.Generate(extras.Options{Config: cfg, Schemas: sc, Days: days, Tool: "test", Soda: extras.SodaV3})
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range v3 {
					if strings.HasPrefix(f.Path, "soda/") {
						files = append(files, f)
					}
				}
				deletes := "soft"
				if hard {
					deletes = "hard"
				}
				sim, err := originsim.Open(ctx, url, originsim.WithSchemas(sc))
				if err != nil {
					t.Fatal(err)
				}
				defer sim.Close()
				if _, err := sim.LoadBaseline(ctx, originsim.BaselineOptions{Deletes: deletes}); err != nil {
					t.Fatal(err)
				}
				ran, byKind := 0, map[string]int{}
				for day := 0; day <= days; day++ {
					if day > 0 {
						if _, err := sim.ApplyDelta(ctx, day); err != nil {
							t.Fatal(err)
						}
					}
					checks := checksOf(t, files, sc, day)
					err := sim.Read(ctx, func(ctx context.Context, sn *originsim.Snapshot) error {
						for _, c := range checks {
							var got int64
							if err := sn.Tx.Query(ctx, c.query, []model.Kind{model.Int}, func(r []any) error { got = r[0].(int64); return nil }); err != nil {
								return fmt.Errorf("%s: %s: %w", c.file, c.query, err)
							}
							if got != c.want && !(c.atLeast && got > c.want) {
								t.Errorf("day %d, %s: %s: got %d, want %d (at least: %v)\n  %s", day, c.file, c.what, got, c.want, c.atLeast, c.query)
							}
							ran++
							byKind[strings.SplitN(c.file, "/", 2)[0]+map[bool]string{true: " v4", false: ""}[strings.HasPrefix(c.file, "soda/day_")]]++
						}
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				if ran < 100 || byKind["soda v4"] == 0 || byKind["soda"] == 0 || byKind["contracts"] == 0 || byKind["dbt"] == 0 {
					t.Fatalf("only %d checks ran: %v", ran, byKind)
				}
			})
		}
	}
}
