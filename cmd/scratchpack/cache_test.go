package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCacheShowsAndPrunes: scratchpack cache names the cache's directory,
// its blobs and their total size; prune --max keeps the most recently
// used within the bound, and prune alone empties it, on disk.
func TestCacheShowsAndPrunes(t *testing.T) {
	t.Parallel() // its runs have a cache directory of their own: each in a process of its own (see spIn)
	home := t.TempDir()
	cached := map[string]string{"XDG_CACHE_HOME": home}
	dir := filepath.Join(home, "scratchpack", "blobs", "sha256")
	stdout, stderr, code := spIn("", cached, "cache")
	if code != 0 || !strings.HasPrefix(stdout, dir+": 0 blobs, 0 B") {
		t.Fatalf("empty cache: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var digests []string
	now := time.Now()
	for i, size := range []int{3000, 2000, 1000} { // the oldest first
		data := []byte(strings.Repeat(string(rune('a'+i)), size))
		sum := sha256.Sum256(data)
		p := filepath.Join(dir, hex.EncodeToString(sum[:]))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		when := now.Add(time.Duration(i-3) * time.Hour)
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
		digests = append(digests, "sha256:"+hex.EncodeToString(sum[:]))
	}
	stdout, _, code = spIn("", cached, "cache")
	if code != 0 || !strings.HasPrefix(stdout, dir+": 3 blobs, 6.00 kB") {
		t.Errorf("cache: exit %d:\n%s", code, stdout)
	}
	for _, d := range digests {
		if !strings.Contains(stdout, d) {
			t.Errorf("cache does not list %s:\n%s", d, stdout)
		}
	}
	var js struct {
		Size    int64
		Entries []struct {
			Digest string
			Size   int64
		}
	}
	out, _, _ := spIn("", cached, "cache", "--json")
	if err := json.Unmarshal([]byte(out), &js); err != nil || js.Size != 6000 || len(js.Entries) != 3 || js.Entries[0].Digest != digests[2] {
		t.Errorf("cache --json: %v\n%s", err, out)
	}

	_, stderr, code = spIn("", cached, "cache", "prune", "--max", "3kB")
	if code != 0 || !strings.Contains(stderr, "removed 1 blob, 3.00 kB") {
		t.Errorf("prune --max 3kB: exit %d, stderr %q", code, stderr)
	}
	left, _ := os.ReadDir(dir)
	if len(left) != 2 || "sha256:"+left[0].Name() == digests[0] || "sha256:"+left[1].Name() == digests[0] {
		t.Errorf("after prune --max 3kB the cache holds %v; want the two newest", left)
	}
	stdout, stderr, code = spIn("", cached, "cache", "prune")
	if left, _ := os.ReadDir(dir); code != 0 || len(left) != 0 || !strings.Contains(stderr, "removed 2 blobs") || !strings.HasPrefix(stdout, dir+": 0 blobs, 0 B") {
		t.Errorf("prune: exit %d, %d left, stdout %q, stderr %q", code, len(left), stdout, stderr)
	}
	for _, bad := range [][]string{{"cache", "--max", "1GB"}, {"cache", "prune", "--max", "lots"}, {"cache", "clear"}} {
		if _, stderr, code := spIn("", cached, bad...); code != 2 || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, %q; want a usage error", bad, code, stderr)
		}
	}
}

// TestParseSize: sizes in bytes, powers of 1000 and of 1024; what is not
// a size (negative, NaN, infinite, too large, a unit alone) is refused.
func TestParseSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{"0": 0, "512": 512, "3kB": 3000, "1.5MB": 1500000, "2GiB": 2 << 30, "1 gb": 1e9, "10KiB": 10240, "7b": 7} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "NaN", "inf", "1e30", "MB", "lots", "1XB"} {
		if got, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) = %d, want an error", bad, got)
		}
	}
}

// TestCacheShowsAndPrunesKeptBuilds: the binaries build keeps between
// runs are listed by scratchpack cache, with their size, and prune --max
// removes the least recently used of them until the rest fit, on disk.
func TestCacheShowsAndPrunesKeptBuilds(t *testing.T) {
	t.Parallel() // its runs have a cache directory of their own: each in a process of its own (see spIn)
	home := t.TempDir()
	cached := map[string]string{"XDG_CACHE_HOME": home}
	keep := filepath.Join(home, "scratchpack", "build")
	now := time.Now()
	var slots []string
	for i, size := range []int{3000, 2000} { // the oldest first
		slot := filepath.Join(keep, "app@linux-amd64-"+strings.Repeat(string(rune('a'+i)), 12))
		if err := os.MkdirAll(slot, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(slot, "app"), make([]byte, size), 0o755); err != nil {
			t.Fatal(err)
		}
		lock := filepath.Join(slot, ".lock")
		if err := os.WriteFile(lock, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		when := now.Add(time.Duration(i-2) * time.Hour)
		if err := os.Chtimes(lock, when, when); err != nil {
			t.Fatal(err)
		}
		slots = append(slots, slot)
	}
	stdout, stderr, code := spIn("", cached, "cache")
	if code != 0 || !strings.Contains(stdout, keep+": 2 kept builds, 5.00 kB") {
		t.Fatalf("cache: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for _, s := range slots {
		if !strings.Contains(stdout, filepath.Base(s)) {
			t.Errorf("cache does not list %s:\n%s", filepath.Base(s), stdout)
		}
	}
	var js struct{ Builds []struct{ Dir string } }
	out, _, _ := spIn("", cached, "cache", "--json")
	if err := json.Unmarshal([]byte(out), &js); err != nil || len(js.Builds) != 2 || js.Builds[0].Dir != slots[0] {
		t.Errorf("cache --json: %v\n%s", err, out)
	}
	_, stderr, code = spIn("", cached, "cache", "prune", "--max", "2500B")
	if _, err := os.Stat(slots[0]); code != 0 || !os.IsNotExist(err) || !strings.Contains(stderr, "removed 1 kept build, 3.00 kB") {
		t.Errorf("prune --max 2500B: exit %d, oldest slot: %v, stderr %q", code, err, stderr)
	}
	if _, err := os.Stat(slots[1]); err != nil {
		t.Errorf("prune --max 2500B removed the newest kept build: %v", err)
	}
	if _, _, code = spIn("", cached, "cache", "prune"); code != 0 {
		t.Fatalf("prune: exit %d", code)
	}
	if left, _ := os.ReadDir(keep); len(left) != 0 {
		t.Errorf("prune left %d kept builds", len(left))
	}
}
