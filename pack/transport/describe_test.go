package transport

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func tarWith(t *testing.T, name, body string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}); err != nil {
		t.Fatal(err)
	}
	io.WriteString(tw, body)
	tw.Close()
	return b.Bytes()
}

// lyingLayer reports the digest and diff_id of honest but serves other.
type lyingLayer struct {
	v1.Layer
	other []byte
}

func (l lyingLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.other)), nil
}

// inspect lists a layer only when its bytes are the ones the manifest
// names: a layer that serves other bytes is an error, not a listing of the
// other bytes under the honest digest.
func TestDescribeRefusesUnverifiedLayer(t *testing.T) {
	honest := tarWith(t, "bin/app", "good")
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(honest)), nil })
	if err != nil {
		t.Fatal(err)
	}
	other := tarWith(t, "bin/evil", "evil")
	img, err := mutate.AppendLayers(empty.Image, lyingLayer{l, other})
	if err != nil {
		t.Fatal(err)
	}
	d, err := Describe(context.Background(), img)
	if err == nil {
		t.Fatalf("described %+v; want an error", d.Layers)
	}
	dg, _ := l.Digest()
	if msg := err.Error(); !strings.Contains(msg, "layer "+dg.String()+": ") || !strings.Contains(msg, "the manifest") || strings.Contains(msg, "\n") {
		t.Fatalf("error %q, want one line naming the layer and what did not match the manifest", msg)
	}

	good, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	d, err = Describe(context.Background(), good)
	if err != nil || len(d.Layers) != 1 || len(d.Layers[0].Files) != 1 || d.Layers[0].Files[0].Path != "/bin/app" {
		t.Fatalf("honest layer: %+v, %v", d, err)
	}
}
