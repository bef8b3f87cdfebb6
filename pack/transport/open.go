package transport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/daemon"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/imageref"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// ErrNotFound means the place a reference names is there but holds no
// such image: a layout without that entry, a registry without that tag.
var ErrNotFound = errors.New("no such image")

// Open reads the image or index r names, where the outputs write them:
// an OCI layout's entry, a tarball (a docker-archive), the Docker daemon,
// or a registry. A registry name that names no registry host is read
// from the daemon only (see package imageref).
func Open(ctx context.Context, r imageref.Reference, o Options) (Artifact, error) {
	switch r.Kind() {
	case imageref.Layout:
		return openLayout(layoutDir{dir: r.Path()}, r.Entry(), r.Digest())
	case imageref.Archive:
		return openArchive(r)
	case imageref.Daemon:
		img, err := openDaemon(ctx, r)
		if err == nil || !r.NamesRegistry() {
			return img, err
		}
		// docker://ghcr.io/me/app: skopeo's registry, when the daemon has
		// no such image.
		a, rerr := openRemote(ctx, r.Name(), o)
		if rerr != nil {
			return nil, fmt.Errorf("%w; nor could its registry be read: %w", err, rerr)
		}
		return a, nil
	case imageref.Registry:
		if r.NamesRegistry() {
			return openRemote(ctx, r.Name(), o)
		}
		if img, err := daemon.Image(r.Name(), daemon.WithContext(ctx)); err == nil {
			if _, err := img.Digest(); err == nil {
				return verified.Local(img), nil
			}
		}
		return nil, fmt.Errorf("%s: no such file, OCI layout or daemon image; for an image on Docker Hub, write docker.io/%s", quote.Name(r.String()), quote.Name(r.String()))
	}
	return nil, errors.New("no image named")
}

// openArchive reads the tarball r names: a docker-archive (one that
// holds manifest.json, as docker save writes it, whatever else it
// holds), else an OCI archive (one that holds an OCI layout), whose
// only image or index it opens.
func openArchive(r imageref.Reference) (Artifact, error) {
	file := r.Path()
	arc, err := readArchive(file)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r, err)
	}
	if !arc.has("manifest.json") && arc.isLayout() {
		a, err := openLayout(layoutDir{dir: file, arc: arc}, r.Entry(), v1.Hash{})
		if err != nil {
			return nil, fmt.Errorf("%s: an OCI archive: %w", r, err)
		}
		return a, nil
	}
	if err := checkArchiveConfig(file); err != nil {
		return nil, fmt.Errorf("%s: %w", r, err)
	}
	var tag *name.Tag
	if r.Entry() != "" {
		t, err := name.NewTag(r.Entry())
		if err != nil {
			return nil, fmt.Errorf("%s: %s is not a tag: %w", r, quote.Name(r.Entry()), err)
		}
		tag = &t
	}
	img, err := tarball.ImageFromPath(file, tag)
	if err != nil {
		return nil, fmt.Errorf("%s: not a docker-archive tarball: %w", r, err)
	}
	return verified.Local(img), nil
}

// named returns ref, with the options names take: name.Insecure with
// o.Insecure.
func (o Options) named(ref name.Reference) (name.Reference, error) {
	if !o.Insecure {
		return ref, nil
	}
	return name.ParseReference(ref.String(), name.Insecure)
}

// openRemote reads ref from its registry.
func openRemote(ctx context.Context, ref name.Reference, o Options) (Artifact, error) {
	ref, err := o.named(ref)
	if err != nil {
		return nil, err
	}
	// The image's blobs are read later, lazily, with this context: it is
	// cancelled only by the watchdog (or the caller), never on return.
	ctx, cancel := context.WithCancelCause(ctx)
	rs, ro, err := o.repoSource(ctx, cancel, ref.Context())
	if err != nil {
		cancel(nil)
		return nil, err
	}
	desc, err := remote.Get(ref, ro...)
	if err != nil {
		rerr := registryError("read", ref, o.timeout(), context.Cause(ctx), err)
		cancel(nil)
		if terr := (*transport.Error)(nil); errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
			return nil, &wrapped{ErrNotFound, rerr.Error()}
		}
		return nil, rerr
	}
	if desc.MediaType.IsIndex() {
		ii, err := desc.ImageIndex()
		if err != nil {
			return nil, err
		}
		return rs.index(ii), nil
	}
	img, err := desc.Image()
	if err != nil {
		return nil, err
	}
	return rs.image(img), nil
}

// isLayout reports whether d is an OCI image layout.
func isLayout(d string) bool {
	_, err := os.Stat(filepath.Join(d, "oci-layout"))
	return err == nil
}

// openLayout opens the entry of the layout l: by digest, by its full
// name ref, or by a tag that only one image has (as layouts written
// before names were full name entries by tag alone); naming none opens
// a layout's only image.
func openLayout(l layoutDir, ref string, digest v1.Hash) (Artifact, error) {
	dir := l.dir
	ii, err := l.index()
	if err != nil {
		return nil, err
	}
	im := ii.im
	var names []string
	var exact, byTag, images []v1.Descriptor
	for _, d := range im.Manifests {
		if n := d.Annotations[AnnotationRefName]; !fallbackName.MatchString(n) { // referrers are not images
			images = append(images, d)
			names = append(names, n)
		}
	}
	byDigest := digest != v1.Hash{}
	for _, d := range im.Manifests {
		n := d.Annotations[AnnotationRefName]
		switch {
		case byDigest:
			if d.Digest == digest {
				exact = append(exact, d)
			}
		case n == ref || ref == "" && len(images) == 1 && d.Digest == images[0].Digest:
			exact = append(exact, d)
		case ref != "" && !strings.Contains(ref, ":") && (n == ref || strings.HasSuffix(n, ":"+ref)):
			byTag = append(byTag, d)
		}
	}
	if len(exact) == 0 && len(byTag) > 0 && sameDigest(byTag) {
		exact = byTag
	}
	switch {
	case len(exact) == 0 && byDigest:
		return nil, &wrapped{ErrNotFound, fmt.Sprintf("%s: the layout has no image %s; it has %s", dir, digest, quote.List(names))}
	case len(exact) == 0 && ref == "":
		return nil, fmt.Errorf("%s: the layout has %s; name one as DIR:NAME", dir, quote.List(names))
	case len(exact) == 0 && len(byTag) > 1:
		return nil, fmt.Errorf("%s: several images have the tag %q; the layout has %s; name one as DIR:NAME", dir, ref, quote.List(names))
	case len(exact) == 0:
		return nil, &wrapped{ErrNotFound, fmt.Sprintf("%s: no image named %q; the layout has %s; name one as DIR:NAME", dir, ref, quote.List(names))}
	}
	if exact[0].MediaType.IsIndex() {
		return ii.ImageIndex(exact[0].Digest)
	}
	return ii.Image(exact[0].Digest)
}

// sameDigest reports whether every descriptor of ds names one manifest
// (an image's tag in several repositories of a layout).
func sameDigest(ds []v1.Descriptor) bool {
	for _, d := range ds[1:] {
		if d.Digest != ds[0].Digest {
			return false
		}
	}
	return true
}

// layoutIndex reads the layout's index.json (see layoutDir).
func layoutIndex(dir string) (v1.ImageIndex, *v1.IndexManifest, error) {
	ii, err := readLayoutIndex(dir)
	if err != nil {
		return nil, nil, err
	}
	return ii, ii.im, nil
}

// openDaemon reads the image r names from the local Docker daemon.
func openDaemon(ctx context.Context, r imageref.Reference) (Artifact, error) {
	img, err := daemon.Image(r.Name(), daemon.WithContext(ctx))
	if err == nil {
		_, err = img.Digest() // the daemon is asked only now
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", r, err)
	}
	return verified.Local(img), nil
}
