package layer

import (
	"archive/tar"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/internal/ctxio"
	"github.com/scratchpack/scratchpack/internal/stale"
	"github.com/scratchpack/scratchpack/internal/tarblock"
	"github.com/scratchpack/scratchpack/pack/internal/blockz"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// Layer is a layer blob kept in a temporary file, after a tar header's
// room (see LinkBlob), with its digests computed while it was written. It
// implements v1.Layer. Reading it stops when the context it was built
// with is done. Close removes the file's temporary name.
type Layer struct {
	ctx  context.Context
	held *os.File // the blob's file, open and held (see internal/stale) while the layer lives
	// fill, for a layer reused from the cache, makes held on first need
	// (see Cache): its digests are known before its bytes, and a
	// push that finds the blob in the registry never reads it.
	fill        func() (*os.File, error)
	fillOnce    sync.Once
	fillErr     error
	stored      <-chan struct{} // closed once the layer cache kept the blob; Close waits for it
	linked      atomic.Bool     // the file has a second name, given by LinkBlob
	compression Compression
	digest      v1.Hash
	diffID      v1.Hash
	size        int64
	// Files are the checksums of every regular file, by image path, when
	// Options.HashFiles asked for them (for an SBOM).
	Files map[string]Sums
}

// Sums are a file's checksums, hex.
type Sums struct{ SHA1, SHA256 string }

var _ v1.Layer = (*Layer)(nil)

// Options sets what the layer's tar headers and blob look like.
type Options struct {
	ModTime     time.Time   // every entry's mtime; the zero time means the Unix epoch
	Compression Compression // gzip when empty
	TempDir     string      // where the blob is kept; os.TempDir() when empty
	HashFiles   bool        // record each file's checksums in Layer.Files
	// Cache, when set, reuses the layer built from the same inputs and
	// options, and keeps the one built (see Cache).
	Cache *Cache
}

// layerPattern names the temporary blobs, so that a run can remove those
// a killed run left.
const layerPattern = "scratchpack-layer-*"

// Build writes the plan as a tar stream, compresses it, and keeps the
// result in a temporary file, all in one pass. It stops when ctx is done,
// leaving nothing behind.
func Build(ctx context.Context, p *plan.Plan, opts Options) (*Layer, error) {
	if opts.Compression == "" {
		opts.Compression = Gzip
	}
	if opts.ModTime.IsZero() {
		opts.ModTime = time.Unix(0, 0)
	}
	opts.ModTime = opts.ModTime.UTC()
	if opts.TempDir == "" {
		opts.TempDir = os.TempDir()
	}
	stale.Sweep(filepath.Join(opts.TempDir, layerPattern))
	if c := opts.Cache; c != nil {
		if key := c.key(p, opts); key != "" {
			if l, err := c.lookup(ctx, key, p, opts); l != nil || err != nil {
				return l, err
			}
			return c.build(ctx, key, p, opts)
		}
	}
	return buildLayer(ctx, p, opts, nil)
}

// buildLayer is BuildLayer with its options filled in, and no cache. The
// sha256 of each file whose path is in hashes is put there.
func buildLayer(ctx context.Context, p *plan.Plan, opts Options, hashes map[string]string) (*Layer, error) {
	l, err := newLayerFile(ctx, opts.TempDir, opts.Compression)
	if err != nil {
		return nil, err
	}
	if opts.HashFiles {
		l.Files = map[string]Sums{}
	}
	if err := l.write(ctx, &tempWriter{f: l.held, dir: opts.TempDir}, p, opts.ModTime, hashes); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// newLayerFile creates the temporary file of a layer in dir, positioned
// after the blob's room.
func newLayerFile(ctx context.Context, dir string, c Compression) (*Layer, error) {
	f, err := os.CreateTemp(dir, layerPattern)
	if err != nil {
		return nil, fmt.Errorf("temporary directory %s: %w; set TMPDIR to a writable directory", dir, unwrapPathErr(err))
	}
	stale.Hold(f)
	l := &Layer{ctx: ctx, held: f, compression: c}
	if _, err := f.Seek(blobRoom, io.SeekStart); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// tempWriter is the temporary blob; its errors name the temp directory,
// since a full disk there is no fault of the files being packed.
type tempWriter struct {
	f   *os.File
	dir string
}

func (w *tempWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = &tempError{fmt.Errorf("writing the layer in %s: %w; free space there or set TMPDIR", w.dir, unwrapPathErr(err))}
	}
	return n, err
}

// tempError marks a failure of the temporary blob, not of a source.
type tempError struct{ error }

func (e *tempError) Unwrap() error { return e.error }

// write writes the plan's tar stream into the compressing writer, the
// headers as archive/tar writes them (internal/tarblock) and the files'
// contents read straight into its blocks, so that no byte is copied
// twice.
func (l *Layer) write(ctx context.Context, w io.Writer, p *plan.Plan, mtime time.Time, hashes map[string]string) error {
	z := l.compression.writer(w, tarSize(p))
	var err error
	for _, e := range p.Entries() {
		if err = ctx.Err(); err != nil {
			break
		}
		var sums *Sums
		_, hashIt := hashes[e.Path]
		withSHA1 := l.Files != nil
		if e.Type == plan.TypeFile && (withSHA1 || hashIt) {
			sums = &Sums{}
		}
		if err = writeEntry(ctx, z, e, mtime, sums, withSHA1); err != nil {
			break
		}
		if sums != nil && withSHA1 {
			l.Files[e.Path] = *sums
		}
		if hashIt {
			hashes[e.Path] = sums.SHA256
		}
	}
	if err == nil {
		err = tarblock.End(z)
	}
	if cerr := z.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	in, out, size := z.Sums()
	l.diffID = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(in)}
	l.digest = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(out)}
	l.size = size
	return nil
}

// tarSize is about the size of the plan's tar stream: each entry's
// header and contents, the end of the archive; or 0, unknown, when a
// file's size was not stamped when it was planned.
func tarSize(p *plan.Plan) int64 {
	n := int64(2 * tarblock.Size)
	for _, e := range p.Entries() {
		if e.Type == plan.TypeFile && e.Source != "" && e.Stamp == (plan.Stamp{}) {
			return 0
		}
		n += tarblock.Size + int64(len(e.Data)) + e.Stamp.Size
	}
	return n
}

// writeEntry writes e's header and contents, and the file's checksums
// into sums when it is not nil: its sha256, and its sha1 when withSHA1.
func writeEntry(ctx context.Context, z *blockz.Writer, e plan.Entry, mtime time.Time, sums *Sums, withSHA1 bool) error {
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
	for k, v := range e.Xattrs {
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = map[string]string{}
		}
		hdr.PAXRecords["SCHILY.xattr."+k] = v
	}
	switch e.Type {
	case plan.TypeDir:
		hdr.Typeflag = tar.TypeDir
		hdr.Name += "/"
		return tarblock.WriteHeader(z, hdr)
	case plan.TypeSymlink:
		hdr.Typeflag = tar.TypeSymlink
		hdr.Linkname = e.Linkname
		return tarblock.WriteHeader(z, hdr)
	}
	var h1, h256 hash.Hash
	var sink io.Writer // the hashes, when sums is set
	if sums != nil {
		h256 = sha256.New()
		sink = h256
		if withSHA1 {
			h1 = sha1.New()
			sink = io.MultiWriter(h1, h256)
		}
		defer func() {
			*sums = Sums{SHA256: hex.EncodeToString(h256.Sum(nil))}
			if withSHA1 {
				sums.SHA1 = hex.EncodeToString(h1.Sum(nil))
			}
		}()
	}
	hdr.Typeflag = tar.TypeReg
	if e.Source == "" {
		hdr.Size = int64(len(e.Data))
		if err := tarblock.WriteHeader(z, hdr); err != nil {
			return err
		}
		if sink != nil {
			sink.Write(e.Data)
		}
		if _, err := z.Write(e.Data); err != nil {
			return err
		}
		return tarblock.Pad(z, hdr.Size)
	}
	src, fi, err := e.Open()
	if err != nil {
		return fmt.Errorf("%s: %w", e.From(), unwrapPathErr(err))
	}
	defer src.Close()
	before := plan.StampOf(fi)
	if e.Stamp != (plan.Stamp{}) && before != e.Stamp {
		return fmt.Errorf("%s: changed after it was scanned; pack it again once it is written", e.From())
	}
	hdr.Size = fi.Size()
	if err := tarblock.WriteHeader(z, hdr); err != nil {
		return err
	}
	// Read straight into the compressing writer's blocks, never past the
	// size the header gave.
	var r io.Reader = io.LimitReader(ctxio.Reader(ctx, src), hdr.Size)
	if sink != nil {
		r = io.TeeReader(r, sink)
	}
	n, err := z.ReadFrom(r)
	var te *tempError
	switch {
	case errors.As(err, &te), errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case err != nil:
		return fmt.Errorf("%s: %w", e.From(), unwrapPathErr(err))
	}
	after, err := src.Stat()
	if err != nil || n != fi.Size() || plan.StampOf(after) != before {
		return fmt.Errorf("%s: changed while it was read; pack it again once it is written", e.From())
	}
	return tarblock.Pad(z, hdr.Size)
}

// Digest returns the sha256 of the compressed blob.
func (l *Layer) Digest() (v1.Hash, error) { return l.digest, nil }

// DiffID returns the sha256 of the uncompressed tar stream.
func (l *Layer) DiffID() (v1.Hash, error) { return l.diffID, nil }

// Size returns the size of the compressed blob.
func (l *Layer) Size() (int64, error) { return l.size, nil }

// MediaType returns the OCI layer media type for the compression.
func (l *Layer) MediaType() (types.MediaType, error) { return l.compression.mediaType(), nil }

// Compressed opens the blob. Copied into a file with io.Copy, it is
// copied by the kernel (copy_file_range), not through the process.
func (l *Layer) Compressed() (io.ReadCloser, error) {
	f, err := l.file()
	if err != nil {
		return nil, err
	}
	return &blobReader{ctx: l.ctx, f: f, off: blobRoom, end: blobRoom + l.size}, nil
}

// Uncompressed opens the blob and decompresses it as it is read.
func (l *Layer) Uncompressed() (io.ReadCloser, error) {
	blob, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	return l.compression.decompressor(blob)
}

// file returns the blob's file, made first for a layer from the cache.
func (l *Layer) file() (*os.File, error) {
	if l.fill != nil {
		l.fillOnce.Do(func() { l.held, l.fillErr = l.fill() })
	}
	return l.held, l.fillErr
}

// Compression says how the blob is compressed.
func (l *Layer) Compression() Compression { return l.compression }

// Close removes the layer's temporary file.
func (l *Layer) Close() error {
	if l.stored != nil {
		<-l.stored
	}
	l.fillOnce.Do(func() { l.fillErr = errors.New("the layer is closed") })
	if l.held == nil {
		return nil
	}
	err := os.Remove(l.held.Name())
	l.held.Close()
	return err
}

// unwrapPathErr drops the path from an *fs.PathError, which the caller
// names itself.
func unwrapPathErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
