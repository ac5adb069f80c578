package postgres_test

import (
	"testing"

	"github.com/originsim/originsim/internal/simtest"
)

// TestConformance runs the conformance suite against the server in
// ORIGINSIM_TEST_POSTGRES_URL, such as
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
func TestConformance(t *testing.T) {
	simtest.Run(t, simtest.ServerURL(t, "ORIGINSIM_TEST_POSTGRES_URL"))
}
