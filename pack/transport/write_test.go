package transport

import (
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/scratchpack/scratchpack/pack/attach"
)

// platformImage is a random image whose config says it is for
// linux/arch.
func platformImage(t *testing.T, arch string) v1.Image {
	t.Helper()
	img, err := random.Image(2048, 2)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Fatal(err)
	}
	return img
}

// validateArtifact runs go-containerregistry's validation on a.
func validateArtifact(t *testing.T, what string, a Artifact) {
	t.Helper()
	var err error
	switch a := a.(type) {
	case v1.ImageIndex:
		err = validate.Index(a)
	case v1.Image:
		err = validate.Image(a)
	}
	if err != nil {
		t.Errorf("%s: %v", what, err)
	}
}

// TestWriteEveryDestination writes an image, and an index of two, with
// an SBOM attached, to every destination at once: a tarball, a layout
// and a registry (go-containerregistry's, in-process), with the refs,
// metadata and a file beside them. Each reads back, through Open, as
// the artifact written, and validates; the attachment is the image's
// referrer in the registry and in the layout; the metadata names the
// digest and the tags.
func TestWriteEveryDestination(t *testing.T) {
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(s.Close)
	host := strings.TrimPrefix(s.URL, "http://")
	amd64, arm64 := platformImage(t, "amd64"), platformImage(t, "arm64")
	index := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: amd64, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm64, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	if err := validate.Index(index); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		a    Artifact
	}{{"image", amd64}, {"index", index}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tag, err := name.NewTag(host + "/me/" + tc.name + ":1")
			if err != nil {
				t.Fatal(err)
			}
			att, err := attach.New(amd64, "application/spdx+json", "app.spdx.json", []byte(`{"spdxVersion":"SPDX-2.3"}`))
			if err != nil {
				t.Fatal(err)
			}
			d := Destinations{
				Layout: filepath.Join(dir, "layout"), Push: true,
				ImageRefs: filepath.Join(dir, "refs"), MetadataFile: filepath.Join(dir, "meta.json"),
				Attachments: []v1.Image{att},
				Files:       []File{{Path: filepath.Join(dir, "sboms", "app.spdx.json"), Data: []byte("{}")}},
			}
			if tc.name == "image" {
				d.Tarball = filepath.Join(dir, "app.tar")
			}
			var logged []string
			if err := Write(t.Context(), tc.a, []name.Tag{tag}, d, Options{}, func(f string, a ...any) { logged = append(logged, f) }); err != nil {
				t.Fatal(err)
			}
			want, _ := tc.a.Digest()
			for _, src := range []string{d.Layout + ":" + tag.String(), d.Layout + ":1", "oci:" + d.Layout + "@" + want.String(), tag.String()} {
				back, err := Open(t.Context(), parseRef(t, src), Options{})
				if err != nil {
					t.Fatalf("Open(%s): %v", src, err)
				}
				if got, err := back.Digest(); err != nil || got != want {
					t.Errorf("Open(%s) = %v (%v), want %v", src, got, err, want)
				}
				validateArtifact(t, src, back)
				subject, _ := amd64.Digest()
				refs, err := Referrers(t.Context(), parseRef(t, src), subject, Options{})
				if err != nil || len(refs) != 1 {
					t.Errorf("Referrers(%s) = %d, %v; want the SBOM", src, len(refs), err)
				} else if typ, data, err := attach.Data(refs[0]); err != nil || typ != "application/spdx+json" || !strings.Contains(string(data), "SPDX-2.3") {
					t.Errorf("Referrers(%s): %q %q %v", src, typ, data, err)
				}
			}
			if d.Tarball != "" {
				img, err := tarball.ImageFromPath(d.Tarball, &tag)
				if err != nil {
					t.Fatal(err)
				}
				if err := validate.Image(img); err != nil {
					t.Errorf("the tarball: %v", err)
				}
				if _, err := Referrers(t.Context(), parseRef(t, d.Tarball), want, Options{}); err == nil || !strings.Contains(err.Error(), ErrNoReferrers.Error()) {
					t.Errorf("Referrers of a tarball = %v, want ErrNoReferrers", err)
				}
			}
			raw, err := os.ReadFile(d.MetadataFile)
			if err != nil {
				t.Fatal(err)
			}
			var m Metadata
			if err := json.Unmarshal(raw, &m); err != nil || m.Digest != want.String() || len(m.Tags) != 1 || m.Tags[0] != tag.String() {
				t.Errorf("metadata %s (%v), want %s under %s", raw, err, want, tag)
			}
			if refs, err := os.ReadFile(d.ImageRefs); err != nil || string(refs) != tag.String()+"@"+want.String()+"\n" {
				t.Errorf("image refs %q (%v)", refs, err)
			}
			if b, err := os.ReadFile(d.Files[0].Path); err != nil || string(b) != "{}" {
				t.Errorf("the file: %q %v", b, err)
			}
			if len(logged) == 0 {
				t.Error("nothing was logged")
			}
		})
	}
}

// TestOpenMissingIsErrNotFound: a registry without the tag and a layout
// without the entry answer ErrNotFound (how cosign's tags are found
// absent); a layout with several images and no name says which it has.
func TestOpenMissingIsErrNotFound(t *testing.T) {
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(s.Close)
	host := strings.TrimPrefix(s.URL, "http://")
	lay := filepath.Join(t.TempDir(), "layout")
	a, b := platformImage(t, "amd64"), platformImage(t, "arm64")
	ta, _ := name.NewTag(host + "/me/a:1")
	tb, _ := name.NewTag(host + "/me/b:1")
	for _, w := range []struct {
		img v1.Image
		tag name.Tag
	}{{a, ta}, {b, tb}} {
		if err := Write(t.Context(), w.img, []name.Tag{w.tag}, Destinations{Layout: lay, Push: true}, Options{}, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, src := range []string{host + "/me/a:2", lay + ":" + host + "/me/a:2", lay + "@sha256:" + strings.Repeat("0", 64)} {
		_, err := Open(t.Context(), parseRef(t, src), Options{})
		if !isNotFound(err) {
			t.Errorf("Open(%s) = %v, want ErrNotFound", src, err)
		}
	}
	if _, err := Open(t.Context(), parseRef(t, lay), Options{}); err == nil || isNotFound(err) || !strings.Contains(err.Error(), "/me/a:1") || !strings.Contains(err.Error(), "/me/b:1") {
		t.Errorf("Open of a layout of two = %v; want both names", err)
	}
	// Both images have the tag 1: by tag alone it names neither.
	if _, err := Open(t.Context(), parseRef(t, lay+":1"), Options{}); err == nil || !strings.Contains(err.Error(), "several images have the tag") {
		t.Errorf("Open of a tag two images have = %v", err)
	}
}
