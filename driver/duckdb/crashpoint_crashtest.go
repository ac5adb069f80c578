//go:build crashtest && !windows

package duckdb

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// crashPoint stops the process at a named state when
// ORIGINSIM_CRASHTEST is kill:NAME (SIGKILL, as a user's kill -9 would) or
// pause:NAME (it waits there to be killed). It says so on stderr first, so
// a test knows the state was reached. Only in builds with the crashtest tag,
// which internal/crashtest makes.
func crashPoint(name string) {
	action, at, _ := strings.Cut(os.Getenv("ORIGINSIM_CRASHTEST"), ":")
	if at != name {
		return
	}
	fmt.Fprintf(os.Stderr, "crashtest: %s at %s\n", action, name)
	switch action {
	case "kill":
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	case "pause":
	default:
		return
	}
	for {
		time.Sleep(time.Hour)
	}
}
