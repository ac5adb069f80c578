package replica

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
	"github.com/originsim/originsim/driver/duckdb"
	"github.com/originsim/originsim/model"
)

// source reads the replica's tables into the scratch database: stage makes
// the relation repName(t) there, or says where it looked.
type source interface {
	// stage makes the scratch relation holding the replica's rows of the
	// table named name in schema, and says where it read them.
	stage(ctx context.Context, sc *scratch, schema, name, as string) (where string, err error)
	close() error
}

// errNotFound is a table the replica does not have.
type errNotFound struct{ where string }

func (e errNotFound) Error() string { return "not found in the replica (looked for " + e.where + ")" }

// openSource opens the replica: a folder of files, a DuckDB file, or a
// server through its driver.
func openSource(ctx context.Context, sc *scratch, target string) (source, error) {
	if st, err := os.Stat(target); err == nil && st.IsDir() {
		return &folder{dir: target}, nil
	}
	u, err := driver.ParseURL(target)
	if err != nil {
		if !strings.Contains(target, "://") {
			return nil, fmt.Errorf("%w: replica %s: no such folder, and not a database URL (such as postgres://user@host/db or duckdb:PATH)", originsim.ErrUsage, target)
		}
		return nil, fmt.Errorf("replica: %w", err)
	}
	if d, ok := driver.Lookup(u.Scheme); ok && d.FileURL {
		return attachDuckDB(ctx, sc, u)
	}
	tg, err := driver.Open(ctx, target, driver.WithReadOnly(), driver.WithLockScope("originsim_replica_check"))
	if err != nil {
		return nil, fmt.Errorf("replica: %w", err)
	}
	return &server{tg: tg}, nil
}

// folder is a folder of files as lakes land them.
type folder struct {
	dir string
	// parts are the Hive-style partition columns (name=value folders) of
	// each staged relation: DuckDB reads them as columns, which are not
	// the table's.
	parts map[string][]string
}

// partitions lists the partition columns of a staged relation.
func (f *folder) partitions(as string) []string { return f.parts[as] }

// partitionColumns are the names of name=value folders in the paths.
func partitionColumns(files []string) []string {
	var out []string
	for _, p := range files {
		for _, part := range strings.Split(filepath.ToSlash(filepath.Dir(p)), "/") {
			if name, _, ok := strings.Cut(part, "="); ok && name != "" && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	return out
}

// fileKinds are the readers of the file formats, by extension.
var fileKinds = []struct{ ext, reader string }{
	{"parquet", "read_parquet(%s, union_by_name = true, hive_partitioning = true)"},
	{"csv", "read_csv(%s, union_by_name = true, hive_partitioning = true, header = true, all_varchar = true, allow_quoted_nulls = false)"},
	{"jsonl", "read_json(%s, format = 'newline_delimited', union_by_name = true, hive_partitioning = true)"},
	{"ndjson", "read_json(%s, format = 'newline_delimited', union_by_name = true, hive_partitioning = true)"},
	{"json", "read_json(%s, format = 'auto', union_by_name = true, hive_partitioning = true)"},
}

func (f *folder) stage(ctx context.Context, sc *scratch, schema, name, as string) (string, error) {
	var looked []string
	for _, base := range []string{filepath.Join(f.dir, schema), f.dir} {
		for _, k := range fileKinds {
			files := matches(base, name, k.ext)
			looked = append(looked, filepath.Join(base, name+"."+k.ext), filepath.Join(base, name, "**", "*."+k.ext))
			if len(files) == 0 {
				continue
			}
			list := make([]string, len(files))
			for i, p := range files {
				list[i] = duckdb.Dialect.String(p)
			}
			rel := fmt.Sprintf(k.reader, "["+strings.Join(list, ", ")+"]")
			if err := sc.run(ctx, fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM %s", ident(as), rel)); err != nil {
				return "", err
			}
			if f.parts == nil {
				f.parts = map[string][]string{}
			}
			f.parts[as] = partitionColumns(files)
			where := filepath.Join(base, name+"."+k.ext)
			if len(files) > 1 || files[0] != where {
				where = fmt.Sprintf("%s (%d files)", filepath.Join(base, name), len(files))
			}
			return where, nil
		}
	}
	return "", errNotFound{where: strings.Join(looked[:2], " or ") + ", ..."}
}

// matches are the files of one table: NAME.EXT, or every NAME/**/*.EXT
// (Hive-style partition folders included), sorted.
func matches(base, name, ext string) []string {
	var out []string
	if st, err := os.Stat(filepath.Join(base, name+"."+ext)); err == nil && !st.IsDir() {
		out = append(out, filepath.Join(base, name+"."+ext))
	}
	// Daily drops: one folder a drop, the table's file in each
	// (DIR/day=3/customers.parquet).
	if drops, err := filepath.Glob(filepath.Join(base, "*", name+"."+ext)); err == nil {
		out = append(out, drops...)
	}
	root := filepath.Join(base, name)
	if st, err := os.Stat(root); err == nil && st.IsDir() {
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.EqualFold(filepath.Ext(p), "."+ext) && !strings.HasPrefix(d.Name(), ".") {
				out = append(out, p)
			}
			return nil
		})
	}
	slices.Sort(out)
	return out
}

func (f *folder) close() error { return nil }

// duckFile is a DuckDB file, attached read-only to the scratch database.
type duckFile struct{ path string }

func attachDuckDB(ctx context.Context, sc *scratch, u *driver.URL) (source, error) {
	path := strings.SplitN(u.Path, "?", 2)[0]
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("replica: %s: %w", u.Redacted(), err)
	}
	if err := sc.run(ctx, fmt.Sprintf("ATTACH %s AS replica (READ_ONLY)", duckdb.Dialect.String(path))); err != nil {
		return nil, fmt.Errorf("replica: %s: %w", u.Redacted(), err)
	}
	return &duckFile{path: path}, nil
}

func (f *duckFile) stage(ctx context.Context, sc *scratch, schema, name, as string) (string, error) {
	var found []string
	q := "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'replica' AND lower(schema_name) = lower(" +
		duckdb.Dialect.String(schema) + ") AND lower(table_name) = lower(" + duckdb.Dialect.String(name) + ")"
	err := sc.query(ctx, q, []model.Kind{model.Text, model.Text}, func(v []any) error {
		found = append(found, v[0].(string), v[1].(string))
		return nil
	})
	if err != nil {
		return "", err
	}
	if len(found) == 0 {
		return "", errNotFound{where: schema + "." + name}
	}
	rel := "replica." + ident(found[0]) + "." + ident(found[1])
	if err := sc.run(ctx, fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM %s", ident(as), rel)); err != nil {
		return "", err
	}
	return found[0] + "." + found[1], nil
}

func (f *duckFile) close() error { return nil }

// server is a database server's replica, read through its driver: every
// column as text, into a scratch table of text columns, normalised there
// like the other sources.
type server struct{ tg driver.Target }

func (s *server) stage(ctx context.Context, sc *scratch, schema, name, as string) (string, error) {
	d := s.tg.Dialect()
	tx, err := s.tg.Begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	actual := ""
	err = tx.Query(ctx, d.ListTables(schema), []model.Kind{model.Text}, func(v []any) error {
		if strings.EqualFold(v[0].(string), name) && actual == "" {
			actual = v[0].(string)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("list the tables of %s: %w", schema, err)
	}
	if actual == "" {
		return "", errNotFound{where: schema + "." + name}
	}
	var cols []string
	err = tx.Query(ctx, d.ListColumns(schema, actual), []model.Kind{model.Text}, func(v []any) error {
		cols = append(cols, v[0].(string))
		return nil
	})
	if err != nil {
		return "", err
	}
	return schema + "." + actual, s.copyText(ctx, sc, tx, d, schema, actual, as, cols)
}

// copyText reads every column of the table as text into the scratch table
// as.
func (s *server) copyText(ctx context.Context, sc *scratch, tx driver.Tx, d driver.Dialect, schema, table, as string, cols []string) error {
	t := &model.Table{ID: -1, Name: as}
	exprs := make([]string, len(cols))
	kinds := make([]model.Kind, len(cols))
	for i, c := range cols {
		t.Columns = append(t.Columns, model.Column{Name: c, Kind: model.Text, Size: 65535, Nullable: true})
		exprs[i] = d.AsText(d.Quote(c))
		kinds[i] = model.Text
	}
	defs := make([]string, len(cols))
	for i, c := range cols {
		defs[i] = ident(c) + " VARCHAR"
	}
	if err := sc.run(ctx, fmt.Sprintf("CREATE TABLE %s (%s)", ident(as), strings.Join(defs, ", "))); err != nil {
		return err
	}
	var batch [][]any
	flush := func() error {
		rows := batch
		batch = nil
		if len(rows) == 0 {
			return nil
		}
		return sc.exec(ctx, func(stx driver.Tx) error { return stx.Insert(ctx, "main", t, rows) })
	}
	q := fmt.Sprintf("SELECT %s FROM %s", strings.Join(exprs, ", "), d.Table(schema, table))
	err := tx.Query(ctx, q, kinds, func(row []any) error {
		batch = append(batch, append([]any(nil), row...))
		if len(batch) < originsim.BatchRows {
			return nil
		}
		return flush()
	})
	if err != nil {
		return fmt.Errorf("read %s.%s: %w", schema, table, err)
	}
	return flush()
}

func (s *server) close() error { return s.tg.Close() }
