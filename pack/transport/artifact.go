package transport

import (
	"fmt"
	"io"
	"io/fs"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
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
	// UserAgent names the client to the registry.
	UserAgent string
	// Timeout is how long a registry may take to answer a request, or to
	// take more bytes of an upload; DefaultTimeout when zero.
	Timeout time.Duration
}

// Images returns the images of a: itself, or those of the index.
func Images(a Artifact) ([]v1.Image, error) {
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
