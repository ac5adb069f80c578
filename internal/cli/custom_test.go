package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/originsim/originsim/gen"
)

// The user's own rows, as the operations guide has them added: ids 5000 and
// up, here a customer, an order of theirs and its line, with their own
// clock (today's, long after the simulated days).
var usersRows = []string{
	"INSERT INTO jaffle_shop.customers VALUES (5000, 'Ada', 'Custom', 'ada@home.test', now(), now(), NULL)",
	"INSERT INTO jaffle_shop.orders VALUES (5001, 5000, current_date, 'on hold', now(), now(), NULL)",
	"INSERT INTO jaffle_shop.order_items VALUES (5002, 5001, 1, 2, 9.99, now(), now(), NULL)",
}

// usersRowsNow reads every row with a key in the band, as text, table by
// table.
func usersRowsNow(t *testing.T, path string) string {
	t.Helper()
	db := sqlDB(t, path)
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		"SELECT customer_id, first_name, last_name, email, created_at, updated_at, deleted_at FROM jaffle_shop.customers WHERE customer_id BETWEEN 5000 AND 9999 ORDER BY 1",
		"SELECT order_id, customer_id, order_date, status, created_at, updated_at, deleted_at FROM jaffle_shop.orders WHERE order_id BETWEEN 5000 AND 9999 ORDER BY 1",
		"SELECT order_item_id, order_id, product_id, quantity, unit_price, created_at, updated_at, deleted_at FROM jaffle_shop.order_items WHERE order_item_id BETWEEN 5000 AND 9999 ORDER BY 1",
		"SELECT payment_id FROM jaffle_shop.payments WHERE payment_id BETWEEN 5000 AND 9999",
		"SELECT activity_id FROM jaffle_crm.email_activity WHERE activity_id BETWEEN 5000 AND 9999",
		"SELECT session_id FROM jaffle_crm.web_sessions WHERE session_id BETWEEN 5000 AND 9999",
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
		b.WriteString("--\n")
	}
	return b.String()
}

// jsonDocs decodes standard output as a stream of JSON documents.
func jsonDocs(t *testing.T, out string) []map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	var docs []map[string]any
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			t.Fatalf("standard output is not JSON documents: %v\n%s", err, out)
		}
		docs = append(docs, doc)
	}
}

type customVerify struct {
	OK         bool   `json:"ok"`
	Strict     bool   `json:"strict"`
	CustomRows int    `json:"custom_rows"`
	Error      string `json:"error"`
	ExitCode   int    `json:"exit_code"`
	Tables     []struct {
		Table       string `json:"table"`
		Rows        int    `json:"rows"`
		Fingerprint string `json:"fingerprint"`
		CustomRows  int    `json:"custom_rows"`
		CustomIDs   string `json:"custom_id_range"`
		OK          bool   `json:"ok"`
	} `json:"tables"`
	Rules []struct {
		Rule       string   `json:"rule"`
		Violations int      `json:"violations"`
		Examples   []string `json:"examples"`
	} `json:"rules"`
}

// verifyJSON runs verify --json with args and decodes its one document.
func (e *env) verifyJSON(args ...string) (customVerify, result) {
	e.t.Helper()
	r := e.run(append([]string{"verify", "--json"}, args...)...)
	if n := len(jsonDocs(e.t, r.stdout)); n != 1 {
		e.t.Fatalf("verify --json %v wrote %d JSON documents, want 1:\n%s", args, n, r.stdout)
	}
	var v customVerify
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		e.t.Fatal(err)
	}
	return v, r
}

type customStatus struct {
	Day        int              `json:"day"`
	Tables     map[string]int64 `json:"tables"`
	CustomRows map[string]int64 `json:"custom_rows"`
}

func (e *env) customStatus() customStatus {
	e.t.Helper()
	var s customStatus
	if err := json.Unmarshal([]byte(e.must("status", "--json").stdout), &s); err != nil {
		e.t.Fatal(err)
	}
	return s
}

// The operations guide's custom data: rows of the user's own (ids 5000 and
// up) beside the simulation. status counts them apart, verify reports them
// apart and passes (--strict fails), ninety days play past them (the
// generated keys skip 5000-9999; before, order lines reached 5000 on day
// 38 and stopped apply-delta with a duplicate key) and never change them,
// and reset removes them.
func TestUsersOwnRows(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline")
	day0 := e.snapshot()
	exec(t, e.path, usersRows...)
	mine := usersRowsNow(t, e.path)

	st := e.customStatus()
	for table, want := range map[string]int64{"customers": 1, "orders": 1, "order_items": 1, "payments": 0, "email_activity": 0} {
		schema := "jaffle_shop."
		if table == "email_activity" {
			schema = "jaffle_crm."
		}
		if got := st.CustomRows[schema+table]; got != want {
			t.Errorf("status --json: %d custom %s, want %d", got, table, want)
		}
		if got := st.Tables[schema+table]; got != contract[0][table]+want {
			t.Errorf("status --json: %d %s rows, want %d", got, table, contract[0][table]+want)
		}
	}
	if r := e.must("status"); !strings.Contains(r.stdout, "customers: 101 (1 custom)") || !strings.Contains(r.stdout, "order_items: 1201 (1 custom)") ||
		!strings.Contains(r.stdout, "Custom rows (ids 5000-9999, yours): 3") {
		t.Errorf("status does not show the custom rows:\n%s", r.stdout)
	}

	// verify passes, reports them apart, and fingerprints the generated
	// rows only.
	r := e.run("verify")
	if r.code != 0 || !strings.Contains(r.stdout, "beside 3 rows of your own") || !strings.Contains(r.stdout, "jaffle_shop.orders: 1 (ids 5001-5001)") {
		t.Fatalf("verify with custom rows: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := e.snapshot(); got != day0 {
		t.Errorf("the fingerprints count the custom rows:\n got %s\nwant %s", got, day0)
	}
	v, _ := e.verifyJSON()
	if !v.OK || v.Strict || v.CustomRows != 3 || v.Tables[0].CustomRows != 1 || v.Tables[0].CustomIDs != "5000-5000" || v.Tables[0].Rows != 100 {
		t.Errorf("verify --json: %+v", v)
	}

	// --strict fails on them, with one JSON document.
	r = e.run("verify", "--strict")
	if r.code != exitFailure || !strings.Contains(r.stdout, "jaffle_shop.customers holds 1 rows of your own (ids 5000-5000): --strict refuses them") ||
		!strings.Contains(r.stderr, "holds 3 rows of your own") {
		t.Errorf("verify --strict: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	v, r = e.verifyJSON("--strict")
	if r.code != exitFailure || v.OK || !v.Strict || v.ExitCode != exitFailure || !strings.Contains(v.Error, "--strict") || v.Tables[0].OK || !v.Tables[1].OK {
		t.Errorf("verify --strict --json: exit %d, %+v", r.code, v)
	}

	// Ninety days play past them and leave them as they were.
	e.must("apply-delta", "--through", "90")
	if got := usersRowsNow(t, e.path); got != mine {
		t.Errorf("the days changed the custom rows:\n got %s\nwant %s", got, mine)
	}
	if r := e.run("verify"); r.code != 0 || !strings.Contains(r.stdout, "beside 3 rows of your own") {
		t.Fatalf("verify at day 90: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	db := sqlDB(t, e.path)
	var last int64
	if err := db.QueryRow("SELECT max(order_item_id) FROM jaffle_shop.order_items").Scan(&last); err != nil || last <= 9999 {
		t.Errorf("at day 90 the last order line is %d (%v): the days did not pass the band", last, err)
	}
	db.Close()

	// A reference of theirs that points nowhere still fails verify (the CRM's
	// customer_id is logical: the database lets it in), in one document.
	exec(t, e.path, "INSERT INTO jaffle_crm.email_activity VALUES (5003, 6000, 1, TIMESTAMP '2024-10-01 09:00:00', false, false, now(), now(), NULL)")
	v, r = e.verifyJSON()
	if r.code != exitFailure || v.OK || v.ExitCode != exitFailure || !strings.Contains(v.Error, "differs from day 90") {
		t.Errorf("verify --json with a dangling custom reference: exit %d, %+v", r.code, v)
	}
	found := false
	for _, rule := range v.Rules {
		found = found || (strings.HasPrefix(rule.Rule, "campaign_id references campaigns") && rule.Violations == 1 && rule.Examples[0] == "5003")
	}
	if !found {
		t.Errorf("no rule names the email to customer 6000: %+v", v.Rules)
	}

	// reset removes them.
	e.must("reset")
	st = e.customStatus()
	for name, n := range st.CustomRows {
		if n != 0 {
			t.Errorf("after reset %s holds %d custom rows", name, n)
		}
	}
	e.checkContract(0, "jaffle_shop", "jaffle_crm")
	if got := e.snapshot(); got != day0 {
		t.Errorf("after reset:\n got %s\nwant %s", got, day0)
	}
}

// A database made by an older data version is refused until reset brings
// it to this one, custom rows gone with the old data.
func TestOlderDataVersionIsResetToThisOne(t *testing.T) {
	e := newEnv(t)
	e.must("load-baseline")
	exec(t, e.path, append(usersRows, fmt.Sprintf("UPDATE jaffle_shop.originsim_ledger SET data_version = %d", gen.Version-1))...)
	for _, args := range [][]string{{"status"}, {"verify"}, {"apply-delta", "1"}} {
		if r := e.run(args...); r.code != exitState || !strings.Contains(r.stderr, fmt.Sprintf("data version %d", gen.Version-1)) || !strings.Contains(r.stderr, "reset") {
			t.Errorf("%v on an older data version: exit %d %q", args, r.code, r.stderr)
		}
	}
	e.must("reset")
	e.checkContract(0, "jaffle_shop", "jaffle_crm")
	var version int
	db := sqlDB(t, e.path)
	if err := db.QueryRow("SELECT data_version FROM jaffle_shop.originsim_ledger").Scan(&version); err != nil || version != gen.Version {
		t.Errorf("after reset the ledger says data version %d (%v), want %d", version, err, gen.Version)
	}
	db.Close()
	if r := e.run("verify"); r.code != 0 || bytes.Contains([]byte(r.stdout), []byte("of your own")) {
		t.Errorf("verify after reset: exit %d\n%s", r.code, r.stdout)
	}
}
