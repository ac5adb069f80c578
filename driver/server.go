package driver

import (
	"fmt"
	"strconv"
	"strings"
)

// Server is where a database URL points, as data catalogs and contract
// tools (ODCS servers, Soda data sources) name it: never a user or a
// password. Each driver says it (Driver.Server).
type Server struct {
	Type     string // the database's name (its dialect's Name)
	Host     string
	Port     int
	Database string // the database the systems are in; for a file database, its path
	// File says Database is a file, and names have no database part.
	File bool
	// SystemsAreDatabases says each system is a database of its own,
	// named as its schema; InnerSchema is the schema inside it ("": the
	// database has none).
	SystemsAreDatabases bool
	InnerSchema         string
	// UserEnv and PasswordEnv are the environment variables the
	// database's own clients read the user and password from.
	UserEnv, PasswordEnv string
}

// Where is a system's place on the server: its database and schema (""
// where the database has no such level).
func (s Server) Where(system string) (database, schema string) {
	switch {
	case s.File:
		return "", system
	case s.SystemsAreDatabases:
		return system, s.InnerSchema
	}
	return s.Database, system
}

// ServerOf reads a database URL into its Server, without connecting.
func ServerOf(raw string) (Server, error) {
	u, err := ParseURL(raw)
	if err != nil {
		return Server{}, err
	}
	d, ok := Lookup(u.Scheme)
	if !ok || d.Server == nil {
		return Server{}, fmt.Errorf("%w: no server description for %s", ErrURL, u.Scheme)
	}
	return d.Server(u), nil
}

// HostServer fills a Server from a server URL: host, the port or
// defaultPort, and the database from the path.
func HostServer(u *URL, typ string, defaultPort int) Server {
	s := Server{Type: typ, Port: defaultPort}
	if u.Parsed == nil {
		return s
	}
	s.Host = u.Parsed.Hostname()
	if p, err := strconv.Atoi(u.Parsed.Port()); err == nil {
		s.Port = p
	}
	s.Database = strings.TrimPrefix(u.Parsed.Path, "/")
	return s
}
