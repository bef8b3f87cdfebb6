package describe

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/pack/internal/tarbound"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
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
	d, err := Image(context.Background(), img)
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
	d, err = Image(context.Background(), good)
	if err != nil || len(d.Layers) != 1 || len(d.Layers[0].Files) != 1 || d.Layers[0].Files[0].Path != "/bin/app" {
		t.Fatalf("honest layer: %+v, %v", d, err)
	}
}

// inspect's listing is bounded as imagefs's tree is, by the same counter:
// a name longer than Linux allows, too many entries, too many bytes of
// names, and a sparse entry are each one line naming the entry or the
// bound, read no further.
func TestDescribeBounded(t *testing.T) {
	layerOf := func(names ...string) v1.Layer {
		var b bytes.Buffer
		tw := tar.NewWriter(&b)
		for _, n := range names {
			if err := tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o644}); err != nil {
				t.Fatal(err)
			}
		}
		tw.Close()
		data := b.Bytes()
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	describe := func(count *tarbound.Counter, layers ...v1.Layer) error {
		img, err := mutate.AppendLayers(empty.Image, layers...)
		if err != nil {
			t.Fatal(err)
		}
		_, err = describe(context.Background(), img, count)
		return err
	}
	long := strings.Repeat("n", 800<<10) // a PAX name of 800 KB
	many := make([]string, 20)
	for i := range many {
		many[i] = fmt.Sprintf("f%02d", i)
	}
	small := func() *tarbound.Counter { c := tarbound.New(); c.MaxEntries, c.MaxHeaderBytes = 25, 100; return c }
	for _, c := range []struct {
		name   string
		count  *tarbound.Counter
		layers []v1.Layer
		want   string
	}{
		{"long name", tarbound.New(), []v1.Layer{layerOf("ok", long)}, "is 819200 bytes long, longer than Linux's 4095 (PATH_MAX)"},
		{"long component", tarbound.New(), []v1.Layer{layerOf(strings.Repeat("c", 256) + "/x")}, "has a 256-byte component, longer than Linux's 255 (NAME_MAX)"},
		{"entries over the layers", small(), []v1.Layer{layerOf(many[:10]...), layerOf(many...)}, "more than 25 entries, the bound imagefs.MaxEntries"},
		{"header bytes", small(), []v1.Layer{layerOf(strings.Repeat("a", 60), strings.Repeat("b", 60))}, "more than 100 bytes, the bound imagefs.MaxHeaderBytes"},
	} {
		err := describe(c.count, c.layers...)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") || len(err.Error()) > 1000 {
			t.Errorf("%s: error %.300v, want one short line with %q", c.name, err, c.want)
		}
	}
	if err := describe(tarbound.New(), layerOf(many...)); err != nil {
		t.Errorf("within the bounds: %v", err)
	}
	// The same counter bounds every image of an index.
	count := small()
	if err := describe(count, layerOf(many...)); err != nil {
		t.Fatal(err)
	}
	if err := describe(count, layerOf(many...)); err == nil || !strings.Contains(err.Error(), "imagefs.MaxEntries") {
		t.Errorf("second image: error %v, want the entry bound", err)
	}
}

// TestDescribeTarballLayers: a docker-archive's image (read as a Local
// image, uncompressed, by diff_id) lists each layer by its diff_id, with
// no stored size it does not know, rather than an empty digest and 0 B.
func TestDescribeTarballLayers(t *testing.T) {
	img, err := mutate.AppendLayers(empty.Image, static.NewLayer(tarWith(t, "bin/app", "good"), types.DockerLayer))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "app.tar")
	tag, _ := name.NewTag("app:1")
	if err := tarball.WriteToFile(file, tag, img); err != nil {
		t.Fatal(err)
	}
	back, err := tarball.ImageFromPath(file, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Image(t.Context(), verified.Local(back))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := d.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	diffID := cf.RootFS.DiffIDs[0].String()
	if len(d.Layers) != 1 || d.Layers[0].Digest != "" || d.Layers[0].DiffID != diffID ||
		!strings.Contains(b.String(), "  layer diff_id "+diffID+" (") || strings.Contains(b.String(), "layer :") || strings.Contains(b.String(), " 0 B") {
		t.Errorf("described %+v as:\n%s\nwant the layer by its diff_id %s", d.Layers, b.String(), diffID)
	}
}
