package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackNeverStaleLayer: a second pack of an unchanged program reuses
// its layer (-v says so) and writes the same image; a byte of the
// program changed, its size and mtime put back (os.Chtimes), changes
// the digest, as do another --compression and SOURCE_DATE_EPOCH; and
// scratchpack cache lists the layers built, which prune forgets.
func TestPackNeverStaleLayer(t *testing.T) {
	t.Parallel() // its runs have a cache directory of their own: each in a process of its own (see spIn)
	home := t.TempDir()
	cached := map[string]string{"XDG_CACHE_HOME": home}
	bin := filepath.Join(t.TempDir(), "hello")
	prog, err := os.ReadFile(goProgram(t, "hello-go", "amd64"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, prog, 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "img.tar")
	env := map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}
	pack := func(env map[string]string, args ...string) (digest string, reused bool) {
		t.Helper()
		stdout, stderr, code := spIn("", withEnv(env, "XDG_CACHE_HOME", home), append([]string{"pack", "-v", "-o", out}, append(args, bin)...)...)
		if code != 0 {
			t.Fatalf("pack %v: exit %d: %s", args, code, stderr)
		}
		return stdout, strings.Contains(stderr, "reused (its inputs are unchanged)")
	}
	first, reused := pack(env)
	if reused {
		t.Fatal("the first pack reused a layer")
	}
	if again, reused := pack(env); !reused || again != first {
		t.Fatalf("an unchanged program: reused %v, digest %q, first %q", reused, again, first)
	}

	fi, err := os.Stat(bin)
	if err != nil {
		t.Fatal(err)
	}
	// A byte of the program's text; past the ELF headers, so it still
	// scans.
	prog[len(prog)/2] ^= 0x01
	if err := os.WriteFile(bin, prog, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(bin, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	changed, reused := pack(env)
	if reused || changed == first {
		t.Fatalf("one byte changed, mtime put back: reused %v, digest %q (before %q)", reused, changed, first)
	}
	if d, reused := pack(env, "--compression", "zstd"); reused || d == changed {
		t.Errorf("--compression zstd: reused %v, digest %q", reused, d)
	}
	if d, reused := pack(map[string]string{"SOURCE_DATE_EPOCH": "1700000001"}); reused || d == changed {
		t.Errorf("another SOURCE_DATE_EPOCH: reused %v, digest %q", reused, d)
	}
	if d, reused := pack(env); !reused || d != changed {
		t.Errorf("the changed program packed again: reused %v, digest %q, want %q", reused, d, changed)
	}

	stdout, _, code := spIn("", cached, "cache")
	layers := filepath.Join(home, "scratchpack", "blobs", "layers")
	if code != 0 || !strings.Contains(stdout, layers+": 3 layers built here") {
		t.Errorf("cache: exit %d:\n%s", code, stdout)
	}
	if _, stderr, code := spIn("", cached, "cache", "prune"); code != 0 || !strings.Contains(stderr, "and 3 layer records") {
		t.Errorf("cache prune: exit %d: %s", code, stderr)
	}
	if _, reused := pack(env); reused {
		t.Error("a layer was reused after cache prune")
	}
}
