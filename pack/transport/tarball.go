package transport

import (
	"context"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/scratchpack/scratchpack/internal/ctxio"
)

// WriteTarball writes a as a docker-archive tarball, the format that
// `docker load` and `podman load` read, with every tag in tags. A new or
// regular file appears only once it is complete; a device or FIFO is
// written as a stream. A docker-archive holds images of one platform, so
// an index is refused.
func WriteTarball(ctx context.Context, path string, a Artifact, tags []name.Tag) error {
	s, err := stageTarball(ctx, path, nil, a, tags)
	if err != nil {
		return err
	}
	return s.commit()
}

// stageTarball stages WriteTarball's output, refusing to write over one
// of inputs.
func stageTarball(ctx context.Context, path string, inputs []string, a Artifact, tags []name.Tag) (*staged, error) {
	img, ok := a.(v1.Image)
	if !ok {
		return nil, fmt.Errorf("%s: a docker-archive holds one platform's image, not an index", path)
	}
	return stageOutput(path, inputs, func(w io.Writer) error { return tarballTo(ctxio.Writer(ctx, w), img, tags) })
}

// tarballTo streams img as a docker-archive into w.
func tarballTo(w io.Writer, img v1.Image, tags []name.Tag) error {
	refs := make(map[name.Reference]v1.Image, len(tags))
	for _, t := range tags {
		refs[t] = img
	}
	return tarball.MultiRefWrite(refs, w)
}
