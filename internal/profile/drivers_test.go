package profile

// The drivers read their profile types; a program registers them
// (cmd/originsim), the tests here.
import _ "github.com/originsim/originsim/driver/all"
