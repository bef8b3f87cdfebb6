package transport

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// writeTestLayout writes a layout holding an index (app:1) of one image
// for linux/amd64 and returns the layout and the image's manifest and
// config blob paths.
func writeTestLayout(t *testing.T) (dir, manifest, config string) {
	t.Helper()
	dir = t.TempDir()
	cf, _ := empty.Image.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	img, err := mutate.ConfigFile(empty.Image, cf)
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}})
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendIndex(idx, layout.WithAnnotations(map[string]string{AnnotationRefName: "app:1"})); err != nil {
		t.Fatal(err)
	}
	md, _ := img.Digest()
	cd, _ := img.ConfigName()
	return dir, filepath.Join(dir, "blobs", "sha256", md.Hex), filepath.Join(dir, "blobs", "sha256", cd.Hex)
}

// TestHostileLayoutIsRefused opens layouts whose index.json, manifest or
// config is a symlink to /dev/zero, a FIFO, larger than its bound, or
// (a blob) bytes other than its digest names: each is refused at once,
// in one line naming the file (the config: the blob) and why, where go-containerregistry would
// run out of memory, hang, or take the wrong bytes.
func TestHostileLayoutIsRefused(t *testing.T) {
	zero := func(p string) error { os.Remove(p); return os.Symlink("/dev/zero", p) }
	fifo := func(p string) error { os.Remove(p); return syscall.Mkfifo(p, 0o644) }
	huge := func(size int64) func(string) error {
		return func(p string) error { return os.Truncate(p, size) }
	}
	swap := func(p string) error { // same size, other bytes
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		b[len(b)-2] = ' '
		return os.WriteFile(p, b, 0o644)
	}
	for _, tc := range []struct {
		name, which string
		do          func(string) error
		want        string
	}{
		{"index.json to /dev/zero", "index", zero, "symbolic link"},
		{"index.json a fifo", "index", fifo, "not a regular file"},
		{"index.json huge", "index", huge(MaxManifestSize + 1), "transport.MaxManifestSize"},
		{"manifest to /dev/zero", "manifest", zero, "symbolic link"},
		{"manifest a fifo", "manifest", fifo, "not a regular file"},
		{"manifest huge", "manifest", huge(MaxManifestSize + 1), "transport.MaxManifestSize"},
		{"manifest replaced", "manifest", swap, "not to the digest that names it"},
		{"config a fifo", "config", fifo, "not a regular file"},
		{"config replaced", "config", swap, "not to the digest that names it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, manifest, config := writeTestLayout(t)
			p := map[string]string{"index": filepath.Join(dir, "index.json"), "manifest": manifest, "config": config}[tc.which]
			if err := tc.do(p); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err := func() error {
				a, err := Open(t.Context(), parseRef(t, dir+":app:1"), Options{})
				if err != nil {
					return err
				}
				return readAll(t.Context(), a, nil)
			}()
			if err == nil || !strings.Contains(err.Error(), tc.want) || (tc.which != "config" && !strings.Contains(err.Error(), dir)) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v; want one line naming %s and %q", err, dir, tc.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
	t.Run("intact", func(t *testing.T) {
		dir, _, _ := writeTestLayout(t)
		a, err := Open(t.Context(), parseRef(t, dir+":app:1"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Select(t.Context(), a, v1.Platform{OS: "linux", Architecture: "amd64"}); err != nil {
			t.Fatal(err)
		}
	})
}
