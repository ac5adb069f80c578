package mysql_test

import (
	"testing"

	"github.com/originsim/originsim/internal/simtest"
)

// TestConformance runs the conformance suite against the server in
// ORIGINSIM_TEST_MYSQL_URL, such as mysql://root@127.0.0.1:3306/ (MySQL or
// MariaDB).
func TestConformance(t *testing.T) {
	simtest.Run(t, simtest.ServerURL(t, "ORIGINSIM_TEST_MYSQL_URL"))
}
