package duckdb_test

import (
	"path/filepath"
	"testing"

	"github.com/originsim/originsim/target/targettest"
)

// TestConformance runs the conformance suite against a DuckDB file: the
// reference every other target is compared with must pass it too.
func TestConformance(t *testing.T) {
	targettest.Run(t, "duckdb:"+filepath.Join(t.TempDir(), "conformance.duckdb"), targettest.NoProcessLock())
}
