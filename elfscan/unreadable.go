package elfscan

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"syscall"
	"time"
)

// ErrUnreadable means a file that the answer depends on could not be
// read, or changed or vanished while it was being read: there is no
// answer about it, only an error naming it.
var ErrUnreadable = errors.New("file could not be read")

// errChanged is the reason for a file that is no longer the one first
// read: another file renamed over it, or the same one written, truncated
// or grown since.
var errChanged = errors.New("it is not the file it was")

// unreadable is the ErrUnreadable error for the file p of root, which
// the scan failed to read with err. again says that it had been read
// before: whatever fails then is the tree changing under the scan.
func unreadable(root *Root, p string, err error, again bool) error {
	name := p + " in " + root.String()
	if h := root.HostPath(p); h != "" {
		name = h
	}
	var nf *notFileError
	if again && (errors.Is(err, errNotELF) || errors.As(err, &nf)) {
		err = errChanged // it was a regular ELF file
	}
	for pe := (*fs.PathError)(nil); errors.As(err, &pe); {
		err = pe.Err // the file is named already, the operation is no news
	}
	const retry = "try again once nothing is changing it"
	var msg string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		msg = fmt.Sprintf("%s vanished while it was being read; %s", name, retry)
	case errors.Is(err, errChanged):
		msg = fmt.Sprintf("%s changed while it was being read; %s", name, retry)
	case again:
		msg = fmt.Sprintf("%s could not be read again (%v): it, or a directory on its way, was moved or replaced while it was being read; %s", name, err, retry)
	case errors.Is(err, fs.ErrPermission):
		msg = fmt.Sprintf("%s cannot be read (%v); make it readable", name, err)
	default:
		msg = fmt.Sprintf("%s could not be read (%v)", name, err)
	}
	return &detailError{sentinel: ErrUnreadable, msg: msg}
}

// fileStamp is what changes when a file is written or replaced: its
// size, modification time and, on the host, inode change time, device
// and inode.
type fileStamp struct {
	size         int64
	mtime, ctime time.Time
	dev, ino     uint64
}

func stampOf(fi fs.FileInfo) fileStamp {
	s := fileStamp{size: fi.Size(), mtime: fi.ModTime()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.ctime = time.Unix(st.Ctim.Sec, st.Ctim.Nsec)
		s.dev, s.ino = st.Dev, st.Ino
	}
	return s
}

func (s fileStamp) equal(o fileStamp) bool {
	return s.size == o.size && s.mtime.Equal(o.mtime) && s.ctime.Equal(o.ctime) && s.dev == o.dev && s.ino == o.ino
}

// readChecker is an io.ReaderAt that remembers the first read that went
// wrong: one that failed, or that came back short of the size the file
// had when it was opened (it shrank). debug/elf and the table readers
// take such a read for the end of a table, or of the file; this is how
// the scan tells a file it failed to read from one that is short. It is
// safe for concurrent use: a program's function names are searched while
// its symbols are read (goFuncsAsync, checkSymbols).
type readChecker struct {
	ra   io.ReaderAt
	size int64
	mu   sync.Mutex
	err  error
}

func (c *readChecker) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.ra.ReadAt(p, off)
	if err != nil && off >= 0 { // a negative offset is a malformed file's
		c.mu.Lock()
		switch {
		case c.err != nil:
		case !errors.Is(err, io.EOF):
			c.err = err
		case off+int64(n) < c.size:
			c.err = errChanged
		}
		c.mu.Unlock()
	}
	return n, err
}

// failed returns the first read that went wrong, or nil.
func (c *readChecker) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}
