package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// Artifact is what the transports write and read: a v1.Image, or a
// v1.ImageIndex of images for several platforms. Both satisfy it, so no
// caller juggles two fields; the transports tell them apart by type.
type Artifact interface {
	MediaType() (types.MediaType, error)
	Digest() (v1.Hash, error)
	Size() (int64, error)
	RawManifest() ([]byte, error)
}

// Options changes how the transports talk to registries and the daemon.
type Options struct {
	// Insecure allows plain http (and unverified TLS) for every registry;
	// localhost, loopback and private addresses get http without it.
	Insecure bool
	// Progress, when set, receives a progress line as blobs upload.
	Progress io.Writer
	// Log, when set, is told of each blob and manifest a push writes or
	// finds in the registry, a line each, as ko logs them.
	Log func(format string, args ...any)
	// UserAgent names the client to the registry.
	UserAgent string
	// Timeout is how long a registry may take to answer a request, or to
	// take more bytes of an upload; DefaultTimeout when zero.
	Timeout time.Duration
}

// images returns the images of a: itself, or those of the index. It
// stops once ctx is done.
func images(ctx context.Context, a Artifact) ([]v1.Image, error) {
	switch a := a.(type) {
	case v1.Image:
		return []v1.Image{a}, nil
	case v1.ImageIndex:
		im, err := a.IndexManifest()
		if err != nil {
			return nil, err
		}
		imgs := make([]v1.Image, 0, len(im.Manifests))
		for _, m := range im.Manifests {
			if err := context.Cause(ctx); err != nil {
				return nil, err
			}
			img, err := a.Image(m.Digest)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", m.Digest, err)
			}
			imgs = append(imgs, img)
		}
		return imgs, nil
	}
	return nil, fmt.Errorf("%T is neither an image nor an index", a)
}

// unwrapPathErr drops the path from an *fs.PathError, which the caller
// names itself.
func unwrapPathErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// Select returns the image of a for platform p: a itself, or the first
// image of the index whose platform satisfies p. The platform is the one
// the index's descriptor names, as Docker and containerd pick; only an
// entry whose descriptor names none has its config read to learn it, so
// a pick costs one manifest and one config however long the index. The
// picked image's config is read, and refused if its os or architecture
// contradicts the descriptor. An index without a match is an error that
// lists the platforms it has. Select stops once ctx is done.
func Select(ctx context.Context, a Artifact, p v1.Platform) (v1.Image, error) {
	ii, ok := a.(v1.ImageIndex)
	if !ok {
		img, ok := a.(v1.Image)
		if !ok {
			return nil, fmt.Errorf("%T is neither an image nor an index", a)
		}
		cf, err := verified.ConfigFile(img)
		if err != nil {
			return nil, err
		}
		ip := cf.Platform()
		if ip == nil {
			return nil, fmt.Errorf("no image for %s; the image's config names no os and architecture", p.String())
		}
		if !ip.Satisfies(p) {
			return nil, fmt.Errorf("no image for %s; there is %s", p.String(), quote.Name(ip.String()))
		}
		return img, nil
	}
	im, err := ii.IndexManifest()
	if err != nil {
		return nil, err
	}
	var have []string
	for _, d := range im.Manifests {
		if err := context.Cause(ctx); err != nil {
			return nil, err
		}
		if d.MediaType.IsIndex() { // nested indexes are not searched
			continue
		}
		var img v1.Image
		ip := d.Platform
		if ip == nil {
			if img, err = ii.Image(d.Digest); err != nil {
				return nil, fmt.Errorf("%s: %w", d.Digest, err)
			}
			cf, err := verified.ConfigFile(img)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", d.Digest, err)
			}
			if ip = cf.Platform(); ip == nil {
				continue
			}
		}
		if !ip.Satisfies(p) {
			have = append(have, ip.String())
			continue
		}
		if img == nil {
			if img, err = ii.Image(d.Digest); err != nil {
				return nil, fmt.Errorf("%s: %w", d.Digest, err)
			}
			if err := samePlatform(img, *ip); err != nil {
				return nil, fmt.Errorf("%s: %w", d.Digest, err)
			}
		}
		return img, nil
	}
	return nil, fmt.Errorf("no image for %s; there are %s", p.String(), quote.List(have))
}

// samePlatform refuses an image whose config names an os or architecture
// other than the index's descriptor says.
func samePlatform(img v1.Image, want v1.Platform) error {
	cf, err := verified.ConfigFile(img)
	if err != nil {
		return err
	}
	if (cf.OS != "" && cf.OS != want.OS) || (cf.Architecture != "" && cf.Architecture != want.Architecture) {
		return fmt.Errorf("the index says the image is for %s, its config says %s/%s", quote.Name(want.String()), quote.Name(cf.OS), quote.Name(cf.Architecture))
	}
	return nil
}

// Pick returns the images of a, or with only set the one for that
// platform (see Select). It stops once ctx is done.
func Pick(ctx context.Context, a Artifact, only *v1.Platform) ([]v1.Image, error) {
	if only == nil {
		return images(ctx, a)
	}
	img, err := Select(ctx, a, *only)
	if err != nil {
		return nil, err
	}
	return []v1.Image{img}, nil
}

// Raw returns the manifest or the config ("manifest" or "config") of a's
// image for platform p, or of a itself when p is nil and a is an image.
func Raw(ctx context.Context, a Artifact, p *v1.Platform, what string) ([]byte, error) {
	img, ok := a.(v1.Image)
	if p != nil {
		var err error
		if img, err = Select(ctx, a, *p); err != nil {
			return nil, err
		}
	} else if !ok {
		return nil, ErrIndex
	}
	if what == "config" {
		raw, _, err := verified.RawConfig(img)
		return raw, err
	}
	return img.RawManifest()
}

// ErrIndex means an index was given where one image was needed.
var ErrIndex = errors.New("an index holds several images; pick one by platform")
