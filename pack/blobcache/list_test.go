package blobcache

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestEntriesAndPrune: Entries lists each blob with its size, the most
// recently used first, and nothing else in the directory; Prune removes
// the least recently used until the rest fit, and 0 empties the cache.
func TestEntriesAndPrune(t *testing.T) {
	dir := t.TempDir()
	c, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ents, err := c.Entries(); err != nil || len(ents) != 0 {
		t.Fatalf("a cache never written to: %v, %v", ents, err)
	}
	if err := os.MkdirAll(c.Dir(), 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	var hexes []string
	for i, size := range []int{300, 200, 100} { // oldest first
		data := make([]byte, size)
		sum := sha256.Sum256(data)
		h := hex.EncodeToString(sum[:])
		p := filepath.Join(c.Dir(), h)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		when := now.Add(time.Duration(i-3) * time.Hour)
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
		hexes = append(hexes, h)
	}
	if err := os.WriteFile(filepath.Join(c.Dir(), ".tmp-x"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	ents, err := c.Entries()
	if err != nil || len(ents) != 3 || ents[0].Digest.Hex != hexes[2] || ents[0].Size != 100 || ents[2].Digest.Hex != hexes[0] || ents[2].Size != 300 {
		t.Fatalf("entries %+v, %v; want the 3 blobs, newest first", ents, err)
	}
	removed, err := c.Prune(300)
	if err != nil || len(removed) != 1 || removed[0].Digest.Hex != hexes[0] {
		t.Errorf("Prune(300) removed %+v, %v; want the oldest alone", removed, err)
	}
	if ents, _ := c.Entries(); len(ents) != 2 {
		t.Errorf("after Prune(300): %+v", ents)
	}
	removed, err = c.Prune(0)
	if err != nil || len(removed) != 2 {
		t.Errorf("Prune(0) removed %+v, %v; want the 2 left", removed, err)
	}
	if ents, _ := c.Entries(); len(ents) != 0 {
		t.Errorf("after Prune(0): %+v", ents)
	}
}
