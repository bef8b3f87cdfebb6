package transport

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/pack/imageref"
)

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

// pushAttachments pushes each attachment by digest to every repository,
// where the registry lists it among its subject's referrers (or the push
// adds it to the fallback tag's index).
func pushAttachments(ctx context.Context, atts []v1.Image, repos []name.Repository, o Options) error {
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
			log := newPushLog(o.Log)
			err = remote.Write(ref, att, o.remoteOptions(actx, cancel, log)...)
			cause := context.Cause(actx)
			cancel(nil)
			if err != nil {
				return registryError("attach to", ref, o.timeout(), cause, err)
			}
			log.done()
		}
	}
	return nil
}

// ErrNoReferrers means the source of an image (a tarball, the daemon)
// keeps no referrers.
var ErrNoReferrers = errors.New("keeps no attachments")

// Referrers returns the attachments of the image subject where r, the
// reference it was read from, keeps them: a registry's referrers
// (through the API, or the fallback tag), or a layout's fallback tag
// index. A tarball and the daemon keep none: ErrNoReferrers.
func Referrers(ctx context.Context, r imageref.Reference, subject v1.Hash, o Options) ([]v1.Image, error) {
	switch r.Kind() {
	case imageref.Layout:
		return layoutReferrers(r.Path(), subject)
	case imageref.Daemon:
		return nil, fmt.Errorf("%s: the Docker daemon %w", r, ErrNoReferrers)
	case imageref.Archive:
		return nil, fmt.Errorf("%s: a tarball %w", r, ErrNoReferrers)
	case imageref.Registry:
	default:
		return nil, errors.New("no image named")
	}
	ref, err := o.named(r.Name())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r, err)
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

// layoutReferrers reads the attachments of subject from the layout's
// fallback tag indexes.
func layoutReferrers(dir string, subject v1.Hash) ([]v1.Image, error) {
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
