package cli

import (
	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
)

func (a *app) statusCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "status",
		Aliases: []string{"origin_status"},
		Short:   "Show the recorded day and the live row count of every table",
		Long: `Shows the recorded day and live row counts (SELECT COUNT(*), never cached).
Read-only. With --json: {"day": N, "tables": {"jaffle_shop.customers": 100, ...}}.`,
		Example: `  originsim status
  originsim status --json | jq .tables`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			a.readOnly = true
			return a.withStatus(cmd, func(sim *originsim.Simulator) (*originsim.Status, error) {
				return sim.Status(cmd.Context())
			})
		},
	}
}
