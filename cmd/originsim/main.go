// Command originsim creates realistic source systems for data pipelines and
// plays business days forward. See `originsim --help`.
package main

import (
	"os"

	_ "github.com/originsim/originsim/driver/all" // every database
	"github.com/originsim/originsim/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
