package sqlserver_test

import (
	"testing"

	"github.com/originsim/originsim/target/targettest"
)

// TestConformance runs the conformance suite against the server in
// ORIGINSIM_TEST_SQLSERVER_URL, such as
// sqlserver://sa:password@127.0.0.1:1433?database=test.
func TestConformance(t *testing.T) {
	targettest.Run(t, targettest.ServerURL(t, "ORIGINSIM_TEST_SQLSERVER_URL"))
}
