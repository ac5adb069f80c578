package mysql

import "github.com/originsim/originsim/driver"

func init() {
	driver.Register(&driver.Driver{
		Name: Dialect.Name(), Title: "MySQL/MariaDB", Schemes: []string{"mysql", "mariadb"}, Open: Open,
		Dialect: Dialect, DialectNames: []string{"mysql", "mariadb"},
		Layout: "MySQL's systems are always databases",
		Server: func(u *driver.URL) driver.Server {
			s := driver.HostServer(u, Dialect.Name(), 3306)
			s.SystemsAreDatabases, s.UserEnv, s.PasswordEnv = true, "MYSQL_USER", "MYSQL_PWD"
			return s
		},
		ProfileTypes: []string{"mysql", "mysql5", "mariadb"}, ProfileURL: profileURL,
		NoCapture: map[driver.Capture]string{
			"": "MySQL and MariaDB capture changes in the binary log, which is server configuration (log_bin on, binlog_format=ROW, binlog_row_image=FULL): " +
				"set it on the server; every originsim write then appears there",
		},
	})
}

// profileURL reads a dbt-mysql or dbt-mariadb output: server (or host),
// port, username (or user), password. The profile's schema is where dbt
// builds models; the connection needs no default database.
func profileURL(p driver.Profile) (string, error) {
	host, err := p.Need("server", "host")
	if err != nil {
		return "", err
	}
	port, user, pass, err := driver.ProfileServer(p, "3306", "username", "user")
	if err != nil {
		return "", err
	}
	scheme := "mysql"
	if p.Type() == "mariadb" {
		scheme = "mariadb"
	}
	return driver.ServerURL(scheme, host, port, user, pass, "/", nil), nil
}

// The contract and the capabilities this driver claims.
var (
	_ driver.ExecCounter = (*txn)(nil)
	_ driver.Target      = (*db)(nil)
	_ driver.Tx          = (*txn)(nil)
)
