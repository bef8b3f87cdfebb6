// Package testtool lets tests require an external tool: without it they
// skip with the reason, except under CI=true, where a missing tool is a
// failure, since CI installs everything the tests use.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// Need returns the path of each named command, or skips (fails under
// CI=true) when one is missing.
func Need(t testing.TB, names ...string) []string {
	t.Helper()
	paths := make([]string, len(names))
	for i, n := range names {
		p, err := exec.LookPath(n)
		if err != nil {
			Missing(t, n+" is not installed (make tools installs it)")
		}
		paths[i] = p
	}
	return paths
}

// Missing skips the test with reason, or fails it under CI=true.
func Missing(t testing.TB, reason string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("cannot run under CI=true: %s", reason)
	}
	t.Skip(reason)
}
