package extras

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/originsim/originsim/model"
)

// baselineArgs are load-baseline's options for the generated data, always
// spelled out so the database matches the Soda scans whatever settings file
// is around.
func (g generator) baselineArgs() []string {
	return []string{"--seed", strconv.FormatUint(g.Config.Seed, 10), "--start-date", g.Config.Start.Format("2006-01-02"), "--scale", strconv.Itoa(g.Config.Scale)}
}

// schemaArgs name the schemas when they are not the defaults.
func (g generator) schemaArgs() []string {
	if g.Schemas == model.DefaultSchemas {
		return nil
	}
	return []string{"--shop-schema", g.Schemas.Shop, "--crm-schema", g.Schemas.CRM}
}

type task struct {
	Label          string   `json:"label"`
	Type           string   `json:"type"`
	Command        string   `json:"command"`
	Args           []string `json:"args"`
	ProblemMatcher []string `json:"problemMatcher"`
}

// tasks is VS Code's tasks.json: one task per operation and generated day.
func (g generator) tasks() []byte {
	t := func(label string, args ...string) task {
		return task{Label: "originsim: " + label, Type: "shell", Command: "originsim", Args: append(args, g.schemaArgs()...), ProblemMatcher: []string{}}
	}
	list := []task{t("load baseline (Day 0)", append([]string{"load-baseline"}, g.baselineArgs()...)...), t("status", "status")}
	for day := 1; day < len(g.counts); day++ {
		list = append(list, t(fmt.Sprintf("apply Day %d", day), "apply-delta", "--day", strconv.Itoa(day)))
	}
	list = append(list, t("verify", "verify"), t("reset to Day 0", append([]string{"reset", "--yes"}, g.baselineArgs()...)...))
	out, err := json.MarshalIndent(struct {
		Version string `json:"version"`
		Tasks   []task `json:"tasks"`
	}{"2.0.0", list}, "", "  ")
	if err != nil {
		panic(err) // plain structs
	}
	return append(out, '\n')
}

// workflow is a GitHub Actions workflow that installs originsim, loads the
// baseline, plays Day 1 and verifies, on a DuckDB file of the run.
func (g generator) workflow() *yaml.Node {
	version := "latest"
	if g.Tool != "" && !strings.Contains(g.Tool, "-") {
		version = "v" + g.Tool
	}
	cmd := func(args ...string) string {
		return strings.Join(append(append([]string{"originsim"}, args...), g.schemaArgs()...), " ")
	}
	step := func(name, run string) *yaml.Node { return mapping("name", name, "run", run) }
	steps := []*yaml.Node{
		mapping("uses", "actions/checkout@v6"),
		mapping("uses", "actions/setup-go@v6", "with", mapping("go-version", "stable")),
		step("Install originsim", "go install github.com/originsim/originsim/cmd/originsim@"+version),
		step("Load the Day 0 baseline", cmd(append([]string{"load-baseline"}, g.baselineArgs()...)...)),
		step("Play Day 1", cmd("apply-delta", "--day", "1")),
		step("Verify the data is exactly Day 1", cmd("verify")),
	}
	job := mapping(
		"runs-on", "ubuntu-latest",
		"env", mapping("ORIGINSIM_DB", "duckdb:data/originsim-ci.duckdb"),
		"steps", steps)
	comment := g.header("GitHub Actions: source systems for your pipeline's tests.",
		"Copy to .github/workflows/; add your own steps (dbt build, soda scan) after the",
		"baseline and after each day. ORIGINSIM_DB may name a service database instead.")
	return document(comment, mapping(
		"name", "originsim",
		"on", mapping("push", mapping("branches", flow(seq(scalar("main")))), "pull_request", mapping()),
		"jobs", mapping("sources", job)))
}
