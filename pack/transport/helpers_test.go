package transport

import (
	"context"
	"errors"
	"io"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/pack/imageref"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
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

// readAll reads what inspect reads of every image of a (or of only's):
// each one's config, and every layer's bytes, verified against their
// digests, as package describe reads them.
func readAll(ctx context.Context, a Artifact, only *v1.Platform) error {
	imgs, err := Pick(ctx, a, only)
	if err != nil {
		return err
	}
	for _, img := range imgs {
		if err := context.Cause(ctx); err != nil {
			return err
		}
		if _, err := verified.ConfigFile(img); err != nil {
			return err
		}
		layers, err := verified.Layers(img)
		if err != nil {
			return err
		}
		for _, l := range layers {
			r, err := l.Open(ctx)
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, r)
			if err == nil {
				err = r.Finish()
			}
			r.Close()
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// isNotFound reports whether err is ErrNotFound.
func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
