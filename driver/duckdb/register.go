package duckdb

import "github.com/originsim/originsim/driver"

func init() {
	driver.Register(&driver.Driver{
		Name: Dialect.Name(), Title: "DuckDB", Schemes: []string{"duckdb"}, Open: Open,
		Dialect: Dialect, FileURL: true,
		Server: func(u *driver.URL) driver.Server {
			return driver.Server{Type: Dialect.Name(), Database: u.Path, File: true}
		},
		Layout:       "DuckDB's systems are schemas",
		ProfileTypes: []string{"duckdb"}, ProfileURL: profileURL,
		NoCapture: map[driver.Capture]string{
			"": "DuckDB has no change capture to switch on; read each day's changes with updated_at > <last watermark> (every row a day writes carries that day's timestamps), or diff two exports",
		},
	})
}

// The contract and the capabilities this driver claims.
var (
	_ driver.Target      = (*db)(nil)
	_ driver.Tx          = (*tx)(nil)
	_ driver.Updater     = (*tx)(nil)
	_ driver.FileCopier  = (*tx)(nil)
	_ driver.ExecCounter = (*tx)(nil)
)

// profileURL reads a dbt-duckdb output: its path. A relative path is
// relative to the working folder, as for dbt; md: and motherduck: paths
// go to DuckDB as they are.
func profileURL(p driver.Profile) (string, error) {
	path, err := p.Get("path")
	if err != nil {
		return "", err
	}
	if path == "" || path == ":memory:" {
		if path == "" {
			path = "not set (dbt-duckdb then uses :memory:)"
		}
		return "", p.Errorf("path is %s, an in-memory database that would vanish when originsim exits; give the target a file path", path)
	}
	return "duckdb:" + path, nil
}
