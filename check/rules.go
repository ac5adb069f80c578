package check

import (
	"slices"
	"time"

	"github.com/originsim/originsim/model"
)

// Rule is one thing the data must obey, checked row by row.
type Rule struct {
	Number      int    // its place in AllRules, from 1
	Name        string // what Result.Rule reports; unique within Table
	Table       string // the table whose keys a violation reports
	Description string // what the rule means and why it holds
	// Check calls fail with the key of each row that breaks the rule, in
	// the order it meets them (the rows' order, as a rule keeps a few
	// first keys as examples).
	Check func(in *Input, fail func(key int64))
	// Custom: the user's own rows (keys 5000-9999) are held to the rule
	// too. Those are the keys and the references, which a user's row can
	// break for every other row; the other rules are the generator's
	// promises about its own rows, and see those alone.
	Custom bool
}

// Run checks r on in.
func (r Rule) Run(in *Input) Result {
	res := Result{Rule: r.Name, Table: r.Table}
	if !r.Custom {
		in = in.generated
	}
	r.Check(in, res.fail)
	return res
}

// AllRules lists the rules in the order RulesWith reports them: table by
// table in foreign-key order, each table's row rules first, and a rule over
// an order's items or payments beside the items or payments it adds up.
func AllRules() []Rule {
	rs := slices.Concat(
		customerRules(), productRules(), orderRules(), itemRules(), paymentRules(),
		campaignRules(), emailRules(), sessionRules(),
	)
	for i := range rs {
		rs[i].Number = i + 1
	}
	return rs
}

// rowRules are the rules every table obeys: its keys, and the change
// columns (created_at, updated_at, deleted_at) that incremental loads read.
func rowRules(t model.TableID) []Rule {
	name := model.Get(t).Name
	return []Rule{
		{
			Name: "primary key unique and ascending", Table: name,
			Description: "Keys are positive, never repeat, and the rows come in key order, as the answer key streams them.",
			Check:       func(in *Input, fail func(int64)) { ascendingKeys(in.rows(t), fail) },
			Custom:      true,
		},
		{
			Name: "updated_at >= created_at, deleted_at >= created_at", Table: name,
			Description: "A row is changed or soft-deleted only after it is created.",
			Check:       func(in *Input, fail func(int64)) { trioOrdered(in.rows(t), fail) },
		},
		{
			Name: "timestamps before the end of the recorded day", Table: name,
			Description: "Time moves forward: nothing is created, changed or deleted at or after the end of the last day recorded.",
			Check:       func(in *Input, fail func(int64)) { trioBefore(in.rows(t), in.until, fail) },
		},
	}
}

func ascendingKeys(rs rows, fail func(int64)) {
	prev := int64(0)
	for i := 0; i < rs.n; i++ {
		k := rs.key(i)
		if k <= prev {
			fail(k)
		}
		prev = max(prev, k)
	}
}

func trioOrdered(rs rows, fail func(int64)) {
	for i := 0; i < rs.n; i++ {
		if !ordered(rs.trio(i)) {
			fail(rs.key(i))
		}
	}
}

func trioBefore(rs rows, until time.Time, fail func(int64)) {
	for i := 0; i < rs.n; i++ {
		if !before(rs.trio(i), until) {
			fail(rs.key(i))
		}
	}
}

// ordered reports whether x was changed, and deleted if it was, no earlier
// than created.
func ordered(x model.Trio) bool {
	return !x.UpdatedAt.Before(x.CreatedAt) && (x.Active() || !x.DeletedAt.Before(x.CreatedAt))
}

// before reports whether x was created, changed and deleted (if it was)
// before t.
func before(x model.Trio, t time.Time) bool {
	return x.CreatedAt.Before(t) && x.UpdatedAt.Before(t) && (x.Active() || x.DeletedAt.Before(t))
}
