package main

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/scratchpack/scratchpack/pack/describe"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// whiteout is a layer that deletes path, as a later Dockerfile RUN rm
// would in a distroless-style image.
func whiteout(t *testing.T, path string) v1.Layer {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	dir, base := filepath.Split(strings.TrimPrefix(path, "/"))
	tw.WriteHeader(&tar.Header{Name: dir + ".wh." + base, Typeflag: tar.TypeReg, Mode: 0o644})
	tw.Close()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b.Bytes())), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestVerify: a packed image verifies; the same image with a library
// deleted by a later layer, or run as a user its passwd lacks, does not,
// and each problem is named.
func TestVerify(t *testing.T) {
	t.Parallel()
	lay := filepath.Join(t.TempDir(), "layout")
	if _, stderr, code := sp(nil, "pack", "-t", "good:1", "--oci-layout", lay, "/usr/bin/curl"); code != 0 {
		t.Fatalf("pack: exit %d: %s", code, stderr)
	}
	out, stderr, code := sp(nil, "verify", lay+":good:1")
	if code != 0 || !strings.Contains(out, "ok: /usr/bin/curl, dynamic") {
		t.Fatalf("verify good: exit %d, %s %s", code, out, stderr)
	}
	art, err := openRef(t, lay+":good:1")
	if err != nil {
		t.Fatal(err)
	}
	good := art.(v1.Image)
	var libz string
	for _, f := range strings.Split(listFiles(t, good), "\n") {
		if strings.Contains(f, "/libz.so.1.") {
			libz = f
		}
	}
	if libz == "" {
		t.Fatal("no libz in the image")
	}
	broken, err := mutate.AppendLayers(good, whiteout(t, libz))
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := good.ConfigFile()
	cf = cf.DeepCopy()
	cf.Config.User = "www-data"
	stranger, err := mutate.ConfigFile(good, cf)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		img  v1.Image
		says string
	}{
		{"deleted", broken, "libz.so.1 (needed by "},
		{"stranger", stranger, "user www-data: www-data is not in the image's /etc/passwd"},
	} {
		tag, _ := name.NewTag(tc.name + ":1")
		if err := transport.WriteLayout(t.Context(), lay, tc.img, []name.Tag{tag}); err != nil {
			t.Fatal(err)
		}
		out, stderr, code := sp(nil, "verify", lay+":"+tc.name+":1")
		if code != 1 || !strings.Contains(out, tc.says) || !strings.Contains(stderr, "would not run") {
			t.Errorf("verify %s: exit %d, stdout %q, stderr %q; want exit 1 saying %q", tc.name, code, out, stderr, tc.says)
		}
	}
}

// listFiles lists an image's file paths, a line each.
func listFiles(t *testing.T, img v1.Image) string {
	t.Helper()
	ds, err := describe.All(context.Background(), img, nil)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, l := range ds[0].Layers {
		for _, f := range l.Files {
			paths = append(paths, f.Path)
		}
	}
	return strings.Join(paths, "\n")
}
