package transport

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// checkTarball checks that the docker-archive at path holds img under
// tag, as go-containerregistry reads it back, and has the bytes of the
// same archive written to a stream.
func checkTarball(t *testing.T, path string, img v1.Image, tag name.Tag) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var stream bytes.Buffer
	if err := tarballTo(context.Background(), &stream, img, []name.Tag{tag}, false); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, stream.Bytes()) {
		t.Errorf("%s: %d bytes differ from the %d written to a stream", path, len(got), stream.Len())
	}
	back, err := tarball.ImageFromPath(path, &tag)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	if d, err := back.Digest(); err != nil || d != want {
		t.Errorf("%s: read back as %v (%v), want %v", path, d, err, want)
	}
	layers, err := back.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		rc, err := l.Compressed()
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
}

// TestTarball checks a docker-archive of an image whose layers are copied
// into it.
func TestTarball(t *testing.T) {
	img, err := random.Image(300<<10, 2)
	if err != nil {
		t.Fatal(err)
	}
	tag := name.MustParseReference("example.com/app:1.0").(name.Tag)
	path := filepath.Join(t.TempDir(), "app.tar")
	if err := WriteTarball(context.Background(), path, img, []name.Tag{tag}); err != nil {
		t.Fatal(err)
	}
	checkTarball(t, path, img, tag)
}
