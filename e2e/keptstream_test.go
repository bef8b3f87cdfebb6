package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFromKeptStreamNeedsNoBlob: pack --from keeps each layer's tar stream
// in the blob cache under its diff_id, and the next pack reads that, not
// the blob: with the blob gone from the cache it downloads nothing and
// packs the same image. A kept stream changed behind the cache's back is
// dropped, said at -v, and the blob is downloaded again; the image is
// still the same.
func TestFromKeptStreamNeedsNoBlob(t *testing.T) {
	need(t)
	prog := buildGo(t, "hello-go", "amd64")
	layer := secretLayer(t, prog, "kept\n")
	ref := pushSecretImage(t, "e2e/keptstream", layer)
	digest, _ := layer.Digest()
	diffID, _ := layer.DiffID()
	dir := t.TempDir()
	env := []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	blobs := filepath.Join(dir, "cache", "scratchpack", "blobs", "sha256")
	pack := func(when string) (printed, log string) {
		t.Helper()
		out := filepath.Join(dir, "out.tar")
		os.Remove(out)
		r := run(t, env, h.bin, "pack", "-v", "--from", ref, "--include", "/etc/secret", "-o", out, "/bin/hello")
		if r.code != 0 {
			t.Fatalf("pack --from %s: exit %d: %s", when, r.code, r.stderr)
		}
		if got := packedFile(t, out, "etc/secret"); got != "kept\n" {
			t.Errorf("pack --from %s shipped /etc/secret %q", when, got)
		}
		return strings.TrimSpace(r.stdout), r.stderr
	}
	first, log := pack("first")
	if !strings.Contains(log, diffID.String()+" made and kept") {
		t.Errorf("the first pack did not keep the layer's tar stream under %s: %s", diffID, log)
	}
	if err := os.Remove(filepath.Join(blobs, digest.Hex)); err != nil {
		t.Fatalf("the layer's blob was not cached: %v", err)
	}
	again, log := pack("with the blob gone")
	if again != first || strings.Contains(log, digest.String()) {
		t.Errorf("with its tar stream kept, the pack read the blob or made another image (%s, then %s): %s", first, again, log)
	}

	kept := filepath.Join(blobs, diffID.Hex)
	b, err := os.ReadFile(kept)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	writeTestFile(t, kept, string(b))
	third, log := pack("with the kept stream changed")
	if third != first || !strings.Contains(log, "the entry for "+diffID.String()+" does not read as layer") || !strings.Contains(log, digest.String()+" downloaded") {
		t.Errorf("a changed kept stream: image %s (want %s), and -v did not say it was dropped and the blob downloaded: %s", third, first, log)
	}
}
