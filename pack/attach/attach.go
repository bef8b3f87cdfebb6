package attach

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// emptyConfig is the OCI 1.1 empty descriptor's content, the config of an
// artifact that has none.
var emptyConfig = []byte("{}")

const mediaTypeEmpty types.MediaType = "application/vnd.oci.empty.v1+json"

// AnnotationTitle names a layer's file, as oras pull writes it.
const AnnotationTitle = "org.opencontainers.image.title"

// New returns an OCI 1.1 artifact that refers to a subject image: an
// image manifest whose artifactType is artifactType, whose config is the
// empty descriptor, whose one layer is data (of that media type) named
// title (the org.opencontainers.image.title annotation, the file name
// oras pull writes it to), and whose subject is the image. Pushed, a registry lists it among the
// subject's referrers (or, without the referrers API, the push keeps the
// sha256-HEX fallback tag's index up to date).
func New(subject v1.Image, artifactType, title string, data []byte) (v1.Image, error) {
	sd, err := partial.Descriptor(subject)
	if err != nil {
		return nil, err
	}
	blob := static.NewLayer(data, types.MediaType(artifactType))
	bd, err := blob.Digest()
	if err != nil {
		return nil, err
	}
	cd, _, _ := v1.SHA256(bytes.NewReader(emptyConfig))
	m := v1.Manifest{
		SchemaVersion: 2, MediaType: types.OCIManifestSchema1, ArtifactType: artifactType,
		Config: v1.Descriptor{MediaType: mediaTypeEmpty, Digest: cd, Size: int64(len(emptyConfig)), Data: emptyConfig},
		Layers: []v1.Descriptor{{MediaType: types.MediaType(artifactType), Digest: bd, Size: int64(len(data)),
			Annotations: map[string]string{AnnotationTitle: title}}},
		Subject: &v1.Descriptor{MediaType: sd.MediaType, Digest: sd.Digest, Size: sd.Size},
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(&artifact{raw: raw, blob: blob})
}

// artifact is the core of an attachment, for partial.CompressedToImage.
type artifact struct {
	raw  []byte
	blob v1.Layer
}

func (a *artifact) RawConfigFile() ([]byte, error)      { return emptyConfig, nil }
func (a *artifact) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
func (a *artifact) RawManifest() ([]byte, error)        { return a.raw, nil }

func (a *artifact) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if d, _ := a.blob.Digest(); d == h {
		return a.blob, nil
	}
	if cd, _, _ := v1.SHA256(bytes.NewReader(emptyConfig)); cd == h {
		return static.NewLayer(emptyConfig, mediaTypeEmpty), nil
	}
	return nil, fmt.Errorf("artifact has no blob %s", h)
}

// MaxSize bounds the blob of an attachment (an SBOM) that is
// read into memory: an SBOM of a large image is a few MiB.
const MaxSize = 256 << 20

// Data returns an attachment's artifact type and its one
// layer's bytes, once they are as long as the manifest says and hash to
// the digest it names; a blob over MaxSize is an error.
func Data(att v1.Image) (string, []byte, error) {
	m, err := att.Manifest()
	if err != nil {
		return "", nil, err
	}
	if len(m.Layers) != 1 {
		return "", nil, fmt.Errorf("attachment has %d blobs, not 1", len(m.Layers))
	}
	b, err := blobData(att, m.Layers[0])
	return m.ArtifactType, b, err
}

// blobData reads the blob of one of img's layers whole, once it is as
// long as its descriptor says and hashes to its digest; a blob over
// MaxSize is an error.
func blobData(img v1.Image, d v1.Descriptor) ([]byte, error) {
	if d.Digest.Algorithm != "sha256" {
		return nil, fmt.Errorf("attachment blob %s: digest algorithm %q is not supported", d.Digest, d.Digest.Algorithm)
	}
	if d.Size > MaxSize || d.Size < 0 {
		return nil, fmt.Errorf("attachment blob %s: its manifest says it is %d bytes, more than the %d MiB bound attach.MaxSize", d.Digest, d.Size, MaxSize>>20)
	}
	l, err := img.LayerByDigest(d.Digest)
	if err != nil {
		return nil, err
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, d.Size+1))
	if err != nil {
		return nil, fmt.Errorf("attachment blob %s: %w", d.Digest, err)
	}
	if int64(len(b)) != d.Size {
		return nil, fmt.Errorf("attachment blob %s: it is not the %d bytes its manifest says", d.Digest, d.Size)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != d.Digest.Hex {
		return nil, fmt.Errorf("attachment blob %s: its bytes hash to sha256:%s, not to the digest that names it", d.Digest, hex.EncodeToString(sum[:]))
	}
	return b, nil
}

// CosignTag is the tag cosign attaches to subject with suffix (sbom,
// sig, att): sha256-HEX.SUFFIX, where ko puts the SBOM of what it
// builds, in the subject's repository.
func CosignTag(subject v1.Hash, suffix string) string {
	return subject.Algorithm + "-" + subject.Hex + "." + suffix
}

// LayerData returns the media type and bytes of img's first layer whose
// media type accept takes; "" and nil when none does.
func LayerData(img v1.Image, accept func(types.MediaType) bool) (types.MediaType, []byte, error) {
	m, err := img.Manifest()
	if err != nil {
		return "", nil, err
	}
	for _, l := range m.Layers {
		if accept(l.MediaType) {
			b, err := blobData(img, l)
			return l.MediaType, b, err
		}
	}
	return "", nil, nil
}
