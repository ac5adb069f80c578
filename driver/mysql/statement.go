package mysql

import (
	"strings"
)

// stKind is what a statement given to Tx.Exec does, as far as MySQL's
// implicit commits are concerned.
type stKind int

const (
	stWrite        stKind = iota // INSERT, UPDATE, DELETE: transactional
	stCreateSchema               // CREATE SCHEMA IF NOT EXISTS `s`
	stCreateTable                // CREATE TABLE IF NOT EXISTS `s`.`t`
	stDropTable                  // DROP TABLE IF EXISTS `s`.`t`
	stDDL                        // any other DDL: run as is
)

type statement struct {
	kind stKind
	obj  object
}

// classify recognises the DDL the MySQL dialect renders (Dialect's
// CreateSchema, CreateTable and DropTable). Other statements that start
// with a DDL verb are run as they are.
func classify(q string) statement {
	s := strings.TrimSpace(q)
	for _, p := range []struct {
		prefix string
		kind   stKind
		table  bool
	}{
		{"CREATE SCHEMA IF NOT EXISTS ", stCreateSchema, false},
		{"CREATE TABLE IF NOT EXISTS ", stCreateTable, true},
		{"DROP TABLE IF EXISTS ", stDropTable, true},
	} {
		rest, ok := strings.CutPrefix(s, p.prefix)
		if !ok {
			continue
		}
		schema, rest, ok := readIdent(rest)
		if !ok {
			break
		}
		if !p.table {
			return statement{kind: p.kind, obj: object{schema: schema}}
		}
		rest, ok = strings.CutPrefix(rest, ".")
		if !ok {
			break
		}
		table, rest, ok := readIdent(rest)
		if !ok || (p.kind == stDropTable && strings.TrimSpace(rest) != "") {
			break
		}
		return statement{kind: p.kind, obj: object{schema: schema, table: table}}
	}
	verb, _, _ := strings.Cut(s, " ")
	switch strings.ToUpper(verb) {
	case "CREATE", "DROP", "ALTER", "RENAME", "TRUNCATE", "GRANT", "REVOKE":
		return statement{kind: stDDL}
	}
	return statement{kind: stWrite}
}

// readIdent reads one backquoted identifier at the start of s.
func readIdent(s string) (ident, rest string, ok bool) {
	if !strings.HasPrefix(s, "`") {
		return "", s, false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '`' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '`' {
			b.WriteByte('`')
			i++
			continue
		}
		return b.String(), s[i+1:], true
	}
	return "", s, false
}

// qualifiedNames are the tables a statement names as `schema`.`table`,
// the way the dialect writes every table.
func qualifiedNames(q string) []object {
	var out []object
	for {
		i := strings.IndexByte(q, '`')
		if i < 0 {
			return out
		}
		first, rest, ok := readIdent(q[i:])
		if !ok {
			return out
		}
		q = rest
		if r, ok := strings.CutPrefix(rest, "."); ok {
			if second, rest, ok := readIdent(r); ok {
				out = append(out, object{first, second})
				q = rest
			}
		}
	}
}

func qualified(o object) string {
	if o.table == "" {
		return Dialect.Quote(o.schema)
	}
	return Dialect.Quote(o.schema) + "." + Dialect.Quote(o.table)
}

func (o object) String() string {
	if o.table == "" {
		return o.schema
	}
	return o.schema + "." + o.table
}

// summary names a statement in an error: its first line, shortened.
func summary(q string) string {
	s, _, _ := strings.Cut(strings.TrimSpace(q), "\n")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}
