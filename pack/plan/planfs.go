package plan

import (
	"bytes"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/scratchpack/scratchpack/internal/symlink"
)

// planFS is the plan seen as a file system, the way the image will look:
// its directories and symlinks as planned, its files read from their
// sources. Verify resolves the program inside it, so nothing is written
// out to check a plan.
type planFS struct{ p *Plan }

var _ fs.ReadLinkFS = planFS{}

// lookup returns the entry at the io/fs name, following no symlink in
// its last element; the root directory is an implied entry.
func (f planFS) lookup(op, name string) (Entry, error) {
	if !fs.ValidPath(name) {
		return Entry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	p := path.Clean("/" + name)
	if p == "/" {
		return Entry{Path: "/", Type: TypeDir, Mode: 0o755}, nil
	}
	dir, _, err := symlink.Resolve(path.Dir(p), f.readlink)
	if err != nil {
		return Entry{}, &fs.PathError{Op: op, Path: name, Err: err}
	}
	e, ok := f.p.entries[path.Join(dir, path.Base(p))]
	if !ok {
		return Entry{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return e, nil
}

func (f planFS) readlink(p string) (string, bool, error) {
	e, ok := f.p.entries[p]
	if !ok {
		return "", false, fs.ErrNotExist
	}
	return e.Linkname, e.Type == TypeSymlink, nil
}

// Lstat describes the entry at name without following a final symlink.
func (f planFS) Lstat(name string) (fs.FileInfo, error) {
	e, err := f.lookup("lstat", name)
	if err != nil {
		return nil, err
	}
	size := int64(len(e.Data))
	if e.Type == TypeFile && e.Source != "" && e.Stamp != (Stamp{}) {
		size = e.Stamp.Size // as the file was when it was planned: the layer refuses it otherwise
	} else if e.Type == TypeFile && e.Source != "" {
		src, fi, err := e.Open()
		if err != nil {
			return nil, &fs.PathError{Op: "lstat", Path: name, Err: err}
		}
		src.Close()
		size = fi.Size()
	}
	return entryInfo{e: e, size: size}, nil
}

// ReadLink returns a planned symlink's target.
func (f planFS) ReadLink(name string) (string, error) {
	e, err := f.lookup("readlink", name)
	if err != nil {
		return "", err
	}
	if e.Type != TypeSymlink {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return e.Linkname, nil
}

// Open opens a planned file or directory; a symlink is followed.
func (f planFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	real, _, err := symlink.Resolve("/"+name, f.readlink)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	e, err := f.lookup("open", fsName(real))
	if err != nil {
		return nil, err
	}
	if e.Type == TypeFile && e.Source != "" {
		src, _, err := e.Open()
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return src, nil
	}
	return &dataFile{Reader: bytes.NewReader(e.Data), info: entryInfo{e: e, size: int64(len(e.Data))}}, nil
}

// fsName turns an absolute slash path into an io/fs name.
func fsName(p string) string {
	if p == "/" {
		return "."
	}
	return p[1:]
}

// entryInfo is an entry as fs.FileInfo.
type entryInfo struct {
	e    Entry
	size int64
}

func (i entryInfo) Name() string       { return path.Base(i.e.Path) }
func (i entryInfo) Size() int64        { return i.size }
func (i entryInfo) ModTime() time.Time { return time.Unix(0, 0) }
func (i entryInfo) IsDir() bool        { return i.e.Type == TypeDir }
func (i entryInfo) Sys() any           { return nil }
func (i entryInfo) Mode() fs.FileMode {
	switch i.e.Type {
	case TypeDir:
		return fs.ModeDir | i.e.Mode
	case TypeSymlink:
		return fs.ModeSymlink | 0o777
	}
	return i.e.Mode
}

// dataFile is a generated file or a directory, opened.
type dataFile struct {
	*bytes.Reader
	info entryInfo
}

func (d *dataFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dataFile) Close() error               { return nil }

var _ io.ReaderAt = (*dataFile)(nil)

// ReadDir lists a planned directory.
func (f planFS) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := f.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if e.Type != TypeDir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	var out []fs.DirEntry
	for p := range f.p.entries {
		if path.Dir(p) == e.Path && p != "/" {
			info, err := f.Lstat(fsName(p))
			if err != nil {
				return nil, err
			}
			out = append(out, fs.FileInfoToDirEntry(info))
		}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}
