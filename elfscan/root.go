package elfscan

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"strings"
	"syscall"

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
//
// In a host directory (HostRoot, DirRoot) the walk and every read are
// immune to the tree changing under them: each component is looked at,
// and the path Eval found is opened, relative to one descriptor of the
// directory by openat2 with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS (or one
// O_NOFOLLOW openat per component where the kernel lacks openat2), so a
// directory swapped for a symlink in between is an error, never a way
// out; and a file opened is refused unless it is the regular file, with
// the device and inode, that the walk saw.
type Root struct {
	fsys fs.ReadLinkFS // what FS returns
	tree tree          // what the Root reads
	dir  string        // the host directory the root is, or "" when it is not one
	name string        // how messages name it
}

// HostRoot is the host's own file system.
func HostRoot() *Root { return dirRoot("/", "the host") }

// DirRoot is the host directory dir seen as "/", as a sysroot is.
func DirRoot(dir string) *Root {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if dir == "/" {
		return HostRoot()
	}
	return dirRoot(dir, dir)
}

// dirRoot is the host directory dir, which messages call name, read
// with openat2 when the kernel has it.
func dirRoot(dir, name string) *Root { return dirRootWith(dir, name, chooseOpener(probeOpenat2)) }

// dirRootWith is dirRoot read with o.
func dirRootWith(dir, name string, o opener) *Root {
	r := &Root{tree: dirFS{dir: dir, opener: o}, dir: dir, name: name}
	r.fsys = r
	return r
}

// FSRoot is fsys seen as "/"; name says what it is in messages (say,
// "image nginx:1.27").
func FSRoot(fsys fs.ReadLinkFS, name string) *Root {
	return &Root{fsys: fsys, tree: fsTree{fsys}, name: name}
}

// String names the root in messages.
func (r *Root) String() string { return r.name }

// FS returns the file system the root reads: for a host directory, the
// Root itself, so that it too cannot be led out of the directory.
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
	h, err := r.tree.handle()
	if err != nil {
		return "", nil, err
	}
	defer h.release()
	real, links, _, err := eval(h, p)
	return real, links, err
}

// eval is Eval through h, which also returns what the walk saw of the
// real path itself: nil when it did not look at it ("/", or a directory
// reached by "..").
func eval(h handle, p string) (string, []Link, fs.FileInfo, error) {
	if sh, ok := h.(strictHandle); ok {
		return walkStrict(sh, p)
	}
	return walk(h, p)
}

// walk is eval with one h.lstat for each name.
func walk(h handle, p string) (string, []Link, fs.FileInfo, error) {
	var last string
	var lastInfo fs.FileInfo
	real, steps, err := symlink.Resolve(p, func(next string) (string, bool, error) {
		fi, target, err := h.lstat(next)
		if err != nil {
			return "", false, err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return target, true, nil
		}
		last, lastInfo = next, fi
		return "", false, nil
	})
	if err != nil {
		return "", nil, nil, err
	}
	links := make([]Link, len(steps))
	for i, s := range steps {
		links[i] = Link(s)
	}
	if real != last {
		lastInfo = nil
	}
	return real, links, lastInfo, nil
}

var (
	_ fs.StatFS     = (*Root)(nil)
	_ fs.ReadFileFS = (*Root)(nil)
	_ fs.ReadDirFS  = (*Root)(nil)
	_ fs.ReadLinkFS = (*Root)(nil)
)

// Stat follows p's symlinks in the root and describes the file it names.
func (r *Root) Stat(p string) (fs.FileInfo, error) {
	h, err := r.tree.handle()
	if err != nil {
		return nil, err
	}
	defer h.release()
	_, fi, err := evalStat(h, p)
	return fi, err
}

// evalStat follows p's symlinks and describes the file it names.
func evalStat(h handle, p string) (string, fs.FileInfo, error) {
	real, _, fi, err := eval(h, p)
	if err != nil || fi != nil {
		return real, fi, err
	}
	fi, _, err = h.lstat(real)
	return real, fi, err
}

// Lstat describes the file name (an io/fs name, or an absolute path)
// itself, a symlink as a symlink, its directory's symlinks followed
// inside the root.
func (r *Root) Lstat(name string) (fs.FileInfo, error) {
	fi, _, err := r.lstatLink(name)
	return fi, err
}

// lstatLink describes the file p itself, and gives its target when it is
// a symlink.
func (r *Root) lstatLink(p string) (fs.FileInfo, string, error) {
	h, err := r.tree.handle()
	if err != nil {
		return nil, "", err
	}
	defer h.release()
	p = path.Clean("/" + p)
	dir, _, _, err := eval(h, path.Dir(p))
	if err != nil {
		return nil, "", err
	}
	return h.lstat(path.Join(dir, path.Base(p)))
}

// OpenFile follows p's symlinks in the root and opens the regular file it
// names. Anything else (a directory, a device, a FIFO, a file of the
// host's /proc, /sys or /dev) is refused before it is opened, so that no
// read can block or run forever.
func (r *Root) OpenFile(p string) (fs.File, fs.FileInfo, error) {
	h, err := r.tree.handle()
	if err != nil {
		return nil, nil, err
	}
	defer h.release()
	real, fi, err := r.lstatReal(h, p)
	if err != nil {
		return nil, fi, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fi, &fs.PathError{Op: "open", Path: p, Err: errNotRegular(fi)}
	}
	return h.open(real, fi)
}

// Open opens the regular file or directory name (an io/fs name, or an
// absolute path) with its symlinks followed inside the root, so that a
// Root is an fs.FS that cannot be led out of itself.
func (r *Root) Open(name string) (fs.File, error) {
	h, err := r.tree.handle()
	if err != nil {
		return nil, err
	}
	defer h.release()
	real, fi, err := r.lstatReal(h, name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() && !fi.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errNotRegular(fi)}
	}
	f, _, err := h.open(real, fi)
	return f, err
}

// lstatReal follows p's symlinks and describes what it names, refusing
// the host's kernel file systems.
func (r *Root) lstatReal(h handle, p string) (string, fs.FileInfo, error) {
	real, fi, err := evalStat(h, p)
	if err != nil {
		return "", nil, err
	}
	if r.dir == "/" && kernelPath(real) {
		return "", fi, &fs.PathError{Op: "open", Path: p, Err: errors.New("is in a kernel file system (/proc, /sys or /dev)")}
	}
	return real, fi, nil
}

// ReadFile reads the regular file at p.
// It is for configuration and databases (ld.so.cache, nsswitch.conf,
// dpkg's status, a CA bundle), which a root made by someone else could
// make as large as it likes: a file larger than MaxReadFile is refused
// before it is read.
func (r *Root) ReadFile(p string) ([]byte, error) {
	f, fi, err := r.OpenFile(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi.Size() > MaxReadFile {
		return nil, &fs.PathError{Op: "read", Path: p, Err: errTooLarge}
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxReadFile+1))
	if err == nil && len(b) > MaxReadFile {
		return nil, &fs.PathError{Op: "read", Path: p, Err: errTooLarge}
	}
	return b, err
}

// MaxReadFile bounds what ReadFile reads of one file: Debian's whole
// dpkg status, the largest such file of a real system, is a few MiB.
const MaxReadFile = 64 << 20

var errTooLarge = fmt.Errorf("larger than the %d MiB bound elfscan.MaxReadFile on a file read whole; a configuration file that large is not a real one", MaxReadFile>>20)

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
	fi, target, err := r.lstatLink(p)
	if err != nil {
		return "", err
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		return "", &fs.PathError{Op: "readlink", Path: p, Err: syscall.EINVAL}
	}
	return target, nil
}

// ReadDir lists the directory p, its symlinks followed inside the root.
func (r *Root) ReadDir(p string) ([]fs.DirEntry, error) {
	h, err := r.tree.handle()
	if err != nil {
		return nil, err
	}
	defer h.release()
	real, _, _, err := eval(h, p)
	if err != nil {
		return nil, err
	}
	return h.readDir(real)
}
