package blobcache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// blobFile writes data into a new file and returns it open at its start,
// with data's digest.
func blobFile(t *testing.T, data []byte) (*os.File, v1.Hash) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	sum := sha256.Sum256(data)
	return f, v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
}

// copyOut runs CopyTo into a new file after room bytes, and returns what
// it reported and the bytes it wrote there.
func copyOut(t *testing.T, c *Cache, d v1.Hash, size int64, room int64) (bool, []byte) {
	t.Helper()
	dst, err := os.Create(filepath.Join(t.TempDir(), "dst"))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := dst.Seek(room, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	ok, err := c.CopyTo(context.Background(), d, size, dst)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, size)
	n, _ := dst.ReadAt(got, room)
	return ok, got[:n]
}

// TestPutCopyTo: a blob Put is served by CopyTo, byte for byte, at the
// destination's offset, in the cache's directory (so that Entries and
// Prune count it); one that no longer matches its digest is refused and
// removed; one of another size is refused; a missing one is a miss.
func TestPutCopyTo(t *testing.T) {
	c, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("layer "), 100000)
	src, d := blobFile(t, data)
	if err := c.Put(context.Background(), d, int64(len(data)), src); err != nil {
		t.Fatal(err)
	}
	if ents, _ := c.Entries(); len(ents) != 1 || ents[0].Digest != d {
		t.Fatalf("entries after Put: %+v", ents)
	}
	if ok, got := copyOut(t, c, d, int64(len(data)), 512); !ok || !bytes.Equal(got, data) {
		t.Fatalf("CopyTo: %v, %d bytes", ok, len(got))
	}
	if ok, _ := copyOut(t, c, d, int64(len(data))+1, 0); ok {
		t.Error("CopyTo served a blob of another size")
	}
	path := filepath.Join(c.Dir(), d.Hex)
	bad := bytes.Clone(data)
	bad[7] ^= 1
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if ok, _ := copyOut(t, c, d, int64(len(data)), 0); ok {
		t.Error("CopyTo served bytes that do not match the digest")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the wrong entry is still there (%v)", err)
	}
	if ok, _ := copyOut(t, c, d, int64(len(data)), 0); ok {
		t.Error("CopyTo served a missing blob")
	}
}

// TestCopyToOnlyOwnEntries: an entry of another user's, or in a
// directory others can write, is never served.
func TestCopyToOnlyOwnEntries(t *testing.T) {
	c, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("mine")
	src, d := blobFile(t, data)
	if err := c.Put(context.Background(), d, int64(len(data)), src); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(c.Dir(), 0o777); err != nil {
		t.Fatal(err)
	}
	if ok, _ := copyOut(t, c, d, int64(len(data)), 0); ok {
		t.Error("served from a directory anyone can write")
	}
	if err := os.Chmod(c.Dir(), 0o700); err != nil {
		t.Fatal(err)
	}
	if ok, _ := copyOut(t, c, d, int64(len(data)), 0); !ok {
		t.Fatal("not served from the cache's own directory")
	}
	if err := os.Chown(filepath.Join(c.Dir(), d.Hex), os.Geteuid()+4242, -1); err != nil {
		t.Skipf("cannot give the entry to another user: %v", err)
	}
	if ok, _ := copyOut(t, c, d, int64(len(data)), 0); ok {
		t.Error("served another user's entry")
	}
}
