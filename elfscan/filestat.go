package elfscan

import (
	"io/fs"
	"syscall"
	"time"
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
