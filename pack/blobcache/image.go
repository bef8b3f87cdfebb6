package blobcache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/internal/ctxio"
)

// Image returns img with layers whose Compressed serves the blob from the
// cache, verified, downloading and storing it when it is missing or
// wrong, and whose Uncompressed decompresses those bytes and fails at
// their end unless they match the layer's diff_id. Downloads and reads
// stop when ctx is done. A layer whose digest is not sha256, or whose
// digest or size cannot be told, is read from img as it is.
func (c *Cache) Image(ctx context.Context, img v1.Image) v1.Image {
	return &image{Image: img, ctx: ctx, c: c}
}

type image struct {
	v1.Image
	ctx context.Context
	c   *Cache
}

func (i *image) Layers() ([]v1.Layer, error) {
	ls, err := i.Image.Layers()
	if err != nil {
		return nil, err
	}
	out := make([]v1.Layer, len(ls))
	for n, l := range ls {
		out[n] = i.wrap(l)
	}
	return out, nil
}

func (i *image) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	l, err := i.Image.LayerByDigest(h)
	if err != nil {
		return nil, err
	}
	return i.wrap(l), nil
}

func (i *image) LayerByDiffID(h v1.Hash) (v1.Layer, error) {
	l, err := i.Image.LayerByDiffID(h)
	if err != nil {
		return nil, err
	}
	return i.wrap(l), nil
}

func (i *image) wrap(l v1.Layer) v1.Layer { return &layer{Layer: l, ctx: i.ctx, c: i.c} }

// layer is one of an image's layers, its blob read through the cache.
// Digest, DiffID, Size and MediaType are the image's.
type layer struct {
	v1.Layer
	ctx context.Context
	c   *Cache
}

// Compressed returns the verified blob.
func (l *layer) Compressed() (io.ReadCloser, error) {
	d, err := l.Digest()
	if err != nil || d.Algorithm != "sha256" || !isHex(d.Hex) {
		return l.Layer.Compressed()
	}
	size, err := l.Size()
	if err != nil || size < 0 {
		return l.Layer.Compressed()
	}
	f, err := l.c.fetch(l.ctx, d, size, l.Layer.Compressed)
	var se *storeError
	if errors.As(err, &se) {
		l.c.warnf("%v; reading %s without the cache", se, d)
		rc, err := l.Layer.Compressed()
		if err != nil {
			return nil, err
		}
		return &verifier{r: ctxio.Reader(l.ctx, io.LimitReader(rc, size)), c: rc, h: sha256.New(), want: d, mismatch: func(got v1.Hash) error {
			return fmt.Errorf("blob %s: the registry sent bytes whose digest is %s", d, got)
		}}, nil
	}
	if err != nil {
		return nil, err
	}
	// The file matched d when fetch returned; checking again as it is read
	// catches a change by anyone else meanwhile.
	return &verifier{r: ctxio.Reader(l.ctx, f), c: f, h: sha256.New(), want: d, mismatch: func(got v1.Hash) error {
		return fmt.Errorf("blob %s: the cached file changed while it was read (its bytes hash to %s)", d, got)
	}}, nil
}

// Uncompressed decompresses the verified blob (gzip, zstd or none, as the
// bytes say) and checks the result against the diff_id.
func (l *layer) Uncompressed() (io.ReadCloser, error) {
	diffID, err := l.DiffID()
	if err != nil {
		return nil, err
	}
	if diffID.Algorithm != "sha256" {
		return nil, fmt.Errorf("layer diff_id %s: not a sha256 digest", diffID)
	}
	cl, err := partial.CompressedToLayer(compressedOnly{l})
	if err != nil {
		return nil, err
	}
	rc, err := cl.Uncompressed()
	if err != nil {
		return nil, err
	}
	return &verifier{r: rc, c: rc, h: sha256.New(), want: diffID, mismatch: func(got v1.Hash) error {
		d, _ := l.Digest()
		return fmt.Errorf("layer %s: its uncompressed bytes hash to %s, not the diff_id %s the image's config gives", d, got, diffID)
	}}, nil
}

// compressedOnly is the compressed half of a layer, for partial to
// decompress.
type compressedOnly struct{ l *layer }

func (c compressedOnly) Digest() (v1.Hash, error)            { return c.l.Digest() }
func (c compressedOnly) Compressed() (io.ReadCloser, error)  { return c.l.Compressed() }
func (c compressedOnly) Size() (int64, error)                { return c.l.Size() }
func (c compressedOnly) MediaType() (types.MediaType, error) { return c.l.MediaType() }

// verifier reads r and fails at its end, with mismatch's error, unless
// what it read hashes to want.
type verifier struct {
	r        io.Reader
	c        io.Closer
	h        hash.Hash
	want     v1.Hash
	mismatch func(got v1.Hash) error
}

func (v *verifier) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		if got := (v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(v.h.Sum(nil))}); got != v.want {
			return n, v.mismatch(got)
		}
	}
	return n, err
}

func (v *verifier) Close() error { return v.c.Close() }
