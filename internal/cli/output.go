package cli

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"

	"github.com/originsim/originsim"
	"github.com/originsim/originsim/gen"
	"github.com/originsim/originsim/model"
	"github.com/originsim/originsim/replica"
)

const (
	green = "\033[32m"
	red   = "\033[31m"
	cyan  = "\033[36m"
	bold  = "\033[1m"
	reset = "\033[0m"
)

func (a *app) paint(code, s string) string {
	if !a.color {
		return s
	}
	return code + s + reset
}

// printEvent writes progress in the style of the operations guide. Row
// progress within a long load is a bar on standard error, only when that is
// a terminal.
func (a *app) printEvent(ev originsim.Event) {
	if a.quiet || a.json {
		return
	}
	switch ev.Kind {
	case originsim.Rows:
		a.bar(ev.Progress)
	case originsim.Title:
		fmt.Fprintln(a.stdout, a.paint(bold, ev.Text))
	case originsim.Section:
		fmt.Fprintln(a.stdout, a.paint(cyan, "→")+" "+ev.Text)
	case originsim.Step:
		a.endBar()
		fmt.Fprintln(a.stdout, "  "+a.paint(green, "✓")+" "+ev.Text)
	case originsim.Done:
		fmt.Fprintln(a.stdout, "\n"+a.paint(green, "✓ "+ev.Text))
	case originsim.Note:
		fmt.Fprintln(a.stdout, ev.Text)
	}
}

// bar shows a table's load progress: rows and rows per second.
func (a *app) bar(p originsim.Progress) {
	if !a.barsOn || p.Total < barMinRows {
		return
	}
	if a.pbar == nil || a.pbarTable != p.Table {
		a.endBar()
		a.pbarTable = p.Table
		a.pbar = progressbar.NewOptions64(p.Total,
			progressbar.OptionSetWriter(a.stderr),
			progressbar.OptionSetDescription("  "+p.Table),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetWidth(30))
	}
	_ = a.pbar.Set64(p.Rows)
}

func (a *app) endBar() {
	if a.pbar != nil {
		_ = a.pbar.Finish()
		a.pbar = nil
	}
}

// barMinRows: smaller tables load too fast for a bar to help.
const barMinRows = 50000

// statusJSON is the machine-readable status.
type statusJSON struct {
	Day       int               `json:"day"`
	Date      string            `json:"date,omitempty"`
	StartDate string            `json:"start_date,omitempty"`
	Seed      uint64            `json:"seed,omitempty"`
	Scale     int               `json:"scale,omitempty"`
	Deletes   string            `json:"deletes,omitempty"`
	Managed   bool              `json:"managed"`
	Schemas   map[string]string `json:"schemas"`
	Tables    map[string]int64  `json:"tables"`
	// CustomRows counts the rows of the user's own (ids 5000 to 9999)
	// among each table's.
	CustomRows map[string]int64 `json:"custom_rows"`
	Next       *gen.Plan        `json:"next,omitempty"`
	Capture    string           `json:"capture,omitempty"`
	// CaptureWarning: why the capture cannot be read yet.
	CaptureWarning string `json:"capture_warning,omitempty"`
}

func (a *app) printStatus(st *originsim.Status) error {
	if a.json {
		out := statusJSON{Day: st.Day(), Managed: st.Ledger != nil, Tables: map[string]int64{}, CustomRows: map[string]int64{},
			Next: st.Next, Capture: st.Capture, CaptureWarning: st.CaptureWarning, Schemas: map[string]string{"shop": st.Schemas.Shop, "crm": st.Schemas.CRM}}
		if l := st.Ledger; l != nil {
			out.Date = st.Date().Format("2006-01-02")
			out.StartDate = l.Config.Start.Format("2006-01-02")
			out.Seed, out.Scale, out.Deletes = l.Config.Seed, l.Config.Scale, l.Deletes
		}
		for _, t := range st.Tables {
			out.Tables[t.Name()] = t.Rows
			out.CustomRows[t.Name()] = t.Custom
		}
		return a.writeJSON(out)
	}
	if a.quiet {
		return nil
	}
	a.statusBlock(st)
	return nil
}

func (a *app) writeJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", jsonIndent)
	return enc.Encode(v)
}

// statusBlock prints the guide's status block, plus payments and the day,
// and how many rows of each table are the user's own.
func (a *app) statusBlock(st *originsim.Status) {
	w := a.stdout
	line := func(ids ...model.TableID) string {
		var parts []string
		for _, id := range ids {
			part := fmt.Sprintf("%s: %d", model.Get(id).Name, st.Count(id))
			if n := st.Custom(id); n > 0 {
				part += fmt.Sprintf(" (%d custom)", n)
			}
			parts = append(parts, part)
		}
		return "  " + strings.Join(parts, " | ")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, a.paint(bold, "═══ Demo Source Status ═══"))
	if l := st.Ledger; l != nil {
		fmt.Fprintf(w, "Day %d (%s) · seed %d · scale %d", l.Day, st.Date().Format("2006-01-02"), l.Config.Seed, l.Config.Scale)
		if l.Config.HardDeletes {
			fmt.Fprint(w, " · hard deletes")
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintln(w, "Day unknown: these tables have no originsim ledger")
	}
	fmt.Fprintf(w, "%s:\n%s\n%s\n\n", st.Schemas.Shop,
		line(model.Customers, model.Products, model.Orders), line(model.OrderItems, model.Payments))
	fmt.Fprintf(w, "%s:\n%s\n%s\n", st.Schemas.CRM, line(model.Campaigns, model.EmailActivity), line(model.WebSessions))
	var custom int64
	for _, t := range st.Tables {
		custom += t.Custom
	}
	if custom > 0 {
		fmt.Fprintf(w, "\nCustom rows (%s, yours): %d; days never change them, reset removes them\n", model.CustomBand(), custom)
	}
	if st.Capture != "" {
		fmt.Fprintf(w, "\nChange capture: %s\n", st.Capture)
	}
	if st.CaptureWarning != "" {
		fmt.Fprintf(w, "  %s %s\n", a.paint(red, "!"), st.CaptureWarning)
	}
	if p := st.Next; p != nil {
		fmt.Fprintf(w, "\nNext: apply-delta --day %d adds %d customers, %d orders, %d order_items, %d payments,\n  %d email_activity, %d web_sessions",
			st.Day()+1, p.Customers, p.Orders, p.Items, p.Payments, p.Emails, p.Sessions)
		if p.PriceChanges > 0 {
			fmt.Fprintf(w, "; changes %d prices", p.PriceChanges)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, a.paint(bold, "══════════════════════════"))
}

// failedReport is verify's one JSON document when it fails: the report,
// with the error and exit code every failed command's document carries.
type failedReport struct {
	*originsim.Report
	Error    string `json:"error"`
	ExitCode int    `json:"exit_code"`
}

// printReport prints verify's report and returns failed, the error of a
// report that failed (nil when it passed). With --json it writes exactly
// one document, the failure's included: Main, which writes a document for
// every error, then says it on standard error only.
func (a *app) printReport(sc model.Schemas, rep *originsim.Report, failed error) error {
	return a.printOutcome(rep, failed, func() any { return failedReport{Report: rep, Error: message(failed), ExitCode: exitCode(failed)} },
		func() { a.reportText(sc, rep) })
}

// printOutcome prints a report that may fail: with --json one document,
// on failure the failed form (the report with the error and exit code);
// otherwise the text, unless --quiet. It returns failed.
func (a *app) printOutcome(doc any, failed error, failedDoc func() any, text func()) error {
	if !a.json {
		if !a.quiet {
			text()
		}
		return failed
	}
	if failed == nil {
		return a.writeJSON(doc)
	}
	if err := a.writeJSON(failedDoc()); err != nil {
		return err
	}
	a.documentWritten = true
	return failed
}

func (a *app) reportText(sc model.Schemas, rep *originsim.Report) {
	w := a.stdout
	fmt.Fprintf(w, "Verifying %s and %s against day %d (%s, seed %d, scale %d)\n\n", sc.Shop, sc.CRM, rep.Day, rep.Date, rep.Seed, rep.Scale)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	custom := rep.CustomRows > 0
	if custom {
		fmt.Fprintln(tw, "table\trows\texpected\tids\tcustom\tfingerprint\t")
	} else {
		fmt.Fprintln(tw, "table\trows\texpected\tids\tfingerprint\t")
	}
	for _, t := range rep.Tables {
		mark := a.paint(green, "✓")
		if !t.OK {
			mark = a.paint(red, "✗")
		}
		if custom {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%s %s\t\n", t.Table, t.Rows, t.ExpectedRows, t.IDRange, t.CustomRows, mark, t.Fingerprint[:16])
		} else {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s %s\t\n", t.Table, t.Rows, t.ExpectedRows, t.IDRange, mark, t.Fingerprint[:16])
		}
	}
	tw.Flush()
	for _, t := range rep.Tables {
		if t.Differs() {
			fmt.Fprintf(w, "  %s %s differs from the expected content (fingerprint %s): rows %s (+ unexpected, - missing, ~ changed)\n",
				a.paint(red, "✗"), t.Table, t.Expected[:16], strings.Join(t.Differences, " "))
		}
	}
	a.customText(rep)
	held := 0
	for _, r := range rep.Rules {
		if r.OK() {
			held++
		}
	}
	fmt.Fprintf(w, "\nRules: %d of %d hold\n", held, len(rep.Rules))
	for _, r := range rep.Rules {
		if !r.OK() {
			fmt.Fprintf(w, "  %s %s\n", a.paint(red, "✗"), r.Summary())
		}
	}
	if rep.OK {
		msg := fmt.Sprintf("✓ Verified: the data is exactly day %d.", rep.Day)
		if rep.CustomRows > 0 {
			msg = fmt.Sprintf("✓ Verified: the generated data is exactly day %d, beside %d rows of your own.", rep.Day, rep.CustomRows)
		}
		fmt.Fprintln(w, a.paint(green, msg))
	}
}

// customText lists the tables that hold rows of the user's own: apart from
// the generated rows, or refused with --strict.
func (a *app) customText(rep *originsim.Report) {
	if rep.CustomRows == 0 {
		return
	}
	w := a.stdout
	if !rep.Strict {
		fmt.Fprintf(w, "\nCustom rows (%s, yours), held to the rules on keys and references only:\n", model.CustomBand())
	}
	for _, t := range rep.Tables {
		if t.CustomRows == 0 {
			continue
		}
		if rep.Strict {
			fmt.Fprintf(w, "  %s %s holds %d rows of your own (ids %s): --strict refuses them\n", a.paint(red, "✗"), t.Table, t.CustomRows, t.CustomIDs)
		} else {
			fmt.Fprintf(w, "  %s: %d (ids %s)\n", t.Table, t.CustomRows, t.CustomIDs)
		}
	}
}

// failedCheck is check's one JSON document when the replica differs: the
// report, with the error and exit code every failed command's document
// carries.
type failedCheck struct {
	*replica.Report
	Error    string `json:"error"`
	ExitCode int    `json:"exit_code"`
}

// printCheck prints check's report and returns failed, the error of a
// replica that differs (nil when it is right). With --json it writes
// exactly one document, as printReport does.
func (a *app) printCheck(rep *replica.Report, failed error) error {
	return a.printOutcome(rep, failed, func() any { return failedCheck{Report: rep, Error: message(failed), ExitCode: exitCode(failed)} },
		func() { a.checkText(rep) })
}

// checkText prints the report: a line per table, then each table's
// examples, warnings and problems, the diagnosis and the outcome. What the
// replica holds is printed escaped: it is anyone's data.
func (a *app) checkText(rep *replica.Report) {
	w := a.stdout
	layout := printable(string(rep.Layout)) + " layout"
	if sn := rep.Snapshot; sn != nil {
		layout += fmt.Sprintf(": snapshots after days %s, %s strategy, hard deletes %s", sn.DescribeDays(rep.Day), printable(string(sn.Strategy)), printable(string(sn.HardDeletes)))
	}
	fmt.Fprintf(w, "\nReplica %s (%s) against day %d (%s, seed %d, scale %d):\n\n",
		printable(rep.Replica), layout, rep.Day, rep.Date, rep.Seed, rep.Scale)
	if rep.Layout != replica.Mirror {
		fmt.Fprintln(w, "Counts are of row versions.")
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "table\texpected\tfound\tmissing\textra\tchanged\tduplicates\tdeletes")
	differ := 0
	for _, t := range rep.Tables {
		mark := a.paint(green, "✓ OK")
		if !t.OK {
			mark = a.paint(red, "✗ DIFFERS")
			differ++
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\n", printable(t.Table), t.Expected, t.Found,
			t.Missing, t.Extra, t.Changed, t.Duplicates, printable(cmpDash(t.DeletedBy)), mark)
	}
	tw.Flush()
	for _, t := range rep.Tables {
		a.tableDetails(t)
	}
	if len(rep.Diagnosis) > 0 {
		fmt.Fprintln(w, "\nDiagnosis:")
		for _, d := range rep.Diagnosis {
			fmt.Fprintf(w, "  %s\n", printable(d))
		}
	}
	fmt.Fprintln(w)
	if rep.OK {
		fmt.Fprintln(w, a.paint(green, fmt.Sprintf("✓ The replica is exactly day %d (%d tables).", rep.Day, len(rep.Tables))))
		return
	}
	fmt.Fprintln(w, a.paint(red, fmt.Sprintf("✗ The replica differs from day %d in %d of %d tables.", rep.Day, differ, len(rep.Tables))))
}

// tableDetails prints a table's examples, warnings and problems, if any.
func (a *app) tableDetails(t replica.TableReport) {
	if len(t.Examples) == 0 && len(t.Warnings) == 0 && len(t.Problems) == 0 && len(t.Violations) == 0 {
		return
	}
	w := a.stdout
	head := printable(t.Table)
	if t.Replica != "" && t.Replica != t.Table {
		head += " (in the replica: " + printable(t.Replica) + ")"
	}
	fmt.Fprintf(w, "\n%s:\n", head)
	for _, p := range t.Problems {
		fmt.Fprintf(w, "  %s %s\n", a.paint(red, "✗"), printable(p))
	}
	for _, wn := range t.Warnings {
		fmt.Fprintf(w, "  ! %s\n", printable(wn))
	}
	for _, v := range t.Violations {
		var keys []string
		for _, k := range v.Keys {
			keys = append(keys, strconv.FormatInt(k, 10))
		}
		of := ""
		if len(keys) > 0 {
			of = ": " + strings.Join(keys, ", ")
			if v.Count > int64(len(keys)) {
				of += fmt.Sprintf(" (%d of %d)", len(keys), v.Count)
			}
		}
		fmt.Fprintf(w, "  %s %s: %d %s%s\n", a.paint(red, "✗"), printable(v.Rule), v.Count, map[bool]string{true: "key", false: "keys"}[v.Count == 1], of)
	}
	a.examplesText(t)
}

// examplesText prints a table's example keys by kind: the keys of a kind
// without columns on one line, a changed row's columns on a line each.
func (a *app) examplesText(t replica.TableReport) {
	w := a.stdout
	total := map[string]int64{"missing": t.Missing, "extra": t.Extra, "changed": t.Changed, "duplicate": t.Duplicates}
	var kinds []string
	byKind := map[string][]replica.Example{}
	for _, ex := range t.Examples {
		if _, ok := byKind[ex.Kind]; !ok {
			kinds = append(kinds, ex.Kind)
		}
		byKind[ex.Kind] = append(byKind[ex.Kind], ex)
	}
	for _, kind := range kinds {
		exs := byKind[kind]
		of := ""
		if n := total[kind]; n > int64(len(exs)) {
			of = fmt.Sprintf(" (%d of %d)", len(exs), n)
		}
		withColumns := slices.ContainsFunc(exs, func(ex replica.Example) bool { return len(ex.Columns) > 0 })
		if !withColumns {
			var keys []string
			for _, ex := range exs {
				keys = append(keys, strconv.FormatInt(ex.Key, 10))
			}
			fmt.Fprintf(w, "  %-10s %s%s\n", printable(kind), strings.Join(keys, ", "), of)
			continue
		}
		fmt.Fprintf(w, "  %s%s:\n", printable(kind), of)
		width := 0
		for _, ex := range exs {
			width = max(width, len(strconv.FormatInt(ex.Key, 10)))
		}
		for _, ex := range exs {
			var cols []string
			for _, c := range ex.Columns {
				cols = append(cols, fmt.Sprintf("%s: expected %s, found %s", printable(c.Column), shownValue(c.Expected), shownValue(c.Found)))
			}
			fmt.Fprintf(w, "    %*d  %s\n", width, ex.Key, strings.Join(cols, "; "))
		}
	}
}

// shownValue is a value as the report prints it: escaped, an empty string
// as "", and cut short past maxShown characters (--json has it whole).
func shownValue(v string) string {
	if v == "" {
		return `""`
	}
	if utf8.RuneCountInString(v) > maxShown {
		v = string([]rune(v)[:maxShown]) + "…"
	}
	return printable(v)
}

const maxShown = 60

func cmpDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
