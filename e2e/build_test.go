package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// buildGo compiles a Go program from testdata with CGO_ENABLED=0 for
// GOARCH arch and returns the binary's path.
func buildGo(t *testing.T, pkg, arch string) string {
	t.Helper()
	return testtool.GoBuild(t, "../testdata/"+pkg, arch, []string{"-trimpath"})
}

// buildC compiles one C source from testdata with cc and flags.
func buildC(t *testing.T, cc, src string, flags ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "hello")
	testtool.CC(t, cc, append([]string{"-O2", "-o", out, "../testdata/" + src}, flags...)...)
	return out
}

// writeTestFile writes a file the test needs.
func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
