package postgres

import (
	"net/url"

	"github.com/originsim/originsim/driver"
)

func init() {
	driver.Register(&driver.Driver{
		Name: Dialect.Name(), Title: "PostgreSQL", Schemes: []string{"postgres", "postgresql"}, Open: Open,
		Dialect: Dialect, DialectNames: []string{"postgres", "postgresql"},
		Layout: "PostgreSQL's systems are schemas",
		Server: func(u *driver.URL) driver.Server {
			s := driver.HostServer(u, Dialect.Name(), 5432)
			s.UserEnv, s.PasswordEnv = "PGUSER", "PGPASSWORD"
			return s
		},
		ProfileTypes: []string{"postgres"}, ProfileURL: profileURL,
		NoCapture: map[driver.Capture]string{
			driver.ChangeTracking: "change tracking is SQL Server's; PostgreSQL's nearest is logical replication, which {cdc} sets up (REPLICA IDENTITY FULL and a publication)",
		},
	})
}

// The contract and the capabilities this driver claims.
var (
	_ driver.Target              = (*db)(nil)
	_ driver.Tx                  = (*txn)(nil)
	_ driver.Streamer            = (*txn)(nil)
	_ driver.TrustedLoader       = (*txn)(nil)
	_ driver.ExecCounter         = (*txn)(nil)
	_ driver.ChangeCaptureTarget = (*db)(nil)
)

// profileURL reads a dbt-postgres output: host, port, user, password,
// dbname (or database), sslmode, connect_timeout.
func profileURL(p driver.Profile) (string, error) {
	host, err := p.Need("host")
	if err != nil {
		return "", err
	}
	port, user, pass, err := driver.ProfileServer(p, "5432", "user")
	if err != nil {
		return "", err
	}
	db, err := p.Need("dbname", "database")
	if err != nil {
		return "", err
	}
	q := url.Values{}
	for _, k := range []string{"sslmode", "connect_timeout"} {
		if v, err := p.Get(k); err != nil {
			return "", err
		} else if v != "" {
			q.Set(k, v)
		}
	}
	return driver.ServerURL("postgres", host, port, user, pass, "/"+db, q), nil
}
