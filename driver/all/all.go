// Package all registers every database driver of originsim: import it for
// its side effect when a program should open any database URL.
//
//	import _ "github.com/originsim/originsim/driver/all"
//
// A program that needs only some databases imports those drivers instead;
// one that imports only driver/postgres (or driver/mysql, or
// driver/sqlserver) builds without cgo.
package all

import (
	_ "github.com/originsim/originsim/driver/duckdb"    // duckdb:PATH, the embedded default
	_ "github.com/originsim/originsim/driver/mysql"     // mysql://, mariadb://
	_ "github.com/originsim/originsim/driver/postgres"  // postgres://, postgresql://
	_ "github.com/originsim/originsim/driver/sqlserver" // sqlserver://, azuresql://
)
