// Package imagefs reads an image's file system, its layers applied in
// order as Docker applies them, as an fs.ReadLinkFS, without writing it
// out as files: file contents go to one temporary file and a tree of the
// entries' headers stays in memory, so memory does not grow with the
// size of the files and no path in the image can reach the host.
//
// A layer is used only after its compressed bytes matched the manifest's
// digest and its uncompressed bytes the config's diff_id (package
// verified); its entries are staged in a tree of its own and stacked onto
// the image only then (unpack.go says how Docker's rules are followed,
// merge.go how layers stack). Symlinks are reported, never followed: an
// elfscan.Root walks them inside the image.
package imagefs

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/pack/blobcache"
	"github.com/scratchpack/scratchpack/pack/internal/tarbound"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// The bounds on what an image's file system may hold. A layer that goes
// past one is refused with an error that names it. MaxEntries and
// MaxHeaderBytes bound memory, and inspect's listing applies them too
// (package tarbound); MaxFileBytes bounds the temporary file, which holds
// every regular file's content.
//
// MaxFileBytes is 64 GiB: the largest images in common use (CUDA
// development and machine-learning images) unpack to 10-25 GiB, so this
// leaves them more than twice that, while a layer of a few megabytes that
// unpacks to terabytes of zeros is refused before it fills the disk.
const (
	MaxEntries     = tarbound.MaxEntries     // tar entries, over all layers
	MaxHeaderBytes = tarbound.MaxHeaderBytes // bytes of names, link targets and owner names, over all layers
	MaxFileBytes   = 64 << 30                // bytes of regular files' contents, over all layers
)

// FS is an image's file system. Close removes its temporary file.
type FS struct {
	file  *os.File
	files []*os.File // the layers' tar streams, kept in a cache, that files are read out of
	root  *node
}

// Open reads img's layers, verifying each, into a temporary file in dir
// (os.TempDir() when empty) and a tree of its entries. It stops with
// ctx's error soon after ctx is cancelled.
func Open(ctx context.Context, img v1.Image, dir string) (*FS, error) {
	return OpenCached(ctx, img, dir, nil)
}

// OpenCached is Open with each layer's uncompressed tar stream kept in
// cache, named by its diff_id, when cache is set: a layer kept there is
// read from it, verified against the diff_id as it is read, and not
// decompressed again, and its files are read out of the stream in place
// (kept.go). An image opened again costs a read of its tar streams, not
// their decompression and a copy of every file.
func OpenCached(ctx context.Context, img v1.Image, dir string, cache *blobcache.Cache) (fsys *FS, err error) {
	layers, err := verified.Layers(img)
	if err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "scratchpack-image-*")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	os.Remove(f.Name()) // kept open, gone when closed
	b := newBuilder(ctx, f)
	b.cache = cache
	defer func() {
		if err != nil {
			f.Close()
			for _, k := range b.files {
				k.Close()
			}
		}
	}()
	root := newNode(implicitDir(), 0)
	for _, l := range layers {
		upper, err := b.layer(l)
		if err != nil {
			return nil, err
		}
		if err := merge(ctx, root, upper); err != nil {
			return nil, err
		}
	}
	if err := seal(ctx, root); err != nil {
		return nil, err
	}
	if err := b.w.Flush(); err != nil {
		return nil, fmt.Errorf("temporary file: %w", err)
	}
	return &FS{file: f, files: b.files, root: root}, nil
}

// builder reads layers into the temporary file, counting against the
// bounds.
type builder struct {
	ctx          context.Context
	w            *bufio.Writer
	off          int64 // bytes written to the file
	inPlace      int64 // bytes of the files read in place, out of kept tar streams
	count        *tarbound.Counter
	maxFileBytes int64
	buf          []byte           // for copies
	cache        *blobcache.Cache // where tar streams are kept, or nil
	files        []*os.File       // the kept tar streams files are read out of
}

// copyChunk is the most a copy writes between two checks of the context.
const copyChunk = 256 << 10

func newBuilder(ctx context.Context, f io.Writer) *builder {
	return &builder{ctx: ctx, w: bufio.NewWriterSize(f, 1<<20), buf: make([]byte, copyChunk),
		count: tarbound.New(), maxFileBytes: MaxFileBytes}
}

// layer reads one layer to its verified end and returns its own tree:
// from its kept tar stream, from its blob into a kept tar stream, or,
// with no cache, from its blob with the files' contents copied to the
// temporary file.
func (b *builder) layer(l verified.Layer) (*node, error) {
	if b.cache != nil && !l.Local {
		return b.keptLayer(l)
	}
	return b.copyLayer(l)
}

// copyLayer reads one layer, each regular file's content copied to the
// temporary file.
func (b *builder) copyLayer(l verified.Layer) (*node, error) {
	r, err := l.Open(b.ctx)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	u := newUnpacker()
	tr := tar.NewReader(r)
	for {
		if err := b.ctx.Err(); err != nil {
			return nil, err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, b.readErr(l, r, err)
		}
		if err := b.count.Add(hdr); err != nil {
			return nil, fmt.Errorf("%s: %w", l, err)
		}
		off := b.off
		if hdr.Typeflag == tar.TypeReg {
			if hdr.Size > b.maxFileBytes-b.off-b.inPlace {
				return nil, fmt.Errorf("%s: entry %s: the image's files are more than %d bytes, the bound imagefs.MaxFileBytes", l, tarbound.Quote(hdr.Name), b.maxFileBytes)
			}
			if err := b.copy(tr); err != nil {
				return nil, b.readErr(l, r, err)
			}
		}
		if err := u.add(hdr, off); err != nil {
			return nil, fmt.Errorf("%s: entry %s %w", l, tarbound.Quote(hdr.Name), err)
		}
	}
	if err := r.Finish(); err != nil {
		return nil, err
	}
	return u.root, nil
}

// copy copies a regular file's content to the temporary file, checking
// the context before each chunk: a file of gigabytes stops within one
// chunk of a cancel.
func (b *builder) copy(r io.Reader) error {
	for {
		if err := b.ctx.Err(); err != nil {
			return err
		}
		n, err := r.Read(b.buf)
		if n > 0 {
			if _, werr := b.w.Write(b.buf[:n]); werr != nil {
				return &writeError{werr}
			}
			b.off += int64(n)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// readErr is the error of a layer that could not be read: the
// verification's when the stream failed it (a wrong or cut-short blob
// makes a broken tar stream too), the tar reader's otherwise.
func (b *builder) readErr(l verified.Layer, r *verified.Reader, err error) error {
	if b.ctx.Err() != nil {
		return b.ctx.Err()
	}
	var werr *writeError
	if errors.As(err, &werr) {
		return fmt.Errorf("temporary file: %w", werr.err)
	}
	if verr := r.Finish(); verr != nil {
		return verr
	}
	return fmt.Errorf("%s: not a tar stream: %w", l, err)
}

// writeError is an error of the temporary file, told apart from the
// layer's.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

// Close removes the temporary file and closes the kept tar streams.
func (fsys *FS) Close() error {
	for _, f := range fsys.files {
		f.Close()
	}
	return fsys.file.Close()
}

// lookup returns the node at name; symlinks are not followed, and a name
// beneath one does not exist.
func (fsys *FS) lookup(op, name string) (*node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	n := fsys.root
	if name == "." {
		return n, nil
	}
	for _, c := range strings.Split(name, "/") {
		if !n.isDir() {
			return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		if n = n.kids[c]; n == nil {
			return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
	}
	return n, nil
}

// Lstat describes name without following a final symlink.
func (fsys *FS) Lstat(name string) (fs.FileInfo, error) {
	n, err := fsys.lookup("lstat", name)
	if err != nil {
		return nil, err
	}
	return info{path.Base(name), n.ino.hdr}, nil
}

// ReadLink returns a symlink's target.
func (fsys *FS) ReadLink(name string) (string, error) {
	n, err := fsys.lookup("readlink", name)
	if err != nil {
		return "", err
	}
	if !n.isSymlink() {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return n.ino.hdr.Linkname, nil
}

// Open opens a regular file or directory; a symlink is not followed here
// (the caller walks links inside the image).
func (fsys *FS) Open(name string) (fs.File, error) {
	n, err := fsys.lookup("open", name)
	if err != nil {
		return nil, err
	}
	h := n.ino.hdr
	switch h.Typeflag {
	case tar.TypeReg:
		src := n.ino.src
		if src == nil {
			src = fsys.file
		}
		return &file{SectionReader: io.NewSectionReader(src, n.ino.off, h.Size), fi: info{path.Base(name), h}}, nil
	case tar.TypeDir:
		return &file{SectionReader: io.NewSectionReader(fsys.file, 0, 0), fi: info{path.Base(name), h}}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("not a regular file or directory")}
}

var (
	_ fs.ReadLinkFS = (*FS)(nil)
	_ fs.ReadDirFS  = (*FS)(nil)
)

type file struct {
	*io.SectionReader
	fi info
}

func (f *file) Stat() (fs.FileInfo, error) { return f.fi, nil }
func (f *file) Close() error               { return nil }

// info is a tar header as fs.FileInfo.
type info struct {
	name string
	hdr  *tar.Header
}

func (i info) Name() string       { return i.name }
func (i info) Size() int64        { return i.hdr.Size }
func (i info) ModTime() time.Time { return i.hdr.ModTime }
func (i info) IsDir() bool        { return i.hdr.Typeflag == tar.TypeDir }
func (i info) Sys() any           { return i.hdr }
func (i info) Mode() fs.FileMode  { return i.hdr.FileInfo().Mode() }

// ReadDir lists a directory of the image, sorted by name.
func (fsys *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	n, err := fsys.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if !n.isDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errNotDir}
	}
	ents := make([]dirEntry, len(n.names)) // one allocation, not two an entry
	out := make([]fs.DirEntry, len(n.names))
	for i, k := range n.names {
		ents[i] = dirEntry{info{k, n.kids[k].ino.hdr}}
		out[i] = &ents[i]
	}
	return out, nil
}

// dirEntry is an entry of a directory listing.
type dirEntry struct{ info }

func (d *dirEntry) Type() fs.FileMode          { return d.Mode().Type() }
func (d *dirEntry) Info() (fs.FileInfo, error) { return d.info, nil }
func (d *dirEntry) String() string             { return fs.FormatDirEntry(d) }
