package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
)

func (a *app) resetCmd() *cobra.Command {
	o := baselineFlags{app: a}
	var yes bool
	cmd := &cobra.Command{
		Use:     "reset",
		Aliases: []string{"origin_reset"},
		Short:   "Empty every table and reload the Day 0 baseline",
		Long: `Empties every table of both systems (custom rows included) and reloads Day 0,
in one transaction. Tables are emptied in reverse foreign-key order. Only
tables whose ledger says originsim made them are touched.

Without options the recorded seed, start date and scale are kept. On a
terminal it asks for confirmation first, unless --yes; never elsewhere.`,
		Example: `  originsim reset
  originsim reset --yes --start-date 2025-03-01`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes && isTerminal(os.Stdin) && !a.json {
				sc, err := a.schemas()
				if err != nil {
					return err
				}
				if !confirm(os.Stdin, a.stderr, fmt.Sprintf("reset empties every table of %s and %s, custom rows included, and reloads Day 0", sc.Shop, sc.CRM)) {
					return errors.New("reset cancelled: nothing changed")
				}
			}
			return a.baselineRun(&o, (*originsim.Simulator).Reset)(cmd, args)
		},
	}
	o.register(cmd)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation (it is asked only on a terminal)")
	return cmd
}

// confirm asks a yes/no question; only "y" or "yes" is a yes.
func confirm(in io.Reader, out io.Writer, what string) bool {
	fmt.Fprintf(out, "%s. Continue? [y/N] ", what)
	answer, _ := bufio.NewReader(in).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(answer)) {
	case "y", "yes":
		return true
	}
	return false
}
