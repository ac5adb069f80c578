package mysql_test

import (
	"testing"

	"github.com/originsim/originsim/target/targettest"
)

// TestConformance runs the conformance suite against the server in
// ORIGINSIM_TEST_MYSQL_URL, such as mysql://root@127.0.0.1:3306/ (MySQL or
// MariaDB).
func TestConformance(t *testing.T) {
	targettest.Run(t, targettest.ServerURL(t, "ORIGINSIM_TEST_MYSQL_URL"))
}
