package transport

import (
	"archive/tar"
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// oneFileLayer is a layer of one file, written with archive/tar.
func oneFileLayer(t *testing.T, name, body string) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	io.WriteString(tw, body)
	tw.Close()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestForeignURLsAreNeverFetched pushes an image whose layer descriptor
// names urls on the registry's own host, then has the registry answer
// 404 for that layer (and for the config, whose descriptor names urls
// too): reading the image's layers by every route go-containerregistry
// offers fails naming the layer, in one line, and no url is ever asked
// for, as go-containerregistry would do on its own.
func TestForeignURLsAreNeverFetched(t *testing.T) {
	var foreign, gone atomic.Int64
	var hide atomic.Value // a digest the registry answers 404 for
	hide.Store("-")
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/evil/") {
			foreign.Add(1)
			http.Error(w, "evil", http.StatusOK)
			return
		}
		if strings.HasSuffix(r.URL.Path, "/blobs/"+hide.Load().(string)) {
			gone.Add(1)
			http.NotFound(w, r)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	host := strings.TrimPrefix(s.URL, "http://")
	l := oneFileLayer(t, "bin/hello", "hello")
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: l, URLs: []string{strings.Replace(s.URL, "127.0.0.1", "localhost", 1) + "/evil/layer.tgz"}}) // go-containerregistry refuses 127.0.0.1, not its name
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(host + "/foreign:latest")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	ld, _ := l.Digest()
	hide.Store(ld.String())

	a, err := Open(t.Context(), parseRef(t, ref.String()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := a.(v1.Image)
	ls, err := verified.Layers(got)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ls[0].Open(t.Context())
	if err == nil {
		_, err = io.Copy(io.Discard, r)
		r.Close()
	}
	if err == nil || !strings.Contains(err.Error(), ld.String()) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("reading the hidden layer: %v; want one line naming %s", err, ld)
	}
	for _, read := range []func() (v1.Layer, error){
		func() (v1.Layer, error) { return got.LayerByDigest(ld) },
		func() (v1.Layer, error) {
			id, _ := l.DiffID()
			return got.LayerByDiffID(id)
		},
		func() (v1.Layer, error) { ls, err := got.Layers(); return ls[0], err },
	} {
		l, err := read()
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := partial.Descriptor(l); d != nil && len(d.URLs) > 0 {
			t.Errorf("the layer's descriptor keeps its urls %q", d.URLs)
		}
		if rc, err := l.Compressed(); err == nil {
			io.Copy(io.Discard, rc)
			rc.Close()
			t.Error("the hidden layer was read")
		}
	}
	if n := foreign.Load(); n != 0 {
		t.Errorf("the foreign url was fetched %d times", n)
	}
	if gone.Load() == 0 {
		t.Error("the registry was never asked for the layer: the test proves nothing")
	}
}
