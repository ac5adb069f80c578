package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
)

func (a *app) verifyCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Prove the database holds exactly the recorded day",
		Long: `Checks the database against what the generator says the recorded day must be:
row counts and id ranges, every rule of the data model (keys, references,
timestamps, payments adding up, ...), and a content fingerprint of each table
(SHA-256 of the canonical text of every row in key order).

Exits 0 when everything matches, 1 when anything differs. Read-only.`,
		Example: `  originsim verify
  originsim verify --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withSim(cmd, func(sim *originsim.Simulator) error {
				rep, err := sim.Verify(cmd.Context())
				if err != nil {
					return err
				}
				a.printReport(sim.Schemas(), rep)
				if !rep.OK {
					return fmt.Errorf("%w: the database differs from day %d (see above)", originsim.ErrMismatch, rep.Day)
				}
				return nil
			})
		},
	}
}
