package sqlserver_test

import (
	"testing"

	"github.com/originsim/originsim/internal/simtest"
)

// TestConformance runs the conformance suite against the server in
// ORIGINSIM_TEST_SQLSERVER_URL, such as
// sqlserver://sa:password@127.0.0.1:1433?database=test&encrypt=disable.
// No SQL Server runs in CI, so unlike the PostgreSQL and MySQL tests it
// skips when the variable is unset even under ORIGINSIM_TEST_REQUIRE_SERVERS=1;
// set, it runs the whole suite and fails on a server it cannot reach.
func TestConformance(t *testing.T) {
	simtest.Run(t, simtest.OptionalServerURL(t, "ORIGINSIM_TEST_SQLSERVER_URL"))
}
