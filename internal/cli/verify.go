package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/model"
)

func (a *app) verifyCmd() *cobra.Command {
	var strict bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Prove the database holds exactly the recorded day",
		Long: `Checks the database against what the generator says the recorded day must be:
row counts and id ranges, every rule of the data model (keys, references,
timestamps, payments adding up, ...), and a content fingerprint of each table
(SHA-256 of the canonical text of every row in key order).

Rows of your own (ids 5000 to 9999 in any table, which the generator never
makes) are reported apart: the counts, ranges and fingerprints are of the
generated rows, and your rows are held only to the rules on keys and
references (an order line of an order that does not exist still fails).
With --strict, any row of your own fails verify.

Exits 0 when everything matches, 1 when anything differs. Read-only. With
--json, one document on standard output, also on failure (then with "error"
and "exit_code").`,
		Example: `  originsim verify
  originsim verify --strict
  originsim verify --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var rep *originsim.Report
			var sc model.Schemas
			a.readOnly = true
			err := a.withSim(cmd, func(sim *originsim.Simulator) error {
				var err error
				sc = sim.Schemas()
				rep, err = sim.VerifyWith(cmd.Context(), originsim.VerifyOptions{Strict: strict})
				return err
			})
			if err != nil {
				return err
			}
			var failed error
			if !rep.OK {
				failed = mismatch(rep)
			}
			return a.printReport(sc, rep, failed)
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "also fail on rows of your own (ids 5000 to 9999)")
	return cmd
}

// mismatch is the error of a report that failed.
func mismatch(rep *originsim.Report) error {
	generated := true
	for _, t := range rep.Tables {
		generated = generated && !t.Differs()
	}
	for _, r := range rep.Rules {
		generated = generated && r.OK()
	}
	if generated && rep.Strict && rep.CustomRows > 0 {
		return fmt.Errorf("%w: day %d is exact, but the database also holds %d rows of your own (%s), which --strict refuses",
			originsim.ErrMismatch, rep.Day, rep.CustomRows, model.CustomBand())
	}
	return fmt.Errorf("%w: the database differs from day %d (see the report)", originsim.ErrMismatch, rep.Day)
}
