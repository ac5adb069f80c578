package driver

import (
	"net"
	"net/url"
)

// Profile is one output (a target) of a dbt profiles.yml, as a driver's
// ProfileURL reads it. The profile package finds the file, renders
// env_var() and picks the output; the driver knows its settings.
type Profile interface {
	// Type is the output's adapter type (postgres, mariadb, ...).
	Type() string
	// Get returns the first of the named settings that is set, or "".
	Get(names ...string) (string, error)
	// Need is Get for a setting that must be set.
	Need(names ...string) (string, error)
	// Errorf reports a setting the driver cannot use; the error names the
	// file, profile and target.
	Errorf(format string, a ...any) error
}

// ProfileServer reads the settings every server type has: port (with a
// default), user (under one of the given names) and password (also pass).
func ProfileServer(p Profile, defPort string, userNames ...string) (port, user, pass string, err error) {
	if port, err = p.Get("port"); err != nil {
		return
	}
	if user, err = p.Need(userNames...); err != nil {
		return
	}
	pass, err = p.Get("password", "pass")
	if port == "" {
		port = defPort
	}
	return port, user, pass, err
}

// ServerURL assembles a server URL with net/url, so any character in the
// user name or password is escaped.
func ServerURL(scheme, host, port, user, pass, path string, q url.Values) string {
	u := url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port), Path: path, RawQuery: q.Encode()}
	if pass != "" {
		u.User = url.UserPassword(user, pass)
	} else {
		u.User = url.User(user)
	}
	return u.String()
}
