// Package changeset holds what one step of the simulation does, as data: the
// rows to insert per table, the updates and the soft deletes. The same
// changeset feeds the database, the change feed and SQL scripts, so they
// agree by construction.
package changeset

import "github.com/originsim/originsim/model"

// Kind says what a step does to its table.
type Kind int

const (
	Insert     Kind = iota // new rows
	Update                 // new values for existing rows
	SoftDelete             // existing rows retired: deleted_at set (and status, for orders)
	// Delete removes rows: Columns are the key and deleted_at, the moment
	// of the delete, which is not written (there is no row left to hold
	// it) but tells a change feed when.
	Delete
)

func (k Kind) String() string {
	switch k {
	case Insert:
		return "insert"
	case Update:
		return "update"
	case Delete:
		return "delete"
	}
	return "soft delete"
}

// Step is one group of changes to one table, applied in order.
type Step struct {
	Table model.TableID
	Kind  Kind
	// What is a short description of the step for progress lines, such as
	// "status updates" or "email changes".
	What string
	// Columns are the columns each row carries: every column of the table for
	// an insert; the key column first, then the columns set, for the others.
	Columns []string
	// Rows hold normalised values (see model.Normalize) in Columns order.
	Rows [][]any
}

// Changeset is everything one day does; day 0 is the baseline.
type Changeset struct {
	Day   int
	Steps []Step
}

// Add appends a step unless it has no rows.
func (c *Changeset) Add(s Step) {
	if len(s.Rows) > 0 {
		c.Steps = append(c.Steps, s)
	}
}

// Count is the number of rows of the given kind for a table.
func (c *Changeset) Count(t model.TableID, k Kind) int {
	n := 0
	for _, s := range c.Steps {
		if s.Table == t && s.Kind == k {
			n += len(s.Rows)
		}
	}
	return n
}

// Group is the steps written (and reported on one progress line) together:
// all of a day's changes to one table, or the orders' status updates and
// cancellations.
type Group struct {
	Table model.TableID
	// Status marks the orders' updates, written after the payments.
	Status bool
	// Deletes marks a table's deletes, written after everything else.
	Deletes bool
	Steps   []Step
}

// Groups orders the steps the way they are written to a database, and so
// the way a change feed or a script lists them: tables in foreign-key
// order, each table's changes together, the orders' status updates after
// the payments, the shop before the CRM; deletes last, in reverse
// foreign-key order, so no row is deleted while another refers to it.
func (c *Changeset) Groups() []*Group {
	var out []*Group
	find := func(t model.TableID, status bool) *Group {
		for _, g := range out {
			if g.Table == t && g.Status == status {
				return g
			}
		}
		g := &Group{Table: t, Status: status}
		out = append(out, g)
		return g
	}
	// Create the groups in the order they are written.
	for _, t := range model.Tables() {
		find(t.ID, false)
		if t.ID == model.Payments {
			find(model.Orders, true)
		}
	}
	var deletes []*Group
	for _, t := range model.Tables() {
		deletes = append([]*Group{{Table: t.ID, Deletes: true}}, deletes...)
	}
	for _, st := range c.Steps {
		if st.Kind == Delete {
			g := deletes[model.NumTables-1-int(st.Table)]
			g.Steps = append(g.Steps, st)
			continue
		}
		g := find(st.Table, st.Table == model.Orders && st.Kind != Insert)
		g.Steps = append(g.Steps, st)
	}
	out = append(out, deletes...)
	kept := out[:0]
	for _, g := range out {
		if len(g.Steps) > 0 {
			kept = append(kept, g)
		}
	}
	return kept
}
