package cli

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
)

var dayArgRE = regexp.MustCompile(`(?i)\bday\s*:\s*(-?\d+)`)

func (a *app) applyCmd() *cobra.Command {
	var day, through int
	var compat string
	cmd := &cobra.Command{
		Use:     "apply-delta [DAY]",
		Aliases: []string{"origin_apply_delta"},
		Short:   "Play the next business day (new rows, updates and soft deletes)",
		Long: `Applies one business day: new customers, orders, order items and payments,
order status transitions, customer email changes, soft deletes (customers
leaving, orders cancelled), product price changes on Day 2, and new CRM
activity. Days 1-3 are exactly the documented counts.

Days apply in order and only once: the day must be the recorded day + 1.
Anything else is refused and nothing changes.`,
		Example: `  originsim apply-delta --day 1
  originsim apply-delta 2
  originsim origin_apply_delta --args '{day: 3}'
  originsim apply-delta --through 30     # every pending day up to 30, one transaction each`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("through") {
				if len(args) > 0 || cmd.Flags().Changed("day") || cmd.Flags().Changed("args") {
					return usageError{errors.New("--through plays every pending day: give it alone, without a day")}
				}
				return a.withStatus(cmd, func(sim *originsim.Simulator) (*originsim.Status, error) {
					return sim.ApplyThrough(cmd.Context(), through)
				})
			}
			n, err := pickDay(cmd, day, compat, args)
			if err != nil {
				return err
			}
			return a.withStatus(cmd, func(sim *originsim.Simulator) (*originsim.Status, error) {
				return sim.ApplyDelta(cmd.Context(), n)
			})
		},
	}
	cmd.Flags().IntVar(&day, "day", 0, "the day to apply: the recorded day + 1")
	cmd.Flags().StringVar(&compat, "args", "", "the dbt package's form, '{day: N}'")
	cmd.Flags().IntVar(&through, "through", 0, "apply every pending day up to this one, each in its own transaction")
	return cmd
}

// pickDay takes the day from exactly one of --day, a positional argument or
// --args.
func pickDay(cmd *cobra.Command, day int, compat string, args []string) (int, error) {
	var given []int
	if cmd.Flags().Changed("day") {
		given = append(given, day)
	}
	if len(args) == 1 {
		n, err := strconv.Atoi(args[0])
		if err != nil {
			return 0, usageError{fmt.Errorf("day %q is not a number: use apply-delta --day N", args[0])}
		}
		given = append(given, n)
	}
	if cmd.Flags().Changed("args") {
		m := dayArgRE.FindStringSubmatch(compat)
		if m == nil {
			return 0, usageError{fmt.Errorf("--args %q: expected '{day: N}'", compat)}
		}
		n, _ := strconv.Atoi(m[1])
		given = append(given, n)
	}
	switch {
	case len(given) == 0:
		return 0, usageError{errors.New("which day? use apply-delta --day N (N is the recorded day + 1; originsim status shows it)")}
	case len(given) > 1 && (given[0] != given[1] || len(given) > 2 && given[1] != given[2]):
		return 0, usageError{fmt.Errorf("the day is given twice with different values (%v)", given)}
	}
	return given[0], nil
}
