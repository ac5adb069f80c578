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
)

func (k Kind) String() string {
	switch k {
	case Insert:
		return "insert"
	case Update:
		return "update"
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
