// Package check holds the rules the data must obey at every state (from the
// data model). The same code checks the generator's expected state in tests
// and a database's real content in verify.
//
// The rules are a table (AllRules), each a name, a table, a description and
// a small check function, run in the table's order.
package check

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/originsim/originsim/model"
)

// Result is the outcome of one rule.
type Result struct {
	Rule       string   `json:"rule"`
	Table      string   `json:"table"`
	Violations int      `json:"violations"`
	Examples   []string `json:"examples,omitempty"` // a few offending keys
}

// OK reports whether the rule holds.
func (r Result) OK() bool { return r.Violations == 0 }

const maxExamples = 5

// fail counts a row that breaks r, keeping its key as an example while
// there are few.
func (r *Result) fail(key int64) {
	r.Violations++
	if len(r.Examples) < maxExamples {
		r.Examples = append(r.Examples, strconv.FormatInt(key, 10))
	}
}

// Rules checks every rule on d. until is the end of the recorded day: no
// timestamp may lie at or after it.
func Rules(d *model.Dataset, until time.Time) []Result { return RulesWith(d, until, Options{}) }

// Options adapt the rules to how the data was made.
type Options struct {
	// HardDeletes: customers who left are deleted, so the CRM's logical
	// references (emails, sessions) may name a customer key that no longer
	// exists, though never one above the largest key there is.
	HardDeletes bool
}

// RulesWith checks every rule on d, adapted by o: one result per rule of
// AllRules, in its order.
func RulesWith(d *model.Dataset, until time.Time, o Options) []Result {
	in := NewInput(d, until, o)
	rules := AllRules()
	out := make([]Result, 0, len(rules))
	for _, r := range rules {
		out = append(out, r.Run(in))
	}
	return out
}

// Failed returns the results that do not hold.
func Failed(rs []Result) []Result {
	var out []Result
	for _, r := range rs {
		if !r.OK() {
			out = append(out, r)
		}
	}
	return out
}

// Summary is a one-line description of a failed rule.
func (r Result) Summary() string {
	return fmt.Sprintf("%s: %s: %d rows (e.g. %s)", r.Table, r.Rule, r.Violations, strings.Join(r.Examples, ", "))
}
