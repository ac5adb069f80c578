package originsim

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/model"
)

// The guards around the user's data: what an operation checks before it
// drops, empties or deletes anything, so that nothing it does to its own
// tables changes a table it did not make.

// refuseReferences refuses, naming them, foreign keys of tables originsim
// did not make that reference its tables: dropping, emptying or deleting
// rows of those tables would fail on them, or cascade into the user's
// table (ON DELETE CASCADE or SET NULL).
func (s *Simulator) refuseReferences(ctx context.Context, tx driver.Tx, what any) error {
	d := s.t.Dialect()
	var theirs []string
	for _, sys := range []model.System{model.Shop, model.CRM} {
		schema := s.schemas.Of(sys)
		kinds := []model.Kind{model.Text, model.Text, model.Text, model.Text}
		err := tx.Query(ctx, d.ReferencingKeys(schema), kinds, func(v []any) error {
			name, fromSchema, fromTable, to := v[0].(string), v[1].(string), v[2].(string), v[3].(string)
			if !s.isOurs(fromSchema, fromTable) && s.isOurs(schema, to) {
				theirs = append(theirs, fmt.Sprintf("%s.%s (foreign key %s references %s.%s)", fromSchema, fromTable, name, schema, to))
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("list the foreign keys that reference %s: %w", schema, err)
		}
	}
	if len(theirs) > 0 {
		return stateErr("%s would change tables originsim did not make, through their foreign keys: %s; drop those foreign keys (or the tables) first; nothing changed",
			what, strings.Join(theirs, ", "))
	}
	return nil
}

// isOurs reports whether schema.table is one of the tables originsim makes
// in the two systems (the ledger included).
func (s *Simulator) isOurs(schema, table string) bool {
	if schema == s.schemas.Shop && table == model.LedgerTable {
		return true
	}
	t, ok := model.ByName(table)
	return ok && s.schemas.Of(t.System) == schema
}

// checkShape refuses a table whose columns are not t's: other names, more
// or fewer columns, or a type that does not hold the column's values.
func (s *Simulator) checkShape(ctx context.Context, tx driver.Tx, schema string, t *model.Table) error {
	var names, types []string
	err := tx.Query(ctx, s.t.Dialect().ListColumnTypes(schema, t.Name), []model.Kind{model.Text, model.Text}, func(v []any) error {
		names = append(names, strings.ToLower(v[0].(string)))
		types = append(types, v[1].(string))
		return nil
	})
	if err != nil {
		return fmt.Errorf("read the columns of %s.%s: %w", schema, t.Name, err)
	}
	for _, c := range t.Columns {
		i := slices.Index(names, c.Name)
		switch {
		case i < 0:
			return fmt.Errorf("%s.%s has no column %s", schema, t.Name, c.Name)
		case !driver.TypeHolds(types[i], c.Kind):
			return fmt.Errorf("%s.%s.%s is %s, which does not hold originsim's %s", schema, t.Name, c.Name, types[i], c.Kind)
		}
	}
	if len(names) != len(t.Columns) {
		return fmt.Errorf("%s.%s has %d columns, originsim's has %d", schema, t.Name, len(names), len(t.Columns))
	}
	return nil
}

// checkOurShapes refuses to touch the existing tables of the two systems
// unless each has the columns originsim makes: a table of the same name
// with other columns is not one originsim made (a ledger that names
// another schema, a table replaced by hand).
func (s *Simulator) checkOurShapes(ctx context.Context, tx driver.Tx, f *found, what any) error {
	for _, t := range model.Tables() {
		if !f.tables[t.System][t.Name] {
			continue
		}
		if err := s.checkShape(ctx, tx, s.schemas.Of(t.System), t); err != nil {
			return stateErr("%s: %v: it is not a table originsim made; nothing changed", what, err)
		}
	}
	return nil
}
