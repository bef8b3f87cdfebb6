package elfscan

import (
	"encoding/binary"
	"io/fs"
	"slices"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// dirEntry is one name of a directory read from its descriptor. Info
// describes the entry itself (a symlink as a symlink) through info.
type dirEntry struct {
	name string
	typ  fs.FileMode
	info func() (fs.FileInfo, error)
}

func (e *dirEntry) Name() string               { return e.name }
func (e *dirEntry) IsDir() bool                { return e.typ.IsDir() }
func (e *dirEntry) Type() fs.FileMode          { return e.typ }
func (e *dirEntry) Info() (fs.FileInfo, error) { return e.info() }
func (e *dirEntry) String() string             { return fs.FormatDirEntry(e) }

// readDirFd lists the directory open at fd, sorted by name, with
// getdents(2) on the descriptor itself: an entry whose type the file
// system does not say is looked at with fstatat relative to fd, never by
// a path that could be swapped. info describes an entry by its name.
func readDirFd(fd int, info func(name string) (fs.FileInfo, error)) ([]fs.DirEntry, error) {
	var out []fs.DirEntry
	buf := make([]byte, 32<<10)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			break
		}
		// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				return nil, syscall.EIO
			}
			ino, typ, name := binary.NativeEndian.Uint64(b[0:8]), b[18], b[19:reclen]
			b = b[reclen:]
			if i := slices.Index(name, 0); i >= 0 {
				name = name[:i]
			}
			if ino == 0 || string(name) == "." || string(name) == ".." {
				continue
			}
			e := &dirEntry{name: string(name), typ: direntType(fd, string(name), typ)}
			e.info = func() (fs.FileInfo, error) { return info(e.name) }
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// direntType is the type bits of an entry, from getdents's d_type or,
// when that is DT_UNKNOWN, from fstatat on the directory's descriptor.
func direntType(dirfd int, name string, typ byte) fs.FileMode {
	switch typ {
	case unix.DT_REG:
		return 0
	case unix.DT_DIR:
		return fs.ModeDir
	case unix.DT_LNK:
		return fs.ModeSymlink
	case unix.DT_FIFO:
		return fs.ModeNamedPipe
	case unix.DT_SOCK:
		return fs.ModeSocket
	case unix.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice
	case unix.DT_BLK:
		return fs.ModeDevice
	}
	fi := &fileStat{name: name}
	var st unix.Stat_t
	if unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW) != nil {
		return fs.ModeIrregular
	}
	fi.st.Mode = st.Mode
	return fi.Mode().Type()
}
