package elfscan

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// dirFS is the tree of a host directory, read without ever leaving it:
// each operation opens the directory once and opens every path relative
// to that descriptor, with an opener that refuses symlinks on the way;
// and a file is checked, once open, to be the one the walk described
// (device and inode). It holds no descriptor between operations, so that
// Roots stay plain values that need no closing.
type dirFS struct {
	dir    string // the host directory, absolute
	opener opener
}

func (d dirFS) handle() (handle, error) {
	fd, err := openat(unix.AT_FDCWD, d.dir, unix.O_PATH|unix.O_DIRECTORY)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: d.dir, Err: err}
	}
	return &dirHandle{d: d, fd: fd}, nil
}

// dirHandle is a dirFS's directory, open for one operation.
type dirHandle struct {
	d  dirFS
	fd int // O_PATH
}

func (h *dirHandle) release() { unix.Close(h.fd) }

// openAt opens p, a clean absolute path in the tree, with flags.
func (h *dirHandle) openAt(p string, flags int) (int, error) {
	return h.d.opener.open(h.fd, fsName(p), flags)
}

// hostPath names p on the host, for messages.
func (d dirFS) hostPath(p string) string { return filepath.Join(d.dir, p) }

// lstat describes p itself, and reads its target when it is a symlink.
// It opens p's directory, not p: a stat and a readlink of the name in
// that directory cannot follow a symlink either, and a file that is only
// looked at is never opened (its only opens are its reads).
func (h *dirHandle) lstat(p string) (fs.FileInfo, string, error) {
	dirfd, base := h.fd, path.Base(p)
	if p == "/" {
		base = "."
	}
	if dir := path.Dir(p); dir != "/" {
		fd, err := h.openAt(dir, unix.O_PATH|unix.O_DIRECTORY)
		if err == unix.ENOTDIR {
			// A symlink or a file on the way: the kernel tells which
			// (ELOOP, ENOTDIR) when it walks the whole path.
			fd, err = h.openAt(p, unix.O_PATH|unix.O_NOFOLLOW)
			if err == nil {
				unix.Close(fd)
				err = unix.ENOTDIR // a name that was a directory is one no more
			}
		}
		if err != nil {
			return nil, "", &fs.PathError{Op: "lstat", Path: fsName(p), Err: err}
		}
		defer unix.Close(fd)
		dirfd = fd
	}
	fi, err := fstatat(dirfd, base, path.Base(p))
	if err != nil {
		return nil, "", &fs.PathError{Op: "lstat", Path: fsName(p), Err: err}
	}
	if fi.Mode()&fs.ModeSymlink == 0 {
		return fi, "", nil
	}
	target, err := readLinkAt(dirfd, base)
	if err != nil {
		return nil, "", &fs.PathError{Op: "readlink", Path: fsName(p), Err: err}
	}
	return fi, target, nil
}

// readLinkAt reads the target of the symlink name in the directory dirfd.
func readLinkAt(dirfd int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(dirfd, name, buf)
		if err == unix.EINTR {
			size /= 2
			continue
		}
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

// errReplaced is open's answer for a path that, between the walk and the
// open, came to name another file.
var errReplaced = errors.New("was replaced while it was opened; try again once the tree is not being changed")

// open opens p, which the walk described as want, a regular file or a
// directory. O_NONBLOCK and O_NOCTTY keep a FIFO or a terminal swapped
// in from blocking or taking over; whatever was opened is refused unless
// it is the very file (device and inode) the walk saw.
func (h *dirHandle) open(p string, want fs.FileInfo) (fs.File, fs.FileInfo, error) {
	flags := unix.O_RDONLY | unix.O_NONBLOCK | unix.O_NOCTTY
	if want.IsDir() {
		flags |= unix.O_DIRECTORY
	}
	fd, err := h.openAt(p, flags)
	if err != nil {
		return nil, nil, &fs.PathError{Op: "open", Path: fsName(p), Err: err}
	}
	fi, err := fstat(fd, path.Base(p))
	if err == nil {
		err = checkOpened(fi, want)
	}
	if err != nil {
		unix.Close(fd)
		return nil, nil, &fs.PathError{Op: "open", Path: fsName(p), Err: err}
	}
	f := os.NewFile(uintptr(fd), h.d.hostPath(p))
	if fi.IsDir() {
		return &dirFile{f: f, fi: fi, info: h.d.entryInfo(p)}, fi, nil
	}
	return f, fi, nil
}

// checkOpened refuses an opened file that is not a regular file or
// directory, or not the file want describes.
func checkOpened(got *fileStat, want fs.FileInfo) error {
	if !got.Mode().IsRegular() && !got.IsDir() {
		return errNotRegular(got)
	}
	w, ok := want.(*fileStat)
	if !ok || w.st.Dev != got.st.Dev || w.st.Ino != got.st.Ino || w.Mode().Type() != got.Mode().Type() {
		return errReplaced
	}
	return nil
}

// readDir lists the directory p.
func (h *dirHandle) readDir(p string) ([]fs.DirEntry, error) {
	fd, err := h.openAt(p, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: fsName(p), Err: err}
	}
	defer unix.Close(fd)
	ents, err := readDirFd(fd, h.d.entryInfo(p))
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: fsName(p), Err: err}
	}
	return ents, nil
}

// entryInfo describes the entries of the directory p by their names.
func (d dirFS) entryInfo(p string) func(name string) (fs.FileInfo, error) {
	return func(name string) (fs.FileInfo, error) {
		h, err := d.handle()
		if err != nil {
			return nil, err
		}
		defer h.release()
		fi, _, err := h.lstat(path.Join(p, name))
		return fi, err
	}
}

// dirFile is a directory open in a dirFS.
type dirFile struct {
	f    *os.File
	fi   fs.FileInfo
	info func(name string) (fs.FileInfo, error)

	ents []fs.DirEntry // what is left to return, once listed
	read bool
}

func (f *dirFile) Stat() (fs.FileInfo, error) { return f.fi, nil }

func (f *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: f.f.Name(), Err: syscall.EISDIR}
}

func (f *dirFile) Close() error { return f.f.Close() }

// ReadDir lists the directory once, then returns its entries n at a
// time, as fs.ReadDirFile says.
func (f *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	if !f.read {
		ents, err := readDirFd(int(f.f.Fd()), f.info)
		runtime.KeepAlive(f.f)
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: f.f.Name(), Err: err}
		}
		f.ents, f.read = ents, true
	}
	if n <= 0 {
		ents := f.ents
		f.ents = nil
		return ents, nil
	}
	if len(f.ents) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(f.ents))
	ents := f.ents[:n:n]
	f.ents = f.ents[n:]
	return ents, nil
}
