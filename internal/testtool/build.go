package testtool

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Run runs a command that must succeed, with env added to the
// environment and in dir when dir is not "", and fails the test with the
// command's output when it does not.
func Run(t testing.TB, env []string, dir, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, b)
	}
}

// GoBuild builds the Go package at pkg (a directory or a .go file) for
// linux/goarch with CGO_ENABLED=0, the given build flags, and env added
// (GOARM=7, say), and returns the binary's path in a temporary directory.
func GoBuild(t testing.TB, pkg, goarch string, flags []string, env ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(pkg), ".go"))
	args := append(append([]string{"build", "-o", out}, flags...), pkg)
	Run(t, append([]string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=" + goarch}, env...), "", "go", args...)
	return out
}

// GoSource writes src as a main package outside any module and builds it
// as GoBuild does.
func GoSource(t testing.TB, src, goarch string, flags []string, env ...string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "main.go")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return GoBuild(t, file, goarch, flags, append([]string{"GO111MODULE=off"}, env...)...)
}

// CC runs the C compiler cc (skipping the test, or failing it under
// CI=true, when cc is not installed) with args.
func CC(t testing.TB, cc string, args ...string) {
	t.Helper()
	Need(t, cc)
	Run(t, nil, "", cc, args...)
}
