package transport

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/scratchpack/scratchpack/pack/attach"
)

// TestLayoutEntriesNamePlatforms writes an arm64 image and its SBOM to a
// layout: the image's index.json entry has the platform its config says
// (readers such as syft scan oci-dir: choose an image by it), the SBOM's
// referrers index has none, and the SBOM's layer is titled with its file
// name.
func TestLayoutEntriesNamePlatforms(t *testing.T) {
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf.OS, cf.Architecture, cf.Variant = "linux", "arm64", "v8"
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	att, err := attach.New(img, "application/spdx+json", "app-linux-arm64-v8.spdx.json", []byte(`{"spdxVersion":"SPDX-2.3"}`))
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag("app:1", name.WeakValidation)
	atts, err := attachmentEntries([]v1.Image{att}, []name.Tag{tag})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	s, err := stageLayout(context.Background(), dir, append([]layoutEntry{{img, []name.Tag{tag}}}, atts...))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.commit(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	if len(idx.Manifests) != 2 {
		t.Fatalf("index.json has %d entries, want the image and its SBOM index:\n%s", len(idx.Manifests), raw)
	}
	for _, d := range idx.Manifests {
		switch {
		case d.MediaType.IsImage():
			if p := d.Platform; p == nil || p.OS != "linux" || p.Architecture != "arm64" || p.Variant != "v8" {
				t.Errorf("the image's entry has platform %v, want linux/arm64/v8:\n%s", p, raw)
			}
		case d.Platform != nil:
			t.Errorf("the SBOM index's entry has platform %v: it is no image", d.Platform)
		}
	}
	m, err := att.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Layers[0].Annotations[attach.AnnotationTitle]; got != "app-linux-arm64-v8.spdx.json" {
		t.Errorf("the SBOM layer's title %q", got)
	}
}
