package imagefs

import (
	"archive/tar"
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/pack/blobcache"
	"github.com/scratchpack/scratchpack/pack/internal/tarbound"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// With a cache, a layer's uncompressed tar stream is what its files are
// read out of: written into the cache as the blob is decompressed (and
// kept under the diff_id once the layer verified), or read back from it
// on a later open, verified against the diff_id as it is read, and
// neither decompressed nor copied again. pack --from an image whose blobs
// are cached spent most of its time decompressing the image (a Debian
// base: 78 MB of gzip, 190 MB of tar) and copying every file of it into
// the temporary file, which docker cp and crane export | tar -x do too;
// reading the kept stream is a hash of it.
//
// A kept stream is used only once it hashed to the diff_id, which the
// config names (and the manifest's digest of the config vouches for), as
// the blob was used only once it hashed to the manifest's digest. The
// cache is a directory only this user can write; a change to a kept
// stream after it verified, by this user's own processes, is not seen.

// maxTrailer is the most a tar stream kept holds after its end-of-archive
// marker (tar pads to its record size, 10 KiB for GNU tar): a layer with
// more is used, and not kept, rather than filling the cache with what
// nothing reads.
const maxTrailer = 1 << 20

// keptLayer reads layer l from its tar stream in the cache, or, when the
// cache has none (or one that does not verify, which is dropped), from
// its blob into a new one.
func (b *builder) keptLayer(l verified.Layer) (*node, error) {
	count, inPlace := *b.count, b.inPlace // to start again from, when the kept stream fails
	if f, _, ok := b.cache.OpenKept(l.DiffID); ok {
		kl := verified.Layer{Index: l.Index, Layer: keptBlob{l.Layer, f}, DiffID: l.DiffID, Local: true}
		upper, err := b.stream(kl, f, nil)
		switch {
		case err == nil:
			b.files = append(b.files, f)
			return upper, nil
		case b.ctx.Err() != nil:
			f.Close()
			return nil, b.ctx.Err()
		}
		// It unpacked once (it was kept only then): the entry is not what
		// was kept.
		b.cache.Drop(l.DiffID, f, fmt.Sprintf("does not read as layer %s's stream (%v)", l.Digest, err))
		*b.count, b.inPlace = count, inPlace
	}
	p, err := b.cache.NewBlob()
	if err != nil { // the cache cannot be written: read the blob as without one
		return b.copyLayer(l)
	}
	upper, err := b.stream(l, p.File(), p)
	var werr *writeError
	switch {
	case err == nil:
		b.files = append(b.files, p.File())
		return upper, nil
	case errors.As(err, &werr) && b.ctx.Err() == nil: // a full disk, say: read the blob again as without a cache
		p.Abandon()
		p.File().Close()
		*b.count, b.inPlace = count, inPlace
		return b.copyLayer(l)
	}
	p.Abandon()
	p.File().Close()
	return nil, err
}

// stream reads layer l to its verified end and returns its own tree, the
// regular files' contents left where they are in the uncompressed stream,
// at their offsets in f. With p set, every byte of the stream is written
// to f (p's file) as it is read, and p is kept under the diff_id once the
// layer verified; without, f is the stream l reads.
func (b *builder) stream(l verified.Layer, f *os.File, p *blobcache.Pending) (*node, error) {
	r, err := l.Open(b.ctx)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	in := &counted{r: r}
	var out *bufio.Writer
	if p != nil {
		out = bufio.NewWriterSize(f, 1<<20)
		in.w = out
	}
	u := newUnpacker()
	u.src = f
	tr := tar.NewReader(in)
	for {
		if err := b.ctx.Err(); err != nil {
			return nil, err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, b.streamErr(l, r, in, err)
		}
		if err := b.count.Add(hdr); err != nil {
			return nil, fmt.Errorf("%s: %w", l, err)
		}
		if hdr.Typeflag == tar.TypeReg {
			if hdr.Size > b.maxFileBytes-b.off-b.inPlace {
				return nil, fmt.Errorf("%s: entry %s: the image's files are more than %d bytes, the bound imagefs.MaxFileBytes", l, tarbound.Quote(hdr.Name), b.maxFileBytes)
			}
			b.inPlace += hdr.Size
		}
		if err := u.add(hdr, in.n); err != nil { // the tar reader is at the content's start
			return nil, fmt.Errorf("%s: entry %s %w", l, tarbound.Quote(hdr.Name), err)
		}
	}
	whole := true // whether f holds all of the stream
	if p != nil {
		n, err := io.Copy(io.Discard, io.LimitReader(in, maxTrailer+1)) // the padding after the marker
		if err != nil {
			return nil, b.streamErr(l, r, in, err)
		}
		whole = n <= maxTrailer
		in.w = nil
	}
	if err := r.Finish(); err != nil {
		return nil, err
	}
	if p == nil {
		return u.root, nil
	}
	if err := out.Flush(); err != nil {
		return nil, &writeError{err}
	}
	if in.werr != nil {
		return nil, &writeError{in.werr}
	}
	if whole {
		p.Keep(l.DiffID, in.n)
	} else {
		p.Abandon()
	}
	return u.root, nil
}

// streamErr is the error of a stream that could not be read, as readErr
// says it, or the cache's when writing the stream failed.
func (b *builder) streamErr(l verified.Layer, r *verified.Reader, in *counted, err error) error {
	if in.werr != nil && b.ctx.Err() == nil {
		return &writeError{in.werr}
	}
	return b.readErr(l, r, err)
}

// counted counts the bytes read through it, and writes them to w when
// it is set, keeping the first write error (the read goes on: the layer's
// own errors come first).
type counted struct {
	r    io.Reader
	w    io.Writer
	n    int64
	werr error
}

func (c *counted) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.w != nil && n > 0 && c.werr == nil {
		if _, werr := c.w.Write(p[:n]); werr != nil {
			c.werr = werr
		}
	}
	return n, err
}

// keptBlob is a layer whose uncompressed stream is a kept file.
type keptBlob struct {
	v1.Layer
	f *os.File
}

// Uncompressed reads the kept file from its start; closing it leaves the
// file open, for its files to be read out of.
func (k keptBlob) Uncompressed() (io.ReadCloser, error) {
	return io.NopCloser(io.NewSectionReader(k.f, 0, 1<<62)), nil
}
