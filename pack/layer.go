package pack

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Layer is a layer blob kept in a temporary file, with its digests
// computed while it was written. It implements v1.Layer. Close removes the
// file.
type Layer struct {
	file        string
	compression Compression
	digest      v1.Hash
	diffID      v1.Hash
	size        int64
}

var _ v1.Layer = (*Layer)(nil)

// LayerOptions sets what the layer's tar headers and blob look like.
type LayerOptions struct {
	ModTime     time.Time   // every entry's mtime; the zero time means the Unix epoch
	Compression Compression // gzip when empty
	TempDir     string      // where the blob is kept; os.TempDir() when empty
}

// BuildLayer writes the plan as a tar stream, compresses it, and keeps the
// result in a temporary file, all in one pass.
func BuildLayer(p *Plan, opts LayerOptions) (*Layer, error) {
	if opts.Compression == "" {
		opts.Compression = Gzip
	}
	mtime := opts.ModTime
	if mtime.IsZero() {
		mtime = time.Unix(0, 0)
	}
	f, err := os.CreateTemp(opts.TempDir, "scratchpack-layer-*")
	if err != nil {
		return nil, fmt.Errorf("creating layer file: %w", err)
	}
	l := &Layer{file: f.Name(), compression: opts.Compression}
	if err := l.write(f, p, mtime.UTC()); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return nil, fmt.Errorf("writing layer file: %w", err)
	}
	return l, nil
}

func (l *Layer) write(f *os.File, p *Plan, mtime time.Time) error {
	blobHash := sha256.New()
	counter := &countWriter{}
	zw, err := l.compression.compressor(io.MultiWriter(f, blobHash, counter))
	if err != nil {
		return err
	}
	tarHash := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(zw, tarHash))
	for _, e := range p.Entries() {
		if err := writeEntry(tw, e, mtime); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	l.digest = sumHash(blobHash)
	l.diffID = sumHash(tarHash)
	l.size = counter.n
	return nil
}

func writeEntry(tw *tar.Writer, e Entry, mtime time.Time) error {
	hdr := &tar.Header{
		Name:    strings.TrimPrefix(e.Path, "/"),
		Mode:    int64(e.Mode.Perm()),
		Uid:     e.UID,
		Gid:     e.GID,
		ModTime: mtime,
		Format:  tar.FormatPAX,
	}
	if e.Mode&fs.ModeSticky != 0 {
		hdr.Mode |= 0o1000
	}
	switch e.Type {
	case TypeDir:
		hdr.Typeflag = tar.TypeDir
		hdr.Name += "/"
		return tw.WriteHeader(hdr)
	case TypeSymlink:
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname = e.Linkname
		return tw.WriteHeader(hdr)
	}
	if e.Source == "" {
		hdr.Typeflag = tar.TypeReg
		hdr.Size = int64(len(e.Data))
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(e.Data)
		return err
	}
	src, fi, err := e.open()
	if err != nil {
		return fmt.Errorf("%s: %w", e.from(), unwrapPathErr(err))
	}
	defer src.Close()
	hdr.Typeflag = tar.TypeReg
	hdr.Size = fi.Size()
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.Copy(tw, src)
	if err != nil {
		return fmt.Errorf("%s: %w", e.from(), unwrapPathErr(err))
	}
	if n != fi.Size() {
		return fmt.Errorf("%s: changed size while it was read", e.from())
	}
	return nil
}

// Digest returns the sha256 of the compressed blob.
func (l *Layer) Digest() (v1.Hash, error) { return l.digest, nil }

// DiffID returns the sha256 of the uncompressed tar stream.
func (l *Layer) DiffID() (v1.Hash, error) { return l.diffID, nil }

// Size returns the size of the compressed blob.
func (l *Layer) Size() (int64, error) { return l.size, nil }

// MediaType returns the OCI layer media type for the compression.
func (l *Layer) MediaType() (types.MediaType, error) { return l.compression.mediaType(), nil }

// Compressed opens the blob.
func (l *Layer) Compressed() (io.ReadCloser, error) { return os.Open(l.file) }

// Uncompressed opens the blob and decompresses it as it is read.
func (l *Layer) Uncompressed() (io.ReadCloser, error) {
	f, err := os.Open(l.file)
	if err != nil {
		return nil, err
	}
	r, err := l.compression.decompressor(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &readCloser{Reader: r, close: func() error { r.Close(); return f.Close() }}, nil
}

// Compression says how the blob is compressed.
func (l *Layer) Compression() Compression { return l.compression }

// Close removes the layer's temporary file.
func (l *Layer) Close() error { return os.Remove(l.file) }

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func sumHash(h hash.Hash) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
}

// unwrapPathErr drops the path from an *fs.PathError, which the caller
// names itself.
func unwrapPathErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
