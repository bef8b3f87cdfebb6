package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// rawIndex is an index manifest pushed as it is.
type rawIndex []byte

func (r rawIndex) RawManifest() ([]byte, error)        { return r, nil }
func (r rawIndex) MediaType() (types.MediaType, error) { return types.OCIImageIndex, nil }

// countingRegistry is an in-process registry that counts the manifests
// and blobs it is asked for, and calls onGet, when set, with each count.
type countingRegistry struct {
	host               string
	manifests, blobs   atomic.Int64
	onManifest, onBlob atomic.Value // func(int64)
}

func newCountingRegistry(t *testing.T) *countingRegistry {
	c := &countingRegistry{}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			switch {
			case strings.Contains(r.URL.Path, "/manifests/"):
				n := c.manifests.Add(1)
				if f, ok := c.onManifest.Load().(func(int64)); ok {
					f(n)
				}
			case strings.Contains(r.URL.Path, "/blobs/"):
				n := c.blobs.Add(1)
				if f, ok := c.onBlob.Load().(func(int64)); ok {
					f(n)
				}
			}
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	c.host = strings.TrimPrefix(s.URL, "http://")
	return c
}

// pushPlatformImage pushes an image whose config says os/arch and
// returns its descriptor.
func (c *countingRegistry) pushPlatformImage(t *testing.T, repo, os, arch string) v1.Descriptor {
	t.Helper()
	cf, _ := empty.Image.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = os, arch
	img, err := mutate.ConfigFile(empty.Image, cf)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	r, err := name.ParseReference(c.host + "/" + repo + "@" + d.String())
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	mt, _ := img.MediaType()
	sz, _ := img.Size()
	return v1.Descriptor{MediaType: mt, Digest: d, Size: sz}
}

// pushIndex pushes an index of descs as repo:tag.
func (c *countingRegistry) pushIndex(t *testing.T, repo string, descs []v1.Descriptor) string {
	t.Helper()
	raw, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: descs})
	if err != nil {
		t.Fatal(err)
	}
	ref := c.host + "/" + repo + ":index"
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(r, rawIndex(raw)); err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestSelectReadsOneConfig picks the last platform of a 3000-entry index
// (one entry with no platform in its descriptor on the way): the pick
// costs a bounded number of manifests and configs, not one per entry, and
// describing only that platform likewise.
func TestSelectReadsOneConfig(t *testing.T) {
	c := newCountingRegistry(t)
	other := c.pushPlatformImage(t, "many", "linux", "arm64")
	want := c.pushPlatformImage(t, "many", "linux", "amd64")
	var descs []v1.Descriptor
	for i := range 3000 {
		d := other
		d.Platform = &v1.Platform{OS: "linux", Architecture: fmt.Sprintf("arch%d", i)}
		descs = append(descs, d)
	}
	descs[1500].Platform = nil // its config is read, and says arm64
	w := want
	w.Platform = &v1.Platform{OS: "linux", Architecture: "amd64"}
	ref := c.pushIndex(t, "many", append(descs, w))

	amd64 := v1.Platform{OS: "linux", Architecture: "amd64"}
	for _, tc := range []struct {
		name string
		pick func(Artifact) (v1.Hash, error)
	}{
		{"select", func(a Artifact) (v1.Hash, error) {
			img, err := Select(t.Context(), a, amd64)
			if err != nil {
				return v1.Hash{}, err
			}
			return img.Digest()
		}},
		{"describe", func(a Artifact) (v1.Hash, error) {
			imgs, err := Pick(t.Context(), a, &amd64)
			if err != nil {
				return v1.Hash{}, err
			}
			if err := readAll(t.Context(), a, &amd64); err != nil {
				return v1.Hash{}, err
			}
			return imgs[0].Digest()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Open(t.Context(), parseRef(t, ref), Options{})
			if err != nil {
				t.Fatal(err)
			}
			m0, b0 := c.manifests.Load(), c.blobs.Load()
			got, err := tc.pick(a)
			if err != nil {
				t.Fatal(err)
			}
			if got != want.Digest {
				t.Errorf("picked %s, want %s", got, want.Digest)
			}
			if m, b := c.manifests.Load()-m0, c.blobs.Load()-b0; m > 4 || b > 8 {
				t.Errorf("the pick asked for %d manifests and %d blobs; want a few, not one per entry", m, b)
			}
		})
	}
}

// TestSelectHonoursCancel cancels a pick, and a description of every
// image, of a 3000-entry index whose descriptors name no platform, after
// ten requests: it stops there with the context's error.
func TestSelectHonoursCancel(t *testing.T) {
	c := newCountingRegistry(t)
	img := c.pushPlatformImage(t, "noplat", "linux", "arm64")
	descs := make([]v1.Descriptor, 3000)
	for i := range descs {
		descs[i] = img
	}
	ref := c.pushIndex(t, "noplat", descs)
	for _, tc := range []struct {
		name    string
		counter *atomic.Int64
		hook    *atomic.Value
		do      func(context.Context, Artifact) error
	}{
		{"select", &c.blobs, &c.onBlob, func(ctx context.Context, a Artifact) error {
			_, err := Select(ctx, a, v1.Platform{OS: "linux", Architecture: "amd64"})
			return err
		}},
		{"describe", &c.manifests, &c.onManifest, func(ctx context.Context, a Artifact) error {
			return readAll(ctx, a, nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			a, err := Open(ctx, parseRef(t, ref), Options{})
			if err != nil {
				t.Fatal(err)
			}
			n0 := tc.counter.Load()
			tc.hook.Store(func(n int64) {
				if n-n0 == 10 {
					cancel()
				}
			})
			defer tc.hook.Store(func(int64) {})
			err = tc.do(ctx, a)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("got %v, want the context's error", err)
			}
			if n := tc.counter.Load() - n0; n > 12 {
				t.Errorf("%d requests were made, 10 of them after the cancel", n)
			}
		})
	}
}
