package cli

// The program registers the drivers (cmd/originsim); the tests of the
// command line do so here.
import _ "github.com/originsim/originsim/driver/all"
