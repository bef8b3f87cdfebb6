package transport_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// TestTarballInPlace checks that a packed image's docker-archive is
// written around its layer where the blob lies (the output is a second
// name of the layer's file), that a second archive of the same layer is
// a copy with the same bytes, and that both load back as the image.
func TestTarballInPlace(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir) // the layer's file, on the outputs' file system
	ctx := context.Background()
	res, err := pack.Programs(ctx, []pack.Program{{Path: "../../testdata/elf/musl-static"}}, pack.PackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	tag := name.MustParseReference("example.com/hello:1.0").(name.Tag)
	first, second := filepath.Join(dir, "first.tar"), filepath.Join(dir, "second.tar")
	for _, p := range []string{first, second} {
		if err := transport.WriteTarball(ctx, p, res.Artifact, []name.Tag{tag}); err != nil {
			t.Fatal(err)
		}
	}
	links := func(p string) uint64 {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return uint64(fi.Sys().(*syscall.Stat_t).Nlink)
	}
	if n := links(first); n != 2 {
		t.Errorf("first.tar has %d names, want 2: the layer's file and itself", n)
	}
	if n := links(second); n != 1 {
		t.Errorf("second.tar has %d names, want 1: a copy", n)
	}
	a, _ := os.ReadFile(first)
	b, _ := os.ReadFile(second)
	if !bytes.Equal(a, b) {
		t.Errorf("the archive in place (%d bytes) and the copy (%d) differ", len(a), len(b))
	}
	// A docker-archive keeps the config and the layers; the manifest it
	// is read back with is Docker's, not the OCI one pushed.
	src := res.Images[0].Image
	wantCfg, _ := src.ConfigName()
	wantLayer, _ := res.Images[0].Layer.Digest()
	for _, p := range []string{first, second} {
		img, err := tarball.ImageFromPath(p, &tag)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigName()
		if err != nil || cfg != wantCfg {
			t.Errorf("%s: config %v (%v), want %v", p, cfg, err, wantCfg)
		}
		layers, err := img.Layers()
		if err != nil || len(layers) != 1 {
			t.Fatalf("%s: layers %v (%v)", p, layers, err)
		}
		if d, err := layers[0].Digest(); err != nil || d != wantLayer {
			t.Errorf("%s: layer %v (%v), want %v", p, d, err, wantLayer)
		}
		rc, err := layers[0].Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		_, err = io.Copy(h, rc)
		rc.Close()
		wantDiff, _ := res.Images[0].Layer.DiffID()
		if got := hex.EncodeToString(h.Sum(nil)); err != nil || got != wantDiff.Hex {
			t.Errorf("%s: layer's tar has sha256 %s (%v), want %s", p, got, err, wantDiff.Hex)
		}
	}
	res.Close()
	if n := links(first); n != 1 {
		t.Errorf("first.tar has %d names once the layer is closed, want 1", n)
	}
	if _, err := tarball.ImageFromPath(first, &tag); err != nil {
		t.Errorf("first.tar after the layer is closed: %v", err)
	}
}
