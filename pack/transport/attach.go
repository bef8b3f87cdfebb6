package transport

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// emptyConfig is the OCI 1.1 empty descriptor's content, the config of an
// artifact that has none.
var emptyConfig = []byte("{}")

const mediaTypeEmpty types.MediaType = "application/vnd.oci.empty.v1+json"

// AnnotationTitle names a layer's file, as oras pull writes it.
const AnnotationTitle = "org.opencontainers.image.title"

// Attachment is an OCI 1.1 artifact that refers to a subject image: an
// image manifest whose artifactType is artifactType, whose config is the
// empty descriptor, whose one layer is data (of that media type) named
// title (the org.opencontainers.image.title annotation, the file name
// oras pull writes it to), and whose subject is the image. Pushed, a registry lists it among the
// subject's referrers (or, without the referrers API, the push keeps the
// sha256-HEX fallback tag's index up to date).
func Attachment(subject v1.Image, artifactType, title string, data []byte) (v1.Image, error) {
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

// fallbackTag is the tag of the referrers tag schema in the repository of
// t, written as t is: sha256-HEX of the subject's digest, under which a
// registry without the referrers API (and an OCI layout) keeps an index
// of the subject's referrers.
func fallbackTag(t name.Tag, subject v1.Hash) (name.Tag, error) {
	repo := strings.TrimSuffix(t.String(), ":"+t.TagStr())
	return name.NewTag(repo+":"+subject.Algorithm+"-"+subject.Hex, name.WeakValidation)
}

// fallbackName matches the layout names of fallback tags, and of the
// tags cosign attaches to (sha256-HEX.sbom, .sig, .att): none is an image
// of the layout's own.
var fallbackName = regexp.MustCompile(`:sha256-[0-9a-f]{64}(\.sbom|\.sig|\.att)?$`)

// referrersIndex is the fallback tag's index of attachments.
func referrersIndex(atts []v1.Image) v1.ImageIndex {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, a := range atts {
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: a})
	}
	return idx
}

// subjectOf returns the digest an attachment refers to.
func subjectOf(a v1.Image) (v1.Hash, error) {
	m, err := a.Manifest()
	if err != nil {
		return v1.Hash{}, err
	}
	if m.Subject == nil {
		return v1.Hash{}, fmt.Errorf("attachment has no subject")
	}
	return m.Subject.Digest, nil
}

// repoTags are the first tag of each distinct repository of tags.
func repoTags(tags []name.Tag) []name.Tag {
	var out []name.Tag
	seen := map[string]bool{}
	for _, t := range tags {
		if r := t.Context(); !seen[r.String()] {
			seen[r.String()] = true
			out = append(out, t)
		}
	}
	return out
}

// isFallbackName reports whether a layout entry's name is a referrers
// fallback tag for subject.
func isFallbackName(n string, subject v1.Hash) bool {
	return strings.HasSuffix(n, ":"+subject.Algorithm+"-"+subject.Hex)
}

// PushAttachments pushes each attachment by digest to every repository,
// where the registry lists it among its subject's referrers (or the push
// adds it to the fallback tag's index).
func PushAttachments(ctx context.Context, atts []v1.Image, repos []name.Repository, o Options) error {
	for _, r := range repos {
		if o.Insecure {
			ir, err := name.NewRepository(r.String(), name.Insecure)
			if err != nil {
				return err
			}
			r = ir
		}
		for _, att := range atts {
			d, err := att.Digest()
			if err != nil {
				return err
			}
			ref := r.Digest(d.String())
			actx, cancel := context.WithCancelCause(ctx)
			err = remote.Write(ref, att, o.remoteOptions(actx, cancel)...)
			cause := context.Cause(actx)
			cancel(nil)
			if err != nil {
				return registryError("attach to", ref, o.timeout(), cause, err)
			}
		}
	}
	return nil
}

// ErrNoReferrers means the source of an image (a tarball, the daemon)
// keeps no referrers.
var ErrNoReferrers = errors.New("keeps no attachments")

// Attached returns the attachments of the image subject in src, the
// registry reference or OCI layout it was read from: the registry's
// referrers (through the API, or the fallback tag), or the layout's
// fallback tag index.
func Attached(ctx context.Context, src string, subject v1.Hash, o Options) ([]v1.Image, error) {
	if dir, _, ok := layoutRef(src); ok {
		return layoutAttached(dir, subject)
	}
	if strings.HasPrefix(src, "docker://") {
		return nil, fmt.Errorf("%s: the Docker daemon %w", src, ErrNoReferrers)
	}
	if fi, err := os.Stat(src); err == nil && fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: a docker-archive tarball %w", src, ErrNoReferrers)
	}
	var opts []name.Option
	if o.Insecure {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(src, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	// The attachments' blobs are read later, lazily, with this context: it
	// is cancelled only by the watchdog (or the caller), never on return.
	ctx, cancel := context.WithCancelCause(ctx)
	rs, ro, err := o.repoSource(ctx, cancel, ref.Context())
	if err != nil {
		return nil, err
	}
	d := ref.Context().Digest(subject.String())
	idx, err := remote.Referrers(d, ro...)
	if err != nil {
		return nil, registryError("list the referrers of", d, o.timeout(), context.Cause(ctx), err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []v1.Image
	for _, desc := range im.Manifests {
		img, err := remote.Image(ref.Context().Digest(desc.Digest.String()), ro...)
		if err != nil {
			return nil, registryError("read", d, o.timeout(), context.Cause(ctx), err)
		}
		out = append(out, rs.image(img))
	}
	return out, nil
}

// layoutAttached reads the attachments of subject from the layout's
// fallback tag indexes.
func layoutAttached(dir string, subject v1.Hash) ([]v1.Image, error) {
	ii, im, err := layoutIndex(dir)
	if err != nil {
		return nil, err
	}
	var out []v1.Image
	seen := map[v1.Hash]bool{}
	for _, d := range im.Manifests {
		if !isFallbackName(d.Annotations[AnnotationRefName], subject) || !d.MediaType.IsIndex() {
			continue
		}
		idx, err := ii.ImageIndex(d.Digest)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		refs, err := idx.IndexManifest()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		for _, r := range refs.Manifests {
			if seen[r.Digest] {
				continue
			}
			seen[r.Digest] = true
			img, err := idx.Image(r.Digest)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", dir, err)
			}
			out = append(out, img)
		}
	}
	return out, nil
}

// MaxAttachmentSize bounds the blob of an attachment (an SBOM) that is
// read into memory: an SBOM of a large image is a few MiB.
const MaxAttachmentSize = 256 << 20

// AttachmentData returns an attachment's artifact type and its one
// layer's bytes, once they are as long as the manifest says and hash to
// the digest it names; a blob over MaxAttachmentSize is an error.
func AttachmentData(att v1.Image) (string, []byte, error) {
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
// MaxAttachmentSize is an error.
func blobData(img v1.Image, d v1.Descriptor) ([]byte, error) {
	if d.Digest.Algorithm != "sha256" {
		return nil, fmt.Errorf("attachment blob %s: digest algorithm %q is not supported", d.Digest, d.Digest.Algorithm)
	}
	if d.Size > MaxAttachmentSize || d.Size < 0 {
		return nil, fmt.Errorf("attachment blob %s: its manifest says it is %d bytes, more than the %d MiB bound transport.MaxAttachmentSize", d.Digest, d.Size, MaxAttachmentSize>>20)
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
// sig, att), in the repository of ref: sha256-HEX.sbom, where ko puts the
// SBOM of what it builds.
func CosignTag(ref name.Reference, subject v1.Hash, suffix string) name.Tag {
	return ref.Context().Tag(subject.Algorithm + "-" + subject.Hex + "." + suffix)
}

// CosignAttached returns the image cosign's way of attaching put at the
// sha256-HEX.SUFFIX tag of subject, in the registry repository or OCI
// layout of src, and the tag's name; a nil image when there is none.
func CosignAttached(ctx context.Context, src string, subject v1.Hash, suffix string, o Options) (v1.Image, string, error) {
	if dir, _, ok := layoutRef(src); ok {
		ii, im, err := layoutIndex(dir)
		if err != nil {
			return nil, "", err
		}
		want := ":" + subject.Algorithm + "-" + subject.Hex + "." + suffix
		for _, d := range im.Manifests {
			if n := d.Annotations[AnnotationRefName]; strings.HasSuffix(n, want) && d.MediaType.IsImage() {
				img, err := ii.Image(d.Digest)
				if err != nil {
					return nil, "", fmt.Errorf("%s: %w", dir, err)
				}
				return img, dir + ":" + n, nil
			}
		}
		return nil, "", nil
	}
	var opts []name.Option
	if o.Insecure {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(src, opts...)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", src, err)
	}
	// The image's blobs are read later, lazily, with this context, as
	// Attached's are: it is cancelled only by the watchdog or the caller.
	ctx, cancel := context.WithCancelCause(ctx)
	tag := CosignTag(ref, subject, suffix)
	img, err := remote.Image(tag, o.remoteOptions(ctx, cancel)...)
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return nil, "", nil
	} else if err != nil {
		return nil, "", registryError("read", tag, o.timeout(), context.Cause(ctx), err)
	}
	return img, tag.String(), nil
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
