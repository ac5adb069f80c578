//go:build !crashtest || windows

package duckdb

// crashPoint marks a state a load goes through on its way to a new file;
// internal/crashtest builds originsim with the crashtest tag to stop or
// kill it there (crashpoint_crashtest.go). In other builds it is nothing.
func crashPoint(string) {}
