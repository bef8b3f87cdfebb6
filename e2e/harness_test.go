package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// harness is what TestMain set up for the tests.
type harness struct {
	skip     string // why the tests cannot run here; "" when they can
	bin      string // the scratchpack binary under test
	registry string // host:port of the local registry
	work     string // a directory for the whole run, removed at its end
	env      map[string]string
}

// h is shared by the tests of this package: TestMain fills it in once.
var h harness

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(setUp(m))
}

func setUp(m *testing.M) int {
	switch {
	case testing.Short():
		h.skip = "e2e tests do not run with -short"
	case os.Geteuid() != 0:
		h.skip = "e2e setup needs root (it installs packages and starts dockerd)"
	default:
		if _, err := exec.LookPath("apt-get"); err != nil {
			h.skip = "e2e setup needs Debian (apt-get)"
		}
	}
	if h.skip != "" {
		return m.Run()
	}
	work, err := os.MkdirTemp("", "scratchpack-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(work)
	h.work = work
	state := filepath.Join(work, "state")
	defer func() {
		down := exec.Command("bash", "setup.sh", "down", state)
		down.Stdout, down.Stderr = os.Stderr, os.Stderr
		_ = down.Run()
	}()
	up := exec.Command("bash", "setup.sh", "up", state)
	up.Stderr = os.Stderr
	out, err := up.Output()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: setup.sh up failed: %v\n", err)
		return 1
	}
	h.env = parseEnv(out)
	h.registry = h.env["REGISTRY"]
	h.bin = filepath.Join(work, "scratchpack")
	build := exec.Command("go", "build", "-o", h.bin, "../cmd/scratchpack")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: building scratchpack: %v\n", err)
		return 1
	}
	return m.Run()
}

func parseEnv(b []byte) map[string]string {
	env := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	return env
}

// need skips the test when the harness could not be set up, and fails it
// instead under CI=true, where every e2e test must run (-short is a
// deliberate request to skip, and is honoured).
func need(t *testing.T) {
	t.Helper()
	if h.skip == "" {
		return
	}
	if os.Getenv("CI") == "true" && !testing.Short() {
		t.Fatalf("cannot run under CI=true: %s", h.skip)
	}
	t.Skip(h.skip)
}

// result is what a command did.
type result struct {
	stdout, stderr string
	code           int
}

// run runs a command and returns its output and exit code; it fails the
// test only when the command cannot be started.
func run(t *testing.T, env []string, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	return runCmd(t, cmd, nil)
}

// runCmd runs cmd, with stdin when it is not nil, and returns what it
// did; it fails the test only when the command cannot be started.
func runCmd(t *testing.T, cmd *exec.Cmd, stdin []byte) result {
	t.Helper()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", cmd.Path, err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// must runs a command that has to succeed and returns its stdout.
func must(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	r := run(t, env, name, args...)
	if r.code != 0 {
		t.Fatalf("%s %s: exit %d\nstdout: %s\nstderr: %s", name, strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// scratchpack runs the binary under test and requires it to succeed.
func scratchpack(t *testing.T, args ...string) string {
	t.Helper()
	return must(t, nil, h.bin, args...)
}

// imageName returns a unique image name for this test and removes the
// image from the daemon when the test ends.
func imageName(t *testing.T) string {
	t.Helper()
	repo := strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))
	ref := fmt.Sprintf("scratchpack-e2e/%s:%d", repo, os.Getpid())
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", ref).Run() })
	return ref
}
