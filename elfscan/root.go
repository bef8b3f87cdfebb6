package elfscan

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/scratchpack/scratchpack/internal/symlink"
)

// Link is one symlink met on the way from a path to the file it names.
type Link struct {
	Path   string `json:"path"`   // the symlink, an absolute path in its root
	Target string `json:"target"` // what it points to, as written
}

// Root is a tree that resolution reads as "/": the host, a sysroot, an
// image's extracted file system, or any fs.ReadLinkFS. Every path is walked
// one component at a time through the root's own symlinks, an absolute
// target starting again at the root, so that nothing outside it is read.
type Root struct {
	fsys fs.ReadLinkFS
	dir  string // the host directory the root is, or "" when it is not one
	name string // how messages name it
}

// HostRoot is the host's own file system.
func HostRoot() *Root {
	return &Root{fsys: os.DirFS("/").(fs.ReadLinkFS), dir: "/", name: "the host"}
}

// DirRoot is the host directory dir seen as "/", as a sysroot is.
func DirRoot(dir string) *Root {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if dir == "/" {
		return HostRoot()
	}
	return &Root{fsys: os.DirFS(dir).(fs.ReadLinkFS), dir: dir, name: dir}
}

// FSRoot is fsys seen as "/"; name says what it is in messages (say,
// "image nginx:1.27").
func FSRoot(fsys fs.ReadLinkFS, name string) *Root {
	return &Root{fsys: fsys, name: name}
}

// String names the root in messages.
func (r *Root) String() string { return r.name }

// FS returns the file system the root reads.
func (r *Root) FS() fs.ReadLinkFS { return r.fsys }

// HostPath maps an absolute path in the root to the host path of the
// same file, or "" when the root is not a host directory.
func (r *Root) HostPath(p string) string {
	if r.dir == "" {
		return ""
	}
	return filepath.Join(r.dir, p)
}

// Eval follows every symlink in the absolute path p, the way the kernel
// would inside a chroot to the root, and returns the real path with the
// symlinks it went through.
func (r *Root) Eval(p string) (string, []Link, error) {
	real, steps, err := symlink.Resolve(p, func(next string) (string, bool, error) {
		fi, err := r.fsys.Lstat(fsName(next))
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return "", false, err
		}
		target, err := r.fsys.ReadLink(fsName(next))
		return target, err == nil, err
	})
	if err != nil {
		return "", nil, err
	}
	links := make([]Link, len(steps))
	for i, s := range steps {
		links[i] = Link(s)
	}
	return real, links, nil
}

var (
	_ fs.StatFS     = (*Root)(nil)
	_ fs.ReadFileFS = (*Root)(nil)
)

// Stat follows p's symlinks in the root and describes the file it names.
func (r *Root) Stat(p string) (fs.FileInfo, error) {
	real, _, err := r.Eval(p)
	if err != nil {
		return nil, err
	}
	return r.fsys.Lstat(fsName(real))
}

// OpenFile follows p's symlinks in the root and opens the regular file it
// names. Anything else (a directory, a device, a FIFO, a file of the
// host's /proc, /sys or /dev) is refused before it is opened, so that no
// read can block or run forever.
func (r *Root) OpenFile(p string) (fs.File, fs.FileInfo, error) {
	real, fi, err := r.lstatReal(p)
	if err != nil {
		return nil, fi, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fi, &fs.PathError{Op: "open", Path: p, Err: errNotRegular(fi)}
	}
	f, err := r.fsys.Open(fsName(real))
	if err != nil {
		return nil, nil, err
	}
	return f, fi, nil
}

// Open opens the regular file or directory name (an io/fs name, or an
// absolute path) with its symlinks followed inside the root, so that a
// Root is an fs.FS that cannot be led out of itself.
func (r *Root) Open(name string) (fs.File, error) {
	real, fi, err := r.lstatReal(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() && !fi.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errNotRegular(fi)}
	}
	return r.fsys.Open(fsName(real))
}

// lstatReal follows p's symlinks and describes what it names, refusing
// the host's kernel file systems.
func (r *Root) lstatReal(p string) (string, fs.FileInfo, error) {
	real, _, err := r.Eval(p)
	if err != nil {
		return "", nil, err
	}
	fi, err := r.fsys.Lstat(fsName(real))
	if err != nil {
		return "", nil, err
	}
	if r.dir == "/" && kernelPath(real) {
		return "", fi, &fs.PathError{Op: "open", Path: p, Err: errors.New("is in a kernel file system (/proc, /sys or /dev)")}
	}
	return real, fi, nil
}

// ReadFile reads the regular file at p.
func (r *Root) ReadFile(p string) ([]byte, error) {
	f, _, err := r.OpenFile(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func (r *Root) isDir(p string) bool {
	fi, err := r.Stat(p)
	return err == nil && fi.IsDir()
}

// key identifies a file across Roots of the same host directory, so that
// a Cache shared by several Scans reads each library once.
func (r *Root) key(p string) fileKey {
	if r.dir != "" {
		return fileKey{dir: r.dir, path: p}
	}
	return fileKey{root: r, path: p}
}

type fileKey struct {
	dir  string
	root *Root
	path string
}

// Same reports whether r and o are the same tree.
func (r *Root) Same(o *Root) bool {
	return r == o || r != nil && o != nil && r.dir != "" && r.dir == o.dir
}

// kernelPath reports whether the host path p is in /proc, /sys or /dev,
// whose files are not what they seem to a reader.
func kernelPath(p string) bool {
	for _, d := range []string{"/proc", "/sys", "/dev"} {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// fsName turns an absolute slash path into an io/fs name.
func fsName(p string) string {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if p == "" {
		return "."
	}
	return p
}

// errNotRegular says what a file is instead of a regular file.
func errNotRegular(fi fs.FileInfo) error {
	switch m := fi.Mode(); {
	case m.IsDir():
		return errors.New("is a directory")
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return errors.New("is a device")
	case m&fs.ModeNamedPipe != 0:
		return errors.New("is a FIFO")
	case m&fs.ModeSocket != 0:
		return errors.New("is a socket")
	}
	return errors.New("is not a regular file")
}

// readerAt returns f as an io.ReaderAt, reading it into memory when the
// file system's files cannot read at an offset.
func readerAt(f fs.File) (io.ReaderAt, error) {
	if ra, ok := f.(io.ReaderAt); ok {
		return ra, nil
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return bytes.NewReader(data), nil
}

// ReadLink returns the target of the symlink p, its directory's symlinks
// followed inside the root.
func (r *Root) ReadLink(p string) (string, error) {
	dir, _, err := r.Eval(path.Dir(path.Clean("/" + p)))
	if err != nil {
		return "", err
	}
	return r.fsys.ReadLink(fsName(path.Join(dir, path.Base(p))))
}

// ReadDir lists the directory p, its symlinks followed inside the root.
func (r *Root) ReadDir(p string) ([]fs.DirEntry, error) {
	real, _, err := r.Eval(p)
	if err != nil {
		return nil, err
	}
	return fs.ReadDir(r.fsys, fsName(real))
}
