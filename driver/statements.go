package driver

import (
	"github.com/originsim/originsim/changeset"
	"github.com/originsim/originsim/model"
)

// updateBatch bounds the rows of one UPDATE or DELETE statement.
const updateBatch = 1000

// Statements renders an update, soft delete or delete step as set-based
// statements of at most updateBatch rows and hands them to fn, in order:
// the direct path runs them, a script writes them.
func Statements(d Dialect, schema string, t *model.Table, st changeset.Step, fn func(query string) error) error {
	for from := 0; from < len(st.Rows); from += updateBatch {
		rows := st.Rows[from:min(from+updateBatch, len(st.Rows))]
		q := ""
		if st.Kind == changeset.Delete {
			keys := make([]int64, len(rows))
			for i, r := range rows {
				keys[i] = r[0].(int64)
			}
			q = d.Delete(schema, t, keys)
		} else {
			q = d.Update(schema, t, st.Columns, rows)
		}
		if err := fn(q); err != nil {
			return err
		}
	}
	return nil
}
