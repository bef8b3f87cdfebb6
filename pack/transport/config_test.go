package transport

import (
	"io"
	"log"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// TestHugeConfigIsRefusedUnread pushes an image whose config is larger
// than verified.MaxConfigSize to a registry: inspect's Describe, the platform
// pick of an index and --raw config refuse it, naming the bound, having
// read next to nothing; a config under the bound is read.
func TestHugeConfigIsRefusedUnread(t *testing.T) {
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(s.Close)
	reg := strings.TrimPrefix(s.URL, "http://")
	push := func(tag string, label int) {
		cf, err := empty.Image.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture = "linux", "amd64"
		cf.Config.Labels = map[string]string{"big": strings.Repeat("x", label)}
		img, err := mutate.ConfigFile(empty.Image, cf)
		if err != nil {
			t.Fatal(err)
		}
		ref, _ := name.ParseReference(reg + "/big:" + tag)
		if err := remote.Write(ref, img); err != nil {
			t.Fatal(err)
		}
		idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}})
		iref, _ := name.ParseReference(reg + "/big:" + tag + "-index")
		if err := remote.WriteIndex(iref, idx); err != nil {
			t.Fatal(err)
		}
	}
	push("huge", verified.MaxConfigSize+1)
	push("small", 1000)
	for _, tc := range []struct {
		name string
		do   func(a Artifact) error
	}{
		{"describe", func(a Artifact) error { return readAll(t.Context(), a, nil) }},
		{"select", func(a Artifact) error {
			_, err := Select(t.Context(), a, v1.Platform{OS: "linux", Architecture: "amd64"})
			return err
		}},
		{"raw", func(a Artifact) error {
			_, err := Raw(t.Context(), a, &v1.Platform{OS: "linux", Architecture: "amd64"}, "config")
			return err
		}},
	} {
		for _, tag := range []string{"huge", "huge-index", "small", "small-index"} {
			if tc.name == "select" && !strings.HasSuffix(tag, "index") {
				continue
			}
			a, err := Open(t.Context(), parseRef(t, reg+"/big:"+tag), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err = tc.do(a)
			runtime.ReadMemStats(&after)
			if strings.HasPrefix(tag, "small") {
				if err != nil {
					t.Errorf("%s %s: %v", tc.name, tag, err)
				}
				continue
			}
			if err == nil || !strings.Contains(err.Error(), "verified.MaxConfigSize") {
				t.Errorf("%s %s: %v, want the config refused, naming verified.MaxConfigSize", tc.name, tag, err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
				t.Errorf("%s %s: refusing a %d MiB config allocated %d MiB", tc.name, tag, verified.MaxConfigSize>>20, alloc>>20)
			}
		}
	}
}
