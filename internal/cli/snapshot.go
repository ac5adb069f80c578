package cli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/replica"
)

// snapshotFlags say which SCD2 history to expect, for check and expect.
type snapshotFlags struct {
	days, strategy, hardDeletes string
	validFrom, validTo          string
}

var (
	strategies  = []string{string(replica.Timestamp), string(replica.CheckCols)}
	hardDeletes = []string{string(replica.Ignore), string(replica.Invalidate), string(replica.NewRecord)}
)

func (f *snapshotFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.days, "snapshot-days", "", "scd2: the days after which a snapshot ran, as days and ranges: 0-3,5,7-9 (default: every day from 0 to the day)")
	fl.StringVar(&f.strategy, "strategy", string(replica.Timestamp), "scd2: how the snapshot tells a change: timestamp (versions start at updated_at) or check (at the run's time)")
	fl.StringVar(&f.hardDeletes, "hard-deletes", string(replica.Ignore), "scd2: what the snapshot does with a key gone from the source: ignore, invalidate or new_record (dbt's hard_deletes)")
	fl.StringVar(&f.validFrom, "valid-from-column", "", "scd2: the column where a version starts (default: dbt_valid_from, __START_AT or valid_from, found)")
	fl.StringVar(&f.validTo, "valid-to-column", "", "scd2: the column where a version ends, NULL or from the year 9000 for the open one (default: dbt_valid_to, __END_AT or valid_to)")
	_ = cmd.RegisterFlagCompletionFunc("strategy", fixedCompletion(strategies...))
	_ = cmd.RegisterFlagCompletionFunc("hard-deletes", fixedCompletion(hardDeletes...))
}

// snapshotFlagNames are the flags that apply to the scd2 layout only.
var snapshotFlagNames = []string{"snapshot-days", "strategy", "hard-deletes", "valid-from-column", "valid-to-column"}

// snapshot reads the flags into the history to expect and the validity
// columns named, refusing them for another layout than scd2.
func (f *snapshotFlags) snapshot(cmd *cobra.Command, layout replica.Layout) (replica.Snapshot, error) {
	fl := cmd.Flags()
	var sn replica.Snapshot
	if layout != replica.SCD2 {
		for _, name := range snapshotFlagNames {
			if fl.Changed(name) {
				return sn, usageError{fmt.Errorf("--%s applies to --layout scd2", name)}
			}
		}
		return sn, nil
	}
	if !slices.Contains(strategies, f.strategy) {
		return sn, usageError{fmt.Errorf("--strategy %q: use timestamp (versions start at the row's updated_at) or check (a change is any column that differs)", f.strategy)}
	}
	if !slices.Contains(hardDeletes, f.hardDeletes) {
		return sn, usageError{fmt.Errorf("--hard-deletes %q: use ignore, invalidate or new_record", f.hardDeletes)}
	}
	sn.Strategy, sn.HardDeletes = replica.Strategy(f.strategy), replica.HardDeletes(f.hardDeletes)
	if fl.Changed("snapshot-days") {
		days, err := parseDays(f.days)
		if err != nil {
			return sn, usageError{fmt.Errorf("--snapshot-days: %w", err)}
		}
		sn.Days = days
	}
	if fl.Changed("valid-from-column") != fl.Changed("valid-to-column") {
		return sn, usageError{fmt.Errorf("--valid-from-column and --valid-to-column: give both, or neither (then the conventions are looked for)")}
	}
	for _, c := range []struct{ flag, name string }{{"valid-from-column", f.validFrom}, {"valid-to-column", f.validTo}} {
		if fl.Changed(c.flag) && !identifierRE.MatchString(c.name) {
			return sn, usageError{fmt.Errorf("--%s %q: give a column name: letters, digits and underscores, not starting with a digit", c.flag, c.name)}
		}
	}
	return sn, nil
}

// parseDays reads days and ranges, "0-3,5,7-9", into ascending days, each
// once.
func parseDays(s string) ([]int, error) {
	var days []int
	day := func(p string) (int, error) {
		d, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || d < 0 || d > gen.MaxDay {
			return 0, fmt.Errorf("%q is not a day: give days 0 to %d, and ranges such as 0-3, separated by commas", p, gen.MaxDay)
		}
		return d, nil
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := day(lo)
		if err != nil {
			return nil, err
		}
		b := a
		if isRange {
			if b, err = day(hi); err != nil {
				return nil, err
			}
			if b < a {
				return nil, fmt.Errorf("%q: a range runs from the lower day to the higher, such as %d-%d", part, b, a)
			}
		}
		for d := a; d <= b; d++ {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	return slices.Compact(days), nil
}
