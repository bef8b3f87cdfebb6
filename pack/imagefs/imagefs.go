// Package imagefs reads an image's file system, its layers applied in
// order with whiteouts honoured, as an fs.ReadLinkFS, without writing it
// out as files: the flattened tar stream goes to one temporary file and
// an index of its entries stays in memory, so memory does not grow with
// the image and no path in the image can reach the host. Symlinks are
// reported, never followed: an elfscan.Root walks them inside the image.
package imagefs

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// FS is an image's file system. Close removes its temporary file.
type FS struct {
	file    *os.File
	entries map[string]*entry // by clean path, without the leading slash
}

type entry struct {
	hdr *tar.Header
	off int64 // where the content starts in file
}

// Open flattens img into a temporary file in dir (os.TempDir() when
// empty) and indexes it.
func Open(img v1.Image, dir string) (*FS, error) {
	f, err := os.CreateTemp(dir, "scratchpack-image-*")
	if err != nil {
		return nil, fmt.Errorf("temporary directory: %w", err)
	}
	os.Remove(f.Name()) // kept open, gone when closed
	rc := mutate.Extract(img)
	defer rc.Close()
	fsys := &FS{file: f, entries: map[string]*entry{}}
	if err := fsys.index(io.TeeReader(rc, f)); err != nil {
		f.Close()
		return nil, err
	}
	return fsys, nil
}

// index reads the flattened tar stream (which the tee writes to the
// file) and records where each entry's content is.
func (fsys *FS) index(r io.Reader) error {
	cr := &countReader{r: r}
	tr := tar.NewReader(cr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading the image's layers: %w", err)
		}
		name := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
		if name == "" {
			continue
		}
		fsys.entries[name] = &entry{hdr: hdr, off: cr.n}
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return fmt.Errorf("reading the image's layers: %w", err)
		}
	}
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Close removes the temporary file.
func (fsys *FS) Close() error { return fsys.file.Close() }

// lookup returns the entry at name, following hard links; the root and
// directories only implied by their contents are directories.
func (fsys *FS) lookup(op, name string) (*entry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if e, ok := fsys.entries[name]; ok {
		for i := 0; e.hdr.Typeflag == tar.TypeLink && i < 40; i++ {
			t, ok := fsys.entries[strings.TrimPrefix(path.Clean("/"+e.hdr.Linkname), "/")]
			if !ok {
				return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
			}
			e = t
		}
		return e, nil
	}
	if name == "." || fsys.hasChildren(name) {
		return &entry{hdr: &tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755}}, nil
	}
	return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
}

func (fsys *FS) hasChildren(dir string) bool {
	for n := range fsys.entries {
		if strings.HasPrefix(n, dir+"/") {
			return true
		}
	}
	return false
}

// Lstat describes name without following a final symlink.
func (fsys *FS) Lstat(name string) (fs.FileInfo, error) {
	e, err := fsys.lookup("lstat", name)
	if err != nil {
		return nil, err
	}
	return info{e.hdr}, nil
}

// ReadLink returns a symlink's target.
func (fsys *FS) ReadLink(name string) (string, error) {
	e, err := fsys.lookup("readlink", name)
	if err != nil {
		return "", err
	}
	if e.hdr.Typeflag != tar.TypeSymlink {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return e.hdr.Linkname, nil
}

// Open opens a regular file or directory; a symlink is not followed here
// (the caller walks links inside the image).
func (fsys *FS) Open(name string) (fs.File, error) {
	e, err := fsys.lookup("open", name)
	if err != nil {
		return nil, err
	}
	switch e.hdr.Typeflag {
	case tar.TypeReg, tar.TypeDir:
	default:
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("not a regular file or directory")}
	}
	return &file{SectionReader: io.NewSectionReader(fsys.file, e.off, e.hdr.Size), hdr: e.hdr}, nil
}

var _ fs.ReadLinkFS = (*FS)(nil)

type file struct {
	*io.SectionReader
	hdr *tar.Header
}

func (f *file) Stat() (fs.FileInfo, error) { return info{f.hdr}, nil }
func (f *file) Close() error               { return nil }

// info is a tar header as fs.FileInfo.
type info struct{ hdr *tar.Header }

func (i info) Name() string       { return path.Base(i.hdr.Name) }
func (i info) Size() int64        { return i.hdr.Size }
func (i info) ModTime() time.Time { return i.hdr.ModTime }
func (i info) IsDir() bool        { return i.hdr.Typeflag == tar.TypeDir }
func (i info) Sys() any           { return i.hdr }
func (i info) Mode() fs.FileMode  { return i.hdr.FileInfo().Mode() }

// ReadDir lists a directory of the image.
func (fsys *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	if _, err := fsys.lookup("readdir", name); err != nil {
		return nil, err
	}
	prefix := name + "/"
	if name == "." {
		prefix = ""
	}
	seen := map[string]bool{}
	var out []fs.DirEntry
	for n, e := range fsys.entries {
		rest, ok := strings.CutPrefix(n, prefix)
		if !ok || rest == "" {
			continue
		}
		child, _, nested := strings.Cut(rest, "/")
		if seen[child] {
			continue
		}
		seen[child] = true
		if nested {
			out = append(out, fs.FileInfoToDirEntry(info{&tar.Header{Name: prefix + child, Typeflag: tar.TypeDir, Mode: 0o755}}))
		} else {
			out = append(out, fs.FileInfoToDirEntry(info{e.hdr}))
		}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}
