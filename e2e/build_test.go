package e2e

import (
	"path/filepath"
	"testing"
)

// buildGo compiles a Go program from testdata with CGO_ENABLED=0 for
// GOARCH arch and returns the binary's path.
func buildGo(t *testing.T, pkg, arch string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(pkg))
	must(t, []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + arch}, "go", "build", "-trimpath", "-o", out, "../testdata/"+pkg)
	return out
}

// buildC compiles one C source from testdata with cc and flags.
func buildC(t *testing.T, cc, src string, flags ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "hello")
	args := append([]string{"-O2", "-o", out, "../testdata/" + src}, flags...)
	must(t, nil, cc, args...)
	return out
}
