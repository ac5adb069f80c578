package extras

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/originsim/originsim/model"
)

// soda is the SodaCL scan for one day: the exact row count of every table,
// keys present and unique, every column the model says is never NULL, and
// every reference (the cross-system ones too) resolving.
func (g generator) soda(day int) *yaml.Node {
	root := mapping()
	for _, t := range model.Tables() {
		checks := []*yaml.Node{scalar(fmt.Sprintf("row_count = %d", g.counts[day][t.ID]))}
		checks = append(checks, scalar(fmt.Sprintf("duplicate_count(%s) = 0", t.Key())))
		for _, c := range t.Columns {
			if !c.Nullable {
				checks = append(checks, scalar(fmt.Sprintf("missing_count(%s) = 0", c.Name)))
			}
		}
		for _, fk := range t.ForeignKeys {
			if !g.checked(fk) {
				continue
			}
			ref := model.Get(fk.Ref)
			check := fmt.Sprintf("values in (%s) must exist in %s (%s)", fk.Column, g.qualified(ref), ref.Key())
			checks = append(checks, mapping(check, mapping("name", fmt.Sprintf("%s.%s refers to %s", t.Name, fk.Column, ref.Name))))
		}
		root.Content = append(root.Content, scalar("checks for "+g.qualified(t)), seq(checks...))
	}
	run := "originsim load-baseline"
	if day > 0 {
		run = fmt.Sprintf("originsim apply-delta --day %d", day)
	}
	comment := g.header(fmt.Sprintf("Soda checks for the state after Day %d (%s): exact row counts, keys, references.",
		day, g.Config.DayDate(day).Format("2006-01-02")),
		"Run after '"+run+"':",
		fmt.Sprintf("  soda scan -d originsim -c configuration.yml checks_day_%d.yml", day))
	return document(comment, root)
}
