package sbom

import (
	"context"
	"errors"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/pack/transport"
)

// ErrNone means an image has no SBOM attached.
var ErrNone = errors.New("no SBOM attached")

// Read returns the SBOMs attached to the images of src (a registry
// reference or an OCI layout; of an index, every image, or the one for
// only), one document per image, in the index's order.
func Read(ctx context.Context, src string, only *v1.Platform, o transport.Options) ([][]byte, error) {
	art, err := transport.Open(ctx, src, o)
	if err != nil {
		return nil, err
	}
	imgs, err := transport.Pick(ctx, art, only)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	var out [][]byte
	for _, img := range imgs {
		d, err := img.Digest()
		if err != nil {
			return nil, err
		}
		atts, err := transport.Attached(ctx, src, d, o)
		if err != nil {
			return nil, err
		}
		var doc []byte
		for _, att := range atts {
			typ, data, err := transport.AttachmentData(att)
			if err != nil {
				return nil, fmt.Errorf("%s: attachment of %s: %w", src, d, err)
			}
			if typ == MediaTypeSPDX || typ == MediaTypeCycloneDX {
				doc = data
			}
		}
		if doc == nil {
			return nil, fmt.Errorf("%s: image %s: %w", src, d, ErrNone)
		}
		out = append(out, doc)
	}
	return out, nil
}
