// Package verified reads an image's layers only as what the image says
// they are: each layer's compressed bytes must hash to the digest its
// manifest names and be as long as the manifest says, and its
// uncompressed bytes must hash to the diff_id its config names. Every
// stream is read to its real end, past the tar end-of-archive marker, and
// hashed here: no helper's verification is relied on.
//
// A Reader's Read returns io.EOF only once both digests matched; until
// then what it returned is unverified, so a caller stages what it reads
// and uses it only after io.EOF (see Reader.Finish).
package verified

import (
	"context"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/internal/plural"
)

// Layer is one layer of an image and what the image claims about it.
type Layer struct {
	Index  int      // its position, 0 for the lowest
	Layer  v1.Layer // where its bytes come from
	Digest v1.Hash  // the manifest's digest of the compressed bytes
	Size   int64    // the manifest's size of the compressed bytes
	DiffID v1.Hash  // the config's rootfs.diff_ids entry
	// Local is set for a layer of a Local image: it is read uncompressed
	// and only its diff_id is checked; Digest and Size are not known.
	Local bool
}

// Layers returns img's layers, each with the digest and size its
// manifest names and the diff_id its config names. A manifest and config
// that do not list as many layers as each other, or as img has, is an
// error.
func Layers(img v1.Image) ([]Layer, error) {
	if isLocal(img) {
		return localLayers(img)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("reading the manifest: %w", err)
	}
	cf, err := ConfigFile(img)
	if err != nil {
		return nil, err
	}
	ls, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading the layers: %w", err)
	}
	diffIDs := cf.RootFS.DiffIDs
	if len(m.Layers) != len(diffIDs) || len(ls) != len(m.Layers) {
		return nil, fmt.Errorf("the manifest lists %s and the config's rootfs.diff_ids %d; an image lists each layer in both", plural.N(len(m.Layers), "layer", "layers"), len(diffIDs))
	}
	out := make([]Layer, len(ls))
	for i, l := range ls {
		out[i] = Layer{Index: i, Layer: l, Digest: m.Layers[i].Digest, Size: m.Layers[i].Size, DiffID: diffIDs[i]}
	}
	return out, nil
}

// localLayers are the layers of a Local image, named by diff_id.
func localLayers(img v1.Image) ([]Layer, error) {
	cf, err := ConfigFile(img)
	if err != nil {
		return nil, err
	}
	ls, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading the layers: %w", err)
	}
	if len(ls) != len(cf.RootFS.DiffIDs) {
		return nil, fmt.Errorf("the image has %s and its config's rootfs.diff_ids %d; an image lists each layer in both", plural.N(len(ls), "layer", "layers"), len(cf.RootFS.DiffIDs))
	}
	out := make([]Layer, len(ls))
	for i, l := range ls {
		out[i] = Layer{Index: i, Layer: l, DiffID: cf.RootFS.DiffIDs[i], Local: true}
	}
	return out, nil
}

// Open starts reading the layer's uncompressed bytes (a tar stream).
// Reading stops with ctx's error once ctx is cancelled.
func (l Layer) Open(ctx context.Context) (*Reader, error) {
	claims := []v1.Hash{l.Digest, l.DiffID}
	if l.Local {
		claims = claims[1:]
	}
	for _, h := range claims {
		if h.Algorithm != "sha256" {
			return nil, fmt.Errorf("%s: digest algorithm %q is not supported; images name layers by sha256", l, h.Algorithm)
		}
	}
	open := l.Layer.Compressed
	if l.Local {
		open = l.Layer.Uncompressed
	}
	rc, err := open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l, err)
	}
	return newReader(ctx, l, rc)
}

// String names the layer in errors: by the digest the manifest names, or
// a Local image's by its diff_id.
func (l Layer) String() string {
	if l.Local {
		return "layer " + l.DiffID.String()
	}
	return "layer " + l.Digest.String()
}

var _ io.ReadCloser = (*Reader)(nil)
