package sbom

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/pack/attach"
	"github.com/scratchpack/scratchpack/pack/imageref"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// parseRef parses s, a reference the test made.
func parseRef(t *testing.T, s string) imageref.Reference {
	t.Helper()
	r, err := imageref.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// cosignImage is what cosign attach sbom (and ko) push to the
// sha256-HEX.sbom tag: an image whose one layer is the document.
func cosignImage(t *testing.T, doc []byte, mt types.MediaType) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), static.NewLayer(doc, mt))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestReadFindsCosignSBOM reads the SBOM of an image that carries it
// cosign's way, as ko attaches it, from a registry and from a layout,
// and says so; one with an OCI 1.1 referrer as well gets the referrer's;
// one with neither has none.
func TestReadFindsCosignSBOM(t *testing.T) {
	ctx := context.Background()
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer s.Close()
	host := strings.TrimPrefix(s.URL, "http://")
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.NewTag(host + "/ko/app:1")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(ctx, parseRef(t, ref.String()), nil, transport.Options{}); !errors.Is(err, ErrNone) {
		t.Fatalf("an image with no SBOM: %v, want ErrNone", err)
	}
	koDoc := []byte(`{"spdxVersion":"SPDX-2.3","name":"ko"}`)
	tag := ref.Context().Tag(attach.CosignTag(d, "sbom"))
	if !strings.HasSuffix(tag.String(), "/ko/app:sha256-"+d.Hex+".sbom") {
		t.Fatalf("cosign's tag %s", tag)
	}
	if err := remote.Write(tag, cosignImage(t, koDoc, "text/spdx+json")); err != nil {
		t.Fatal(err)
	}
	docs, err := Read(ctx, parseRef(t, ref.String()), nil, transport.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || string(docs[0].Data) != string(koDoc) || docs[0].MediaType != "text/spdx+json" || !strings.Contains(docs[0].From, "cosign") || !strings.Contains(docs[0].From, tag.String()) {
		t.Errorf("read %+v from a registry, want ko's document from %s", docs, tag)
	}

	// Both ways: the OCI 1.1 referrer is printed, and named.
	ours := []byte(`{"spdxVersion":"SPDX-2.3","name":"scratchpack"}`)
	att, err := attach.New(img, MediaTypeSPDX, "app.spdx.json", ours)
	if err != nil {
		t.Fatal(err)
	}
	ad, err := att.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref.Context().Digest(ad.String()), att); err != nil {
		t.Fatal(err)
	}
	if docs, err = Read(ctx, parseRef(t, ref.String()), nil, transport.Options{}); err != nil || len(docs) != 1 || string(docs[0].Data) != string(ours) || !strings.Contains(docs[0].From, "OCI 1.1 referrer") {
		t.Errorf("read %+v, %v; want the referrer's document", docs, err)
	}

	// A layout holding the image and cosign's tag, as crane pull or
	// skopeo copy of both writes it.
	dir := filepath.Join(t.TempDir(), "layout")
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{transport.AnnotationRefName: "app:1"})); err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(cosignImage(t, koDoc, "text/spdx+json"), layout.WithAnnotations(map[string]string{transport.AnnotationRefName: "app:sha256-" + d.Hex + ".sbom"})); err != nil {
		t.Fatal(err)
	}
	docs, err = Read(ctx, parseRef(t, dir+":app:1"), nil, transport.Options{})
	if err != nil || len(docs) != 1 || string(docs[0].Data) != string(koDoc) || !strings.Contains(docs[0].From, "cosign") {
		t.Errorf("read %+v, %v from a layout; want ko's document", docs, err)
	}
	// With one image and cosign's entry beside it, the layout's image
	// is still its only one.
	if docs, err = Read(ctx, parseRef(t, dir), nil, transport.Options{}); err != nil || len(docs) != 1 {
		t.Errorf("read %+v, %v from a layout named without its image", docs, err)
	}
}
