package attach

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// TestDataChecksTheBlob writes an SBOM attachment to a layout
// and reads it back: intact, it is returned; its blob file replaced by
// other bytes of the same length, cut short or grown, or its manifest
// claiming a blob over MaxSize, it is an error naming the
// blob (and the bound), never other bytes.
func TestDataChecksTheBlob(t *testing.T) {
	const sbom = `{"spdxVersion":"SPDX-2.3"}`
	for _, tc := range []struct {
		name string
		blob func([]byte) []byte // nil: intact
		size int64               // the manifest's claim; 0: the true size
		want string
	}{
		{"intact", nil, 0, ""},
		{"replaced", func(b []byte) []byte { return []byte(strings.Replace(string(b), "2.3", "6.6", 1)) }, 0, "not to the digest that names it"},
		{"short", func(b []byte) []byte { return b[:4] }, 0, "not the 26 bytes its manifest says"},
		{"long", func(b []byte) []byte { return append(b, "and more"...) }, 0, "not the 26 bytes its manifest says"},
		{"over the bound", nil, MaxSize + 1, "attach.MaxSize"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			att, err := New(empty.Image, "application/spdx+json", "app.spdx.json", []byte(sbom))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			lp, err := layout.Write(dir, empty.Index)
			if err != nil {
				t.Fatal(err)
			}
			if err := lp.AppendImage(att); err != nil {
				t.Fatal(err)
			}
			m, _ := att.Manifest()
			if tc.blob != nil {
				p := filepath.Join(dir, "blobs", "sha256", m.Layers[0].Digest.Hex)
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, tc.blob(b), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			ii, err := layout.ImageIndexFromPath(dir)
			if err != nil {
				t.Fatal(err)
			}
			ad, _ := att.Digest()
			img, err := ii.Image(ad)
			if err != nil {
				t.Fatal(err)
			}
			if tc.size != 0 {
				img = &claimSize{Image: img, size: tc.size}
			}
			typ, data, err := Data(img)
			if tc.want == "" {
				if err != nil || typ != "application/spdx+json" || string(data) != sbom {
					t.Fatalf("got %q %q %v, want the SBOM", typ, data, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), m.Layers[0].Digest.String()) {
				t.Fatalf("got %q, %v; want an error naming the blob and %q", data, err, tc.want)
			}
		})
	}
}

// claimSize is an attachment whose manifest claims its blob is size
// bytes.
type claimSize struct {
	v1.Image
	size int64
}

func (c *claimSize) Manifest() (*v1.Manifest, error) {
	m, err := c.Image.Manifest()
	if err != nil {
		return nil, err
	}
	m = m.DeepCopy()
	m.Layers[0].Size = c.size
	return m, nil
}

// TestNew: an attachment is an OCI 1.1 artifact go-containerregistry
// validates, whose subject is the image, whose one blob is the data,
// titled, and cosign's tag for it is sha256-HEX.SUFFIX.
func TestNew(t *testing.T) {
	subject := empty.Image
	att, err := New(subject, "application/spdx+json", "app.spdx.json", []byte(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(att); err != nil {
		t.Fatal(err)
	}
	m, err := att.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	sd, _ := subject.Digest()
	if m.Subject == nil || m.Subject.Digest != sd || m.ArtifactType != "application/spdx+json" || len(m.Layers) != 1 ||
		m.Layers[0].Annotations[AnnotationTitle] != "app.spdx.json" || m.Config.MediaType != "application/vnd.oci.empty.v1+json" {
		t.Errorf("manifest %+v", m)
	}
	if typ, data, err := Data(att); err != nil || typ != "application/spdx+json" || string(data) != "{}" {
		t.Errorf("Data = %q %q %v", typ, data, err)
	}
	if got := CosignTag(sd, "sbom"); got != "sha256-"+sd.Hex+".sbom" {
		t.Errorf("CosignTag = %q", got)
	}
}
