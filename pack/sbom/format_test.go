package sbom

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// ParseFormat takes exactly the three names the --sbom flag documents.
func TestParseFormat(t *testing.T) {
	for _, s := range []string{"spdx", "cyclonedx", "none"} {
		if f, err := ParseFormat(s); err != nil || string(f) != s {
			t.Errorf("ParseFormat(%q) = %q, %v", s, f, err)
		}
	}
	for _, s := range []string{"", "SPDX", "spdx-json", "cdx", "json"} {
		if f, err := ParseFormat(s); err == nil {
			t.Errorf("ParseFormat(%q) = %q, want an error", s, f)
		}
	}
}

// Each format writes a document its own schema accepts, under the media
// type and file name extension that name it; None writes nothing.
func TestFormatWrite(t *testing.T) {
	for _, c := range []struct {
		f         Format
		mediaType string
		ext       string
		validate  func([]byte) error
		field     string // a field only this format's documents have
	}{
		{SPDX, "application/spdx+json", ".spdx.json", func(b []byte) error { return testtool.ValidateSPDX(t, b) }, "spdxVersion"},
		{CycloneDX, "application/vnd.cyclonedx+json", ".cdx.json", func(b []byte) error { return testtool.ValidateCycloneDX(t, b, "1.5") }, "bomFormat"},
	} {
		if c.f.MediaType() != c.mediaType || c.f.Ext() != c.ext {
			t.Errorf("%s: media type %q, extension %q; want %q, %q", c.f, c.f.MediaType(), c.f.Ext(), c.mediaType, c.ext)
		}
		var b bytes.Buffer
		if err := c.f.Write(&b, sample()); err != nil {
			t.Fatalf("%s: %v", c.f, err)
		}
		if err := c.validate(b.Bytes()); err != nil {
			t.Errorf("%s: the document is not valid: %v", c.f, err)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(b.Bytes(), &fields); err != nil || fields[c.field] == nil {
			t.Errorf("%s: no %q in the document (%v)", c.f, c.field, err)
		}
	}
	var b bytes.Buffer
	if err := None.Write(&b, sample()); err == nil || b.Len() != 0 {
		t.Errorf("None.Write: error %v, %d bytes written; want an error and nothing", err, b.Len())
	}
}

// platformIndex is an index of a random image for each platform,
// checked with go-containerregistry's validate.
func platformIndex(t *testing.T, plats ...v1.Platform) v1.ImageIndex {
	t.Helper()
	var adds []mutate.IndexAddendum
	for _, p := range plats {
		img, err := random.Image(256, 1)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
		if img, err = mutate.ConfigFile(img, cf); err != nil {
			t.Fatal(err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	idx := mutate.AppendManifests(empty.Index, adds...)
	if err := validate.Index(idx); err != nil {
		t.Fatalf("the test's index is not valid: %v", err)
	}
	return idx
}

// An index's SPDX document is valid SPDX 2.3 and describes the index
// and the image of each platform, each its VARIANT_OF, with the purls and
// checksums of their real digests, in the index's order.
func TestSPDXIndex(t *testing.T) {
	idx := platformIndex(t, v1.Platform{OS: "linux", Architecture: "amd64"}, v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"})
	digest, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	mt, _ := idx.MediaType()
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	in := &Index{Name: "ghcr.io/me/app", Digest: digest, MediaType: string(mt), Manifests: im.Manifests, Created: time.Unix(1700000000, 0), Tool: "scratchpack-v1.0.0"}
	var b bytes.Buffer
	if err := WriteSPDXIndex(&b, in); err != nil {
		t.Fatal(err)
	}
	if err := testtool.ValidateSPDX(t, b.Bytes()); err != nil {
		t.Errorf("not valid SPDX 2.3: %v", err)
	}
	var d spdxDoc
	if err := json.Unmarshal(b.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	id := func(h v1.Hash) string { return "SPDXRef-Package-sha256-" + h.Hex }
	if len(d.DocumentDescribes) != 1 || d.DocumentDescribes[0] != id(digest) {
		t.Errorf("describes %v, want the index %s", d.DocumentDescribes, id(digest))
	}
	if len(d.Packages) != 1+len(im.Manifests) {
		t.Fatalf("%d packages, want the index and %d images", len(d.Packages), len(im.Manifests))
	}
	wantPURLs := []string{
		"pkg:oci/app@" + digest.String() + "?mediaType=" + url.QueryEscape(string(mt)),
		"pkg:oci/app@" + im.Manifests[0].Digest.String() + "?arch=amd64&mediaType=" + url.QueryEscape(string(im.Manifests[0].MediaType)) + "&os=linux",
		"pkg:oci/app@" + im.Manifests[1].Digest.String() + "?arch=arm&mediaType=" + url.QueryEscape(string(im.Manifests[1].MediaType)) + "&os=linux&variant=v7",
	}
	hashes := []v1.Hash{digest, im.Manifests[0].Digest, im.Manifests[1].Digest}
	for i, p := range d.Packages {
		if p.SPDXID != id(hashes[i]) || p.Name != hashes[i].String() {
			t.Errorf("package %d: %s %s, want %s", i, p.SPDXID, p.Name, hashes[i])
		}
		if len(p.ExternalRefs) != 1 || p.ExternalRefs[0].ReferenceLocator != wantPURLs[i] {
			t.Errorf("package %d: refs %+v, want purl %s", i, p.ExternalRefs, wantPURLs[i])
		}
		if len(p.Checksums) != 1 || p.Checksums[0].Algorithm != "SHA256" || p.Checksums[0].ChecksumValue != hashes[i].Hex {
			t.Errorf("package %d: checksums %+v, want SHA256 %s", i, p.Checksums, hashes[i].Hex)
		}
	}
	if v := d.Packages[2].VersionInfo; v != "linux/arm/v7" {
		t.Errorf("the arm image's version %q, want its platform linux/arm/v7", v)
	}
	if len(d.Relationships) != len(im.Manifests) {
		t.Fatalf("relationships %+v, want one for each image", d.Relationships)
	}
	for i, r := range d.Relationships {
		if r.Element != id(digest) || r.Type != "VARIANT_OF" || r.Related != id(im.Manifests[i].Digest) {
			t.Errorf("relationship %d: %+v, want the index VARIANT_OF image %d", i, r, i)
		}
	}
	var again bytes.Buffer
	if err := WriteSPDXIndex(&again, in); err != nil || !bytes.Equal(again.Bytes(), b.Bytes()) {
		t.Error("the same index gave two different documents")
	}
}
