package elfscan

import (
	"io/fs"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fileStat is an fs.FileInfo made from a stat(2) of a descriptor. Its Sys
// is the *syscall.Stat_t, as os's is, so that callers can read its device,
// inode and change time.
type fileStat struct {
	name string
	st   syscall.Stat_t
}

// fstat describes the open file fd, named name.
func fstat(fd int, name string) (*fileStat, error) {
	fi := &fileStat{name: name}
	for {
		err := syscall.Fstat(fd, &fi.st)
		if err != syscall.EINTR {
			if err != nil {
				return nil, err
			}
			return fi, nil
		}
	}
}

// fstatat describes name in the directory dirfd itself, a symlink as a
// symlink, without opening it; the fileStat is named base.
func fstatat(dirfd int, name, base string) (*fileStat, error) {
	var st unix.Stat_t
	for {
		err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW)
		if err != unix.EINTR {
			if err != nil {
				return nil, err
			}
			// Both are the kernel's struct stat (see below).
			return &fileStat{name: base, st: *(*syscall.Stat_t)(unsafe.Pointer(&st))}, nil
		}
	}
}

// This fails to compile where x/sys/unix's Stat_t and syscall's
// differ in size: fstatat converts one to the other.
var _ = [1]struct{}{}[unsafe.Sizeof(unix.Stat_t{})-unsafe.Sizeof(syscall.Stat_t{})]

func (fi *fileStat) Name() string       { return fi.name }
func (fi *fileStat) Size() int64        { return fi.st.Size }
func (fi *fileStat) ModTime() time.Time { return time.Unix(fi.st.Mtim.Sec, fi.st.Mtim.Nsec) }
func (fi *fileStat) IsDir() bool        { return fi.Mode().IsDir() }
func (fi *fileStat) Sys() any           { return &fi.st }

// Mode converts the kernel's mode bits as os does.
func (fi *fileStat) Mode() fs.FileMode {
	m := fs.FileMode(fi.st.Mode & 0o777)
	switch fi.st.Mode & syscall.S_IFMT {
	case syscall.S_IFBLK:
		m |= fs.ModeDevice
	case syscall.S_IFCHR:
		m |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFDIR:
		m |= fs.ModeDir
	case syscall.S_IFIFO:
		m |= fs.ModeNamedPipe
	case syscall.S_IFLNK:
		m |= fs.ModeSymlink
	case syscall.S_IFSOCK:
		m |= fs.ModeSocket
	}
	if fi.st.Mode&syscall.S_ISGID != 0 {
		m |= fs.ModeSetgid
	}
	if fi.st.Mode&syscall.S_ISUID != 0 {
		m |= fs.ModeSetuid
	}
	if fi.st.Mode&syscall.S_ISVTX != 0 {
		m |= fs.ModeSticky
	}
	return m
}
