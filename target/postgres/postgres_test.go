package postgres_test

import (
	"testing"

	"github.com/originsim/originsim/target/targettest"
)

// TestConformance runs the conformance suite against the server in
// ORIGINSIM_TEST_POSTGRES_URL, such as
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
func TestConformance(t *testing.T) {
	targettest.Run(t, targettest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL"))
}
