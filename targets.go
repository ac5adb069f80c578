package originsim

// The server targets, registered by URL scheme for every user of the
// package and the CLI.
import (
	_ "github.com/originsim/originsim/driver/mysql"     // mysql://, mariadb://
	_ "github.com/originsim/originsim/driver/postgres"  // postgres://, postgresql://
	_ "github.com/originsim/originsim/driver/sqlserver" // sqlserver://, azuresql://
)
