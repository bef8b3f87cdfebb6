package e2e

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bigProgram is a static program with 300 MB of incompressible data after
// it (still a valid ELF file, as a binary with embedded assets is).
func bigProgram(t *testing.T) string {
	t.Helper()
	prog, err := os.ReadFile("../testdata/elf/musl-static")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "big")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Write(prog)
	rng := rand.NewChaCha8([32]byte{1})
	buf := make([]byte, 1<<20)
	for range 300 {
		rng.Read(buf)
		if _, err := f.Write(buf); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	os.Chmod(p, 0o755)
	return p
}

// TestSignalStopsAPack interrupts packs of a 300 MB program into a
// tarball and a layout that already exist: each stops within a second of
// the signal with 128 + its number, the old outputs are as they were, and
// no temporary file is left in the output directory or TMPDIR.
func TestSignalStopsAPack(t *testing.T) {
	need(t)
	bin := bigProgram(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			out, tmp := t.TempDir(), t.TempDir()
			tarball := filepath.Join(out, "app.tar")
			if err := os.WriteFile(tarball, []byte("the old output"), 0o644); err != nil {
				t.Fatal(err)
			}
			layout := filepath.Join(out, "layout")
			scratchpack(t, "pack", "-t", "app:old", "--oci-layout", layout, "../testdata/elf/musl-static")
			index, _ := os.ReadFile(filepath.Join(layout, "index.json"))

			cmd := exec.Command(h.bin, "pack", "-t", "app:new", "-o", tarball, "--oci-layout", layout, bin)
			cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Signal once the layer is being written, mid-run.
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				if m, _ := filepath.Glob(filepath.Join(tmp, "scratchpack-layer-*")); len(m) > 0 {
					if fi, err := os.Stat(m[0]); err == nil && fi.Size() > 16<<20 {
						break
					}
				}
			}
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
			if !strings.Contains(stderr.String(), "interrupted") {
				t.Errorf("stderr %q, want it to say it was interrupted", stderr.String())
			}
			if b, _ := os.ReadFile(tarball); string(b) != "the old output" {
				t.Error("the old tarball changed")
			}
			if b, _ := os.ReadFile(filepath.Join(layout, "index.json")); !bytes.Equal(b, index) {
				t.Error("the old layout's index.json changed")
			}
			for _, dir := range []string{out, tmp} {
				entries, _ := os.ReadDir(dir)
				for _, e := range entries {
					if e.Name() != "app.tar" && e.Name() != "layout" {
						t.Errorf("left %s in %s", e.Name(), dir)
					}
				}
			}
		})
	}
}
