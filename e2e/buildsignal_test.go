package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// TestSignalStopsABuild sends SIGINT or SIGTERM to scratchpack build
// while the Go compiler runs: it exits within a second with 128 + the
// signal, no go or compile process of it is left, and no go-build work
// directory, nor any other file, stays in TMPDIR.
func TestSignalStopsABuild(t *testing.T) {
	need(t)
	mod := testtool.SlowGoModule(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			tmp := t.TempDir()
			marker := fmt.Sprintf("SCRATCHPACK_E2E_BUILD=%d", time.Now().UnixNano())
			cmd := exec.Command(h.bin, "build", "--push=false", "--oci-layout-path", filepath.Join(t.TempDir(), "layout"), ".")
			cmd.Dir = mod
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "KO_DOCKER_REPO=example.com/e2e", marker)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			deadline := time.Now().Add(60 * time.Second)
		wait:
			for ; ; time.Sleep(20 * time.Millisecond) {
				for _, p := range testtool.Marked(marker) {
					if strings.HasSuffix(p, " compile") {
						break wait
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("no compiler started within 60s; stderr %s", stderr.String())
				}
			}
			time.Sleep(300 * time.Millisecond)
			cmd.Process.Signal(sig)
			sent := time.Now()
			err := cmd.Wait()
			took := time.Since(sent)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 128+int(sig) {
				t.Fatalf("exit %v, want %d; stderr %s", err, 128+int(sig), stderr.String())
			}
			if took > time.Second {
				t.Errorf("stopped %v after the signal, want within a second", took)
			}
			var left []string
			for left = testtool.Marked(marker); len(left) > 0 && time.Since(sent) < time.Second; left = testtool.Marked(marker) {
				time.Sleep(20 * time.Millisecond)
			}
			if len(left) > 0 {
				t.Errorf("processes of the build still run a second after the signal: %v", left)
			}
			if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("left %v in TMPDIR", names)
			}
		})
	}
}
