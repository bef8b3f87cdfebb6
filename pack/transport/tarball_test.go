package transport

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TestTarballIsGoContainerregistrys checks that the docker-archive written
// with its own tar headers and a kernel copy of each layer has the bytes
// go-containerregistry's tarball.Write gives the same image and tag, both
// into a file and into a stream.
func TestTarballIsGoContainerregistrys(t *testing.T) {
	img, err := random.Image(300<<10, 2)
	if err != nil {
		t.Fatal(err)
	}
	tag := name.MustParseReference("example.com/app:1.0").(name.Tag)
	var want bytes.Buffer
	if err := tarball.Write(tag, img, &want); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "app.tar")
	if err := WriteTarball(context.Background(), path, img, []name.Tag{tag}); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("file: %d bytes differ from tarball.Write's %d", len(got), want.Len())
	}
	var stream bytes.Buffer
	if err := tarballTo(context.Background(), &stream, img, []name.Tag{tag}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(stream.Bytes(), want.Bytes()) {
		t.Errorf("stream: %d bytes differ from tarball.Write's %d", stream.Len(), want.Len())
	}
}
