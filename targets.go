package originsim

// The server targets, registered by URL scheme for every user of the
// package and the CLI.
import (
	_ "github.com/originsim/originsim/target/mysql"     // mysql://, mariadb://
	_ "github.com/originsim/originsim/target/postgres"  // postgres://, postgresql://
	_ "github.com/originsim/originsim/target/sqlserver" // sqlserver://, azuresql://
)
