package verified

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// MaxZstdWindow bounds the window a zstd layer may ask its decoder to
// keep in memory (zstd --long=27, the largest window tools write by
// default, is 128 MiB).
const MaxZstdWindow = 128 << 20

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// Reader is a layer's uncompressed stream that verifies itself: its Read
// returns io.EOF only after the compressed stream ended, at the size and
// digest the manifest names, and the uncompressed one at the diff_id the
// config names; any other end is an error that says what did not match.
type Reader struct {
	ctx     context.Context
	layer   Layer
	src     io.ReadCloser // the compressed blob
	counted *countingHash // the compressed bytes, counted and hashed
	raw     *bufio.Reader // over counted
	tar     io.Reader     // the uncompressed stream
	zstd    *zstd.Decoder
	diff    hash.Hash // of the uncompressed bytes
	err     error     // sticky: io.EOF once verified
}

func newReader(ctx context.Context, l Layer, src io.ReadCloser) (*Reader, error) {
	r := &Reader{ctx: ctx, layer: l, src: src, counted: &countingHash{r: src, h: sha256.New()}, diff: sha256.New()}
	r.raw = bufio.NewReaderSize(r.counted, 64<<10)
	if l.Local { // already uncompressed, whatever its first bytes
		r.counted.h = nil // no digest to compare: the diff_id's hash is the one
		r.tar = r.raw
		return r, nil
	}
	magic, err := r.raw.Peek(4)
	if err != nil && !errors.Is(err, io.EOF) {
		src.Close()
		return nil, r.failed(err)
	}
	switch {
	case bytes.HasPrefix(magic, gzipMagic):
		zr, err := gzip.NewReader(r.raw)
		if err != nil {
			src.Close()
			return nil, r.failed(fmt.Errorf("gzip: %w", err))
		}
		r.tar = zr
	case bytes.HasPrefix(magic, zstdMagic):
		zr, err := zstd.NewReader(r.raw, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(MaxZstdWindow))
		if err != nil {
			src.Close()
			return nil, r.failed(fmt.Errorf("zstd: %w", err))
		}
		r.zstd, r.tar = zr, zr
	default:
		r.tar = r.raw
	}
	return r, nil
}

// Read reads uncompressed bytes of the layer.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if err := r.ctx.Err(); err != nil {
		r.err = err
		return 0, err
	}
	n, err := r.tar.Read(p)
	r.diff.Write(p[:n])
	switch {
	case errors.Is(err, io.EOF):
		r.err = r.verify()
		if n > 0 && r.err == io.EOF {
			return n, nil
		}
		return n, r.err
	case err != nil:
		r.err = r.broken(err)
		return n, r.err
	}
	return n, nil
}

// broken is the error of a stream that did not decompress, or whose blob
// could not be read to its end: when the blob is not the one the manifest
// names (a wrong or cut-short blob breaks the stream too, and a reader
// that checks digests itself fails at its end), that is the error. The
// rest of the blob is read, up to the manifest's size, to tell.
func (r *Reader) broken(err error) error {
	if r.ctx.Err() != nil {
		return r.ctx.Err()
	}
	if r.layer.Local {
		return r.failed(err)
	}
	left := max(r.layer.Size-r.counted.n, 0)
	_, cerr := io.Copy(io.Discard, io.LimitReader(ctxReader{r.ctx, r.raw}, left+1))
	if cerr == nil || r.counted.n >= r.layer.Size {
		if verr := r.compare(); verr != nil {
			return verr
		}
	}
	return r.failed(err)
}

// Finish reads what is left of the layer, past the tar end-of-archive
// marker, and reports whether it verified: nil when it did.
func (r *Reader) Finish() error {
	_, err := io.Copy(io.Discard, r)
	if err == nil && r.err != io.EOF {
		return r.failed(io.ErrUnexpectedEOF)
	}
	return err
}

// Close releases the blob; it does not verify (see Finish).
func (r *Reader) Close() error {
	if r.zstd != nil {
		r.zstd.Close()
	}
	return r.src.Close()
}

// verify runs when the uncompressed stream ended: the compressed one is
// read to its end, then sizes and digests are compared. It returns io.EOF
// when everything matched.
func (r *Reader) verify() error {
	if _, err := io.Copy(io.Discard, ctxReader{r.ctx, r.raw}); err != nil {
		return r.broken(err)
	}
	if err := r.compare(); err != nil {
		return err
	}
	l := r.layer
	if got := sum(r.diff); got != l.DiffID {
		return fmt.Errorf("%s: its uncompressed bytes hash to %s, not to the diff_id %s the config names", l, got, l.DiffID)
	}
	return io.EOF
}

// compare compares the compressed bytes read so far with the manifest's
// size and digest.
func (r *Reader) compare() error {
	l := r.layer
	if l.Local {
		return nil
	}
	switch {
	case r.counted.n < l.Size:
		return fmt.Errorf("%s: truncated: the blob ends after %d bytes, the manifest says %d", l, r.counted.n, l.Size)
	case r.counted.n > l.Size:
		return fmt.Errorf("%s: the blob is longer than the %d bytes the manifest says", l, l.Size)
	}
	if got := sum(r.counted.h); got != l.Digest {
		return fmt.Errorf("%s: its bytes hash to %s, not to the digest the manifest names", l, got)
	}
	return nil
}

// failed says what went wrong reading the layer, and that it was cut
// short when the blob ended before the manifest's size.
func (r *Reader) failed(err error) error {
	if r.ctx.Err() != nil {
		return r.ctx.Err()
	}
	l := r.layer
	if errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded) {
		return fmt.Errorf("%s: its zstd window is larger than the %d MiB bound", l, MaxZstdWindow>>20)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) && !l.Local && r.counted.n < l.Size {
		return fmt.Errorf("%s: truncated: the blob ends after %d bytes, the manifest says %d", l, r.counted.n, l.Size)
	}
	return fmt.Errorf("%s: %w", l, err)
}

func sum(h hash.Hash) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

// countingHash hashes and counts what is read through it.
type countingHash struct {
	r io.Reader
	h hash.Hash
	n int64
}

func (c *countingHash) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.h != nil {
		c.h.Write(p[:n])
	}
	c.n += int64(n)
	return n, err
}

// ctxReader stops reading once ctx is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
