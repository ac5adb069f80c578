package sqlserver

import (
	"net/url"
	"strings"

	"github.com/originsim/originsim/driver"
)

func init() {
	driver.Register(&driver.Driver{
		Name: Dialect.Name(), Title: "SQL Server", Schemes: []string{"sqlserver", "azuresql"}, Open: Open,
		Dialect: Dialect, DialectNames: []string{"sqlserver", "azuresql"},
		SeparateDatabases: true,
		Server: func(u *driver.URL) driver.Server {
			s := driver.HostServer(u, Dialect.Name(), 1433)
			s.UserEnv, s.PasswordEnv = "SQLCMDUSER", "SQLCMDPASSWORD"
			if u.Parsed != nil {
				q := u.Parsed.Query()
				s.Database = q.Get("database")
				if q.Get("separate_databases") == "true" {
					s.SystemsAreDatabases, s.InnerSchema = true, "dbo"
				}
			}
			return s
		},
		ProfileTypes: []string{"sqlserver"}, ProfileURL: profileURL,
	})
}

// The contract and the capabilities this driver claims.
var (
	_ driver.Target              = (*db)(nil)
	_ driver.Tx                  = (*txn)(nil)
	_ driver.Updater             = (*txn)(nil)
	_ driver.ExecCounter         = (*txn)(nil)
	_ driver.ChangeCaptureTarget = (*db)(nil)
)

// profileURL reads a dbt-sqlserver output: server (or host), port, user
// (or username), password, database, encrypt, trust_cert; SQL
// authentication only.
func profileURL(p driver.Profile) (string, error) {
	host, err := p.Need("server", "host")
	if err != nil {
		return "", err
	}
	if auth, err := p.Get("authentication"); err != nil {
		return "", err
	} else if auth != "" && !strings.EqualFold(auth, "sql") {
		return "", p.Errorf("authentication %s is not supported yet, only sql (user and password)", auth)
	}
	port, user, pass, err := driver.ProfileServer(p, "1433", "user", "username")
	if err != nil {
		return "", err
	}
	db, err := p.Need("database")
	if err != nil {
		return "", err
	}
	q := url.Values{"database": {db}}
	for setting, param := range map[string]string{"encrypt": "encrypt", "trust_cert": "TrustServerCertificate"} {
		if v, err := p.Get(setting); err != nil {
			return "", err
		} else if v != "" {
			q.Set(param, v)
		}
	}
	return driver.ServerURL("sqlserver", host, port, user, pass, "", q), nil
}
