package imagefs

import (
	"bytes"
	"context"
	"io"
	"maps"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/pack/blobcache"
)

// countedLayer counts the reads of its blob.
type countedLayer struct {
	v1.Layer
	reads *int
}

func (l countedLayer) Compressed() (io.ReadCloser, error) {
	*l.reads++
	return l.Layer.Compressed()
}

func openCached(t *testing.T, img v1.Image, c *blobcache.Cache) (*FS, error) {
	t.Helper()
	fsys, err := OpenCached(context.Background(), img, t.TempDir(), c)
	if err == nil {
		t.Cleanup(func() { fsys.Close() })
	}
	return fsys, err
}

func keptPath(t *testing.T, c *blobcache.Cache, l v1.Layer) string {
	t.Helper()
	d, err := l.DiffID()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(c.Dir(), d.Hex)
}

// An image opened with a cache keeps each layer's tar stream, and opened
// again reads the kept streams, not the blobs, into the same file system
// as an open without a cache; a kept stream that no longer hashes to its
// diff_id is dropped and the blob read again.
func TestKeptStreamsServeTheNextOpen(t *testing.T) {
	reads := 0
	lower := countedLayer{gzLayer(t, dir("etc"), reg("etc/a", "lower a"), reg("etc/b", "lower b"), reg("bin/x", "x"), hardlink("bin/y", "bin/x")), &reads}
	upper := countedLayer{gzLayer(t, reg("etc/a", "upper a"), ent{name: "etc/.wh.b", typ: '0'}, symlink("bin/z", "x")), &reads}
	img := imageOf(t, lower, upper)
	plain, err := openImage(t, img)
	if err != nil {
		t.Fatal(err)
	}
	want := flatten(t, plain)
	c, err := blobcache.Open(t.TempDir(), blobcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, wantReads := range []int{2, 0, 1} {
		if i == 2 { // one kept stream changed: it is dropped, its blob read again
			p := keptPath(t, c, upper)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 1
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		reads = 0
		fsys, err := openCached(t, img, c)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if got := flatten(t, fsys); !maps.Equal(got, want) {
			t.Errorf("open %d with the cache: %v, want %v", i, got, want)
		}
		if reads != wantReads {
			t.Errorf("open %d read %d blobs, want %d", i, reads, wantReads)
		}
		for _, l := range []v1.Layer{lower, upper} {
			if _, err := os.Stat(keptPath(t, c, l)); err != nil {
				t.Errorf("open %d: a layer's stream is not kept: %v", i, err)
			}
		}
	}
}

// A layer refused with a cache is refused as without one, and nothing of
// it is kept; a layer with more than maxTrailer bytes after its end is
// used but not kept.
func TestKeptStreamsOnlyOfGoodLayers(t *testing.T) {
	c, err := blobcache.Open(t.TempDir(), blobcache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dup := plainLayer(tarOf(t, reg("a", "1"), reg("./a", "2")))
	if _, err := openCached(t, imageOf(t, dup), c); err == nil {
		t.Error("a layer with a duplicate name opened with a cache")
	}
	if _, err := os.Stat(keptPath(t, c, dup)); err == nil {
		t.Error("a refused layer's stream was kept")
	}
	padded := plainLayer(append(tarOf(t, reg("a", "1")), bytes.Repeat([]byte{0}, maxTrailer+512)...))
	fsys, err := openCached(t, imageOf(t, padded), c)
	if err != nil {
		t.Fatal(err)
	}
	if got := flatten(t, fsys); got["a"] != "f:1" {
		t.Errorf("the padded layer: %v", got)
	}
	if _, err := os.Stat(keptPath(t, c, padded)); err == nil {
		t.Error("a stream with a megabyte after its end was kept")
	}
}
