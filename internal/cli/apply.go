package cli

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/driver"
)

var dayArgRE = regexp.MustCompile(`(?i)\bday\s*:\s*(-?\d+)`)

func (a *app) applyCmd() *cobra.Command {
	var day, through int
	var compat, to string
	var dbz debeziumFlags
	cmd := &cobra.Command{
		Use:     "apply-delta [DAY]",
		Aliases: []string{"origin_apply_delta"},
		Short:   "Play the next business day (new rows, updates and soft deletes)",
		Long: `Applies one business day: new customers, orders, order items and payments,
order status transitions, customer email changes, soft deletes (customers
leaving, orders cancelled), product price changes on Day 2, and new CRM
activity. Days 1-3 are exactly the documented counts.

Days apply in order and only once: the day must be the recorded day + 1.
Anything else is refused and nothing changes.

--to kafka://HOST:PORT publishes the day's change events to Kafka once it
has committed, as changes --to does (a topic per table, keyed, tombstones
after deletes; the --debezium-schemas, --decimal-handling, --topic-prefix and
--debezium-db flags of changes; source.db is the database applied to
unless --debezium-db names another). The brokers are reached before the day is
applied, so an unreachable one changes nothing (exit 4). If publishing
fails after the commit, the day stays applied and the error says how to
publish it again (changes --day N --to URL).`,
		Example: `  originsim apply-delta --day 1
  originsim apply-delta 2
  originsim origin_apply_delta --args '{day: 3}'
  originsim apply-delta --through 30     # every pending day up to 30, one transaction each
  originsim apply-delta --day 4 --to kafka://127.0.0.1:9092 --topic-prefix shop_cdc`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var pub *kafkaPublisher
			if cmd.Flags().Changed("to") {
				// source.db is the database applied to, unless named.
				if url, _, err := a.dbURL(); err == nil && !cmd.Flags().Changed("debezium-db") {
					if s, err := driver.ServerOf(url); err == nil && !s.File && s.Database != "" {
						dbz.db = s.Database
					}
				}
				var err error
				if pub, err = a.publisher(cmd, &dbz, to); err != nil {
					return err
				}
			} else if _, err := dbz.options(cmd, "none"); err != nil {
				return err
			}
			if cmd.Flags().Changed("through") {
				if len(args) > 0 || cmd.Flags().Changed("day") || cmd.Flags().Changed("args") {
					return usageError{errors.New("--through plays every pending day: give it alone, without a day")}
				}
				return a.withStatus(cmd, func(sim *originsim.Simulator) (*originsim.Status, error) {
					return a.applyAndPublish(cmd, sim, pub, func() (*originsim.Status, error) { return sim.ApplyThrough(cmd.Context(), through) })
				})
			}
			n, err := pickDay(cmd, day, compat, args)
			if err != nil {
				return err
			}
			return a.withStatus(cmd, func(sim *originsim.Simulator) (*originsim.Status, error) {
				return a.applyAndPublish(cmd, sim, pub, func() (*originsim.Status, error) { return sim.ApplyDelta(cmd.Context(), n) })
			})
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "after the commit, publish the day's change events to Kafka: kafka://HOST:PORT (see changes --help)")
	dbz.register(cmd)
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

// applyAndPublish applies days with apply and, with a publisher, reaches
// the brokers first and publishes the days that committed after.
func (a *app) applyAndPublish(cmd *cobra.Command, sim *originsim.Simulator, pub *kafkaPublisher, apply func() (*originsim.Status, error)) (*originsim.Status, error) {
	if pub == nil {
		return apply()
	}
	before, err := sim.Status(cmd.Context())
	if err != nil {
		return nil, err
	}
	if err := pub.open(cmd, sim.Schemas()); err != nil {
		return nil, err
	}
	defer pub.close()
	st, err := apply()
	if st == nil || st.Ledger == nil || st.Day() <= before.Day() {
		return st, err
	}
	if perr := pub.publish(st.Ledger.Config, sim.Schemas(), before.Day()+1, st.Day()); perr != nil {
		return st, errors.Join(err, fmt.Errorf("%s committed, but publishing to %s failed: %w; publish it again with: originsim changes --day N --to %s (for each day)",
			daysText(before.Day()+1, st.Day()), pub.to, perr, pub.to))
	}
	return st, err
}
