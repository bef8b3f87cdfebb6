package plan

import (
	"io/fs"
	"syscall"
	"time"
)

// Stamp is what changes when a file is written or replaced: its size,
// modification time and (on the host) inode change time, device and
// inode. A file whose stamp differs from one taken earlier was written in
// between, or is another file renamed over it, even one with the same
// size and times.
type Stamp struct {
	Size  int64
	MTime time.Time
	CTime time.Time
	Dev   uint64
	Ino   uint64
}

// StampOf is the stamp of the file fi describes.
func StampOf(fi fs.FileInfo) Stamp {
	s := Stamp{Size: fi.Size(), MTime: fi.ModTime()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.CTime = time.Unix(st.Ctim.Sec, st.Ctim.Nsec)
		s.Dev, s.Ino = st.Dev, st.Ino
	}
	return s
}
