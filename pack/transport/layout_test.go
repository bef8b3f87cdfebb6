package transport

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// TestLayoutReplacesCorruptBlob re-packs into a layout whose blob file,
// named by the layer's digest, holds something else: it is rewritten,
// not reused, and the layout's image reads back; an intact blob is kept
// as it is, and nothing is written through a symlink.
func TestLayoutReplacesCorruptBlob(t *testing.T) {
	img, err := random.Image(4096, 2)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	bad, err := layers[0].Digest()
	if err != nil {
		t.Fatal(err)
	}
	good, err := layers[1].Digest()
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag("app:1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		corrupt func(t *testing.T, path string)
	}{
		{"truncated", func(t *testing.T, p string) { rewrite(t, p, func(b []byte) []byte { return b[:len(b)/2] }) }},
		{"garbled", func(t *testing.T, p string) {
			rewrite(t, p, func(b []byte) []byte { b[len(b)/2] ^= 0xff; return b })
		}},
		{"empty", func(t *testing.T, p string) { rewrite(t, p, func([]byte) []byte { return nil }) }},
		{"symlink", func(t *testing.T, p string) {
			outside := filepath.Join(t.TempDir(), "outside")
			if err := os.WriteFile(outside, []byte("not yours"), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Remove(p)
			if err := os.Symlink(outside, p); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if b, _ := os.ReadFile(outside); string(b) != "not yours" {
					t.Errorf("the re-pack wrote through the symlink: %q", b)
				}
			})
		}},
		{"directory", func(t *testing.T, p string) {
			os.Remove(p)
			if err := os.MkdirAll(filepath.Join(p, "x"), 0o755); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "layout")
			ctx := context.Background()
			if err := WriteLayout(ctx, dir, img, []name.Tag{tag}); err != nil {
				t.Fatal(err)
			}
			keep := filepath.Join(dir, "blobs", good.Algorithm, good.Hex)
			before, err := os.Stat(keep)
			if err != nil {
				t.Fatal(err)
			}
			tc.corrupt(t, filepath.Join(dir, "blobs", bad.Algorithm, bad.Hex))
			if err := WriteLayout(ctx, dir, img, []name.Tag{tag}); err != nil {
				t.Fatalf("the re-pack: %v", err)
			}
			checkBlobs(t, dir)
			if after, err := os.Stat(keep); err != nil || !os.SameFile(before, after) {
				t.Errorf("the intact blob %s was rewritten (%v)", good, err)
			}
			lp, err := layout.FromPath(dir)
			if err != nil {
				t.Fatal(err)
			}
			d, _ := img.Digest()
			back, err := lp.Image(d)
			if err != nil {
				t.Fatal(err)
			}
			l, err := back.LayerByDigest(bad)
			if err != nil {
				t.Fatal(err)
			}
			rc, err := l.Compressed()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			if h, _, err := v1.SHA256(rc); err != nil || h != bad {
				t.Errorf("the layout's layer %s reads back as %s (%v)", bad, h, err)
			}
		})
	}
}

// rewrite replaces the bytes of the file at p with edit's.
func rewrite(t *testing.T, p string, edit func([]byte) []byte) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, edit(b), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkBlobs checks that every blob of the layout dir is a regular file
// whose bytes hash to its name.
func checkBlobs(t *testing.T, dir string) {
	t.Helper()
	blobs := filepath.Join(dir, "blobs", "sha256")
	ents, err := os.ReadDir(blobs)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			t.Errorf("blob %s is a %v", e.Name(), e.Type())
			continue
		}
		b, err := os.ReadFile(filepath.Join(blobs, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		h, _, _ := v1.SHA256(bytes.NewReader(b))
		if h.Hex != e.Name() {
			t.Errorf("blob %s holds bytes that hash to %s", e.Name(), h)
		}
	}
}
