package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/crane"
)

// TestLayerCacheRepushAndStaleness: with the built binary, against the
// registry: a re-push of an unchanged program reuses its layer and
// uploads nothing, and the registry keeps the same digest; after one byte
// of the program changed with its size and mtime put back (os.Chtimes),
// the push reuses nothing, and the registry's image has a new digest whose
// layer holds the changed program.
func TestLayerCacheRepushAndStaleness(t *testing.T) {
	need(t)
	env := []string{"XDG_CACHE_HOME=" + t.TempDir()}
	prog, err := os.ReadFile(buildGo(t, "hello-go", "amd64"))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "hello")
	if err := os.WriteFile(bin, prog, 0o755); err != nil {
		t.Fatal(err)
	}
	ref := h.registry + "/e2e/layercache:1"
	push := func() (digest string, log string) {
		t.Helper()
		r := run(t, env, h.bin, "pack", "-v", "-t", ref, "--push", bin)
		if r.code != 0 {
			t.Fatalf("push: exit %d: %s", r.code, r.stderr)
		}
		d, err := crane.Digest(ref, crane.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(r.stdout, d) {
			t.Fatalf("stdout %q does not name the registry's digest %s", r.stdout, d)
		}
		return d, r.stderr
	}
	first, log := push()
	if strings.Contains(log, "reused (its inputs") {
		t.Fatalf("the first push reused a layer:\n%s", log)
	}
	again, log := push()
	if again != first || !strings.Contains(log, "reused (its inputs are unchanged)") || strings.Contains(log, "pushed blob") {
		t.Fatalf("an unchanged re-push: digest %s (first %s), log:\n%s", again, first, log)
	}

	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	prog[len(prog)/2] ^= 0x01
	if err := os.WriteFile(bin, prog, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(bin, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	changed, log := push()
	if changed == first || strings.Contains(log, "reused (its inputs") || !strings.Contains(log, "pushed blob") {
		t.Fatalf("one byte changed, mtime put back: digest %s (before %s), log:\n%s", changed, first, log)
	}
	img, err := crane.Pull(ref, crane.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	fs := filepath.Join(t.TempDir(), "fs.tar")
	f, err := os.Create(fs)
	if err != nil {
		t.Fatal(err)
	}
	if err := crane.Export(img, f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	got := readTarFile(t, fs, "usr/local/bin/hello")
	if got != string(prog) {
		t.Error("the pushed layer does not hold the changed program")
	}
}
