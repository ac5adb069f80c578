package replica

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/originsim/originsim/model"
)

// deleteConventions are the columns pipelines mark deleted rows with, in
// the order they are looked for.
var deleteConventions = []string{"_fivetran_deleted", "_ab_cdc_deleted_at", "_dlt_deleted_at", "_dlt_deleted", "__deleted", "_is_deleted"}

// pipelinePrefixes are the prefixes of columns pipelines add, ignored.
var pipelinePrefixes = []string{"_fivetran_", "_airbyte_", "_ab_", "_dlt_", "_sdc_", "__"}

// pipelineColumns are more columns pipelines add, ignored.
var pipelineColumns = []string{"_rescued_data", "_metadata"}

// mapping is how a replica table's columns answer to originsim's.
type mapping struct {
	cols    []string // the replica's column for each of t's columns ("" when missing)
	types   []string // their types in the scratch database
	deleted string   // the delete column, "" when deleted rows are absent
	extra   []string // columns that are neither originsim's nor ignored
}

// mapColumns matches the replica's columns to t's, case-insensitively.
func mapColumns(t *model.Table, have, types []string, o Options) (mapping, []string) {
	var m mapping
	var problems []string
	lower := map[string]string{}
	typeOf := map[string]string{}
	for i, c := range have {
		lower[strings.ToLower(c)] = c
		typeOf[c] = types[i]
	}
	for _, c := range t.Columns {
		m.cols = append(m.cols, lower[c.Name])
		m.types = append(m.types, typeOf[lower[c.Name]])
		if lower[c.Name] == "" {
			problems = append(problems, "no column "+c.Name)
		}
	}
	if o.DeletedColumn != "" {
		if m.deleted = lower[strings.ToLower(o.DeletedColumn)]; m.deleted == "" {
			problems = append(problems, "no column "+o.DeletedColumn+" (the delete column asked for)")
		}
	} else {
		for _, c := range deleteConventions {
			if lower[c] != "" {
				m.deleted = lower[c]
				break
			}
		}
	}
	for _, c := range have {
		l := strings.ToLower(c)
		if t.Col(l) >= 0 || c == m.deleted || ignored(l, o.IgnoreColumns) {
			continue
		}
		m.extra = append(m.extra, c)
	}
	return m, problems
}

func ignored(col string, more []string) bool {
	for _, p := range pipelinePrefixes {
		if strings.HasPrefix(col, p) {
			return true
		}
	}
	return slices.Contains(pipelineColumns, col) || slices.ContainsFunc(more, func(m string) bool { return strings.EqualFold(m, col) })
}

// text is a column of any type as text.
func text(col string) string { return "CAST(" + col + " AS VARCHAR)" }

// native renders a replica column whose type already holds kind k's
// values exactly, without going through text; ok is false for any other
// type.
func native(k model.Kind, col, typ string) (string, bool) {
	typ = strings.ToUpper(typ)
	switch {
	case k == model.Int && slices.Contains([]string{"INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT", "UINTEGER", "UBIGINT", "USMALLINT"}, typ):
		return "CAST(" + col + " AS BIGINT)", true
	case k == model.Decimal && strings.HasPrefix(typ, "DECIMAL(") && strings.HasSuffix(typ, ",2)"):
		return "CAST(round(" + col + " * 100) AS BIGINT)", true
	case k == model.Timestamp && typ == "TIMESTAMP":
		return col, true
	case k == model.Timestamp && typ == "TIMESTAMP WITH TIME ZONE":
		return "timezone('UTC', " + col + ")", true
	case k == model.Date && typ == "DATE", k == model.Bool && typ == "BOOLEAN", k == model.Text && typ == "VARCHAR":
		return col, true
	}
	return "", false
}

// normalized renders a replica column as the value originsim's column of
// kind k means: decimals as cents (NULL unless a whole number of cents),
// timestamps as UTC, booleans however spelled, numbers in strings.
func normalized(k model.Kind, col, typ string) string {
	if e, ok := native(k, col, typ); ok {
		return e
	}
	s := text(col)
	switch k {
	case model.Int:
		return "TRY_CAST(" + s + " AS BIGINT)"
	case model.Decimal:
		v := "COALESCE(TRY_CAST(" + s + " AS DECIMAL(38,10)), TRY_CAST(TRY_CAST(" + s + " AS DOUBLE) AS DECIMAL(38,10)))"
		return fmt.Sprintf("CASE WHEN %[1]s * 100 = round(%[1]s * 100) THEN CAST(round(%[1]s * 100) AS BIGINT) END", v)
	case model.Date:
		return "COALESCE(TRY_CAST(" + s + " AS DATE), CAST(timezone('UTC', TRY_CAST(" + s + " AS TIMESTAMPTZ)) AS DATE))"
	case model.Timestamp:
		return "timezone('UTC', TRY_CAST(" + s + " AS TIMESTAMPTZ))"
	case model.Bool:
		return "CASE WHEN lower(" + s + ") IN ('true', 't', '1', 'yes', 'y') THEN true WHEN lower(" + s + ") IN ('false', 'f', '0', 'no', 'n') THEN false END"
	}
	return s
}

// expectedValue renders an expected column in the same terms, a timestamp
// cut to the replica's precision (unit "" keeps it whole).
func expectedValue(k model.Kind, col, unit string) string {
	switch k {
	case model.Int:
		return "CAST(" + col + " AS BIGINT)"
	case model.Decimal:
		return "CAST(round(" + col + " * 100) AS BIGINT)"
	case model.Timestamp:
		if unit != "" {
			return "date_trunc('" + unit + "', " + col + ")"
		}
	}
	return col
}

// deletedExpr is true for a row the replica marks deleted.
func deletedExpr(col string) string {
	return fmt.Sprintf("(%s IS NOT NULL AND lower(%s) NOT IN ('false', 'f', '0', 'no', 'n', ''))", col, text(col))
}

// normalize makes the scratch table norm of the replica's rows that are
// present, in originsim's columns and terms.
func normalize(ctx context.Context, sc *scratch, t *model.Table, from, norm string, m mapping) error {
	exprs := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		exprs[i] = normalized(c.Kind, ident(m.cols[i]), m.types[i]) + " AS " + ident(c.Name)
	}
	where := ""
	if m.deleted != "" {
		where = " WHERE NOT " + deletedExpr(ident(m.deleted))
	}
	return sc.run(ctx, fmt.Sprintf("CREATE TABLE %s AS SELECT %s FROM %s%s", ident(norm+"_all"), strings.Join(exprs, ", "), ident(from), where),
		// The user's own rows are the source's too, never the simulation's.
		fmt.Sprintf("CREATE TABLE %s AS SELECT * FROM %s WHERE %s IS NULL OR %s NOT BETWEEN %d AND %d",
			ident(norm), ident(norm+"_all"), ident(t.Key()), ident(t.Key()), model.CustomFrom, model.CustomTo))
}

// precision says to which unit the replica keeps timestamp column c, when
// that is coarser than the expected rows': "millisecond", "second", or "".
func precision(ctx context.Context, sc *scratch, exp, norm, c string) (string, error) {
	var units []string
	for _, rel := range []string{exp, norm} {
		q := fmt.Sprintf("SELECT CASE WHEN bool_or(epoch_us(%[1]s) %% 1000 <> 0) THEN 'microsecond' WHEN bool_or(epoch_us(%[1]s) %% 1000000 <> 0) THEN 'millisecond' ELSE 'second' END FROM %[2]s",
			ident(c), ident(rel))
		err := sc.query(ctx, q, []model.Kind{model.Text}, func(v []any) error { units = append(units, v[0].(string)); return nil })
		if err != nil {
			return "", err
		}
	}
	rank := map[string]int{"microsecond": 0, "millisecond": 1, "second": 2}
	if rank[units[1]] > rank[units[0]] {
		return units[1], nil
	}
	return "", nil
}

// counts are one table's comparison.
type counts struct{ found, keys, missing, extra, changed int64 }

// compare joins the expected and normalised rows on the key into the
// scratch table cmp: one row per pair, flagged missing, extra or changed.
func compare(ctx context.Context, sc *scratch, t *model.Table, exp, norm, cmp string, units []string) (counts, error) {
	key := ident(t.Key())
	var diff []string
	eCols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		eCols[i] = expectedValue(c.Kind, ident(c.Name), units[i]) + " AS " + ident(c.Name)
		if i > 0 {
			diff = append(diff, fmt.Sprintf("e.%s IS DISTINCT FROM r.%s", ident(c.Name), ident(c.Name)))
		}
	}
	q := fmt.Sprintf(`CREATE TABLE %s AS SELECT COALESCE(e.%s, r.%s) AS k, e.%s IS NULL AS extra, r.%s IS NULL AS missing,
  (e.%s IS NOT NULL AND r.%s IS NOT NULL AND (%s)) AS changed
FROM (SELECT %s FROM %s) AS e FULL OUTER JOIN (SELECT DISTINCT * FROM %s WHERE %s IS NOT NULL) AS r ON e.%s = r.%s`,
		ident(cmp), key, key, key, key, key, key, strings.Join(diff, " OR "),
		strings.Join(eCols, ", "), ident(exp), ident(norm), key, key, key)
	if err := sc.run(ctx, q); err != nil {
		return counts{}, err
	}
	var c counts
	q = fmt.Sprintf(`SELECT (SELECT count(*) FROM %s), (SELECT count(DISTINCT %s) FROM %s),
  count(DISTINCT k) FILTER (WHERE missing), count(DISTINCT k) FILTER (WHERE extra),
  count(DISTINCT k) FILTER (WHERE changed) FROM %s`, ident(norm), key, ident(norm), ident(cmp))
	kinds := []model.Kind{model.Int, model.Int, model.Int, model.Int, model.Int}
	err := sc.query(ctx, q, kinds, func(v []any) error {
		c = counts{v[0].(int64), v[1].(int64), v[2].(int64), v[3].(int64), v[4].(int64)}
		return nil
	})
	return c, err
}

// keysOf lists up to n keys of one kind of difference, in key order.
func keysOf(ctx context.Context, sc *scratch, cmp, kind string, n int) ([]int64, error) {
	var keys []int64
	q := fmt.Sprintf("SELECT DISTINCT k FROM %s WHERE %s ORDER BY k LIMIT %d", ident(cmp), kind, n)
	err := sc.query(ctx, q, []model.Kind{model.Int}, func(v []any) error { keys = append(keys, v[0].(int64)); return nil })
	return keys, err
}

// duplicateKeys lists up to n keys the replica holds more than once.
func duplicateKeys(ctx context.Context, sc *scratch, t *model.Table, norm string, n int) ([]int64, error) {
	var keys []int64
	key := ident(t.Key())
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s IS NOT NULL GROUP BY %s HAVING count(*) > 1 ORDER BY %s LIMIT %d", key, ident(norm), key, key, key, n)
	err := sc.query(ctx, q, []model.Kind{model.Int}, func(v []any) error { keys = append(keys, v[0].(int64)); return nil })
	return keys, err
}

// changedColumns names, for a changed key, the columns that differ, with
// the expected and found values as text.
func changedColumns(ctx context.Context, sc *scratch, t *model.Table, exp, norm string, units []string, key int64) ([]ColumnDiff, error) {
	kinds := make([]model.Kind, 0, 2*len(t.Columns))
	var sel []string
	for i, c := range t.Columns {
		sel = append(sel, text(expectedValue(c.Kind, "e."+ident(c.Name), units[i])), text("r."+ident(c.Name)))
		kinds = append(kinds, model.Text, model.Text)
	}
	k := ident(t.Key())
	q := fmt.Sprintf("SELECT %s FROM %s AS e JOIN (SELECT DISTINCT * FROM %s) AS r ON e.%s = r.%s WHERE e.%s = %d",
		strings.Join(sel, ", "), ident(exp), ident(norm), k, k, k, key)
	var out []ColumnDiff
	err := sc.query(ctx, q, kinds, func(v []any) error {
		for i, c := range t.Columns {
			e, f := show(c.Kind, v[2*i]), show(c.Kind, v[2*i+1])
			if e != f && !slices.ContainsFunc(out, func(d ColumnDiff) bool { return d.Column == c.Name && d.Found == f }) {
				out = append(out, ColumnDiff{Column: c.Name, Expected: e, Found: f})
			}
		}
		return nil
	})
	return out, err
}

// show renders a compared value for people: cents as a decimal, NULL as
// NULL.
func show(k model.Kind, v any) string {
	s, ok := v.(string)
	if !ok {
		return "NULL"
	}
	if k == model.Decimal {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return model.Cents(n).String()
		}
	}
	return s
}
