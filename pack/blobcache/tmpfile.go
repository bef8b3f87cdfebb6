package blobcache

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/scratchpack/scratchpack/internal/stale"
)

// temp is a download in progress: an unnamed file (O_TMPFILE) that only
// link names, or, where that is not supported, a named one held under a
// lock so that only a later run's sweep removes it, and only once its
// owner is gone.
type temp struct {
	f     *os.File
	named bool // f has a name (f.Name()) in the directory
}

// newTemp creates the temporary file of a download in c.dir.
func (c *Cache) newTemp() (*temp, error) {
	if !c.noTmpfile {
		fd, err := unix.Open(c.dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
		if err == nil {
			return &temp{f: os.NewFile(uintptr(fd), c.dir+"/(unnamed)")}, nil
		}
		if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			return nil, fmt.Errorf("creating a temporary file: %w", err)
		}
	}
	f, err := os.CreateTemp(c.dir, tmpPattern)
	if err != nil {
		return nil, err
	}
	if err := stale.Hold(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("locking %s: %w", f.Name(), err)
	}
	return &temp{f: f, named: true}, nil
}

// link gives the complete, verified file the name path; it fails with
// fs.ErrExist when path exists, for an unnamed file (a concurrent run
// stored the same blob), and replaces path for a named one.
func (t *temp) link(path string) error {
	if t.named {
		if err := os.Rename(t.f.Name(), path); err != nil {
			t.discardName()
			return err
		}
		t.named = false
		return nil
	}
	fd := int(t.f.Fd())
	err := unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(fd), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	if errors.Is(err, unix.ENOENT) { // no /proc: AT_EMPTY_PATH, which may need CAP_DAC_READ_SEARCH
		err = unix.Linkat(fd, "", unix.AT_FDCWD, path, unix.AT_EMPTY_PATH)
	}
	if err != nil {
		return &os.LinkError{Op: "linkat", Old: t.f.Name(), New: path, Err: err}
	}
	return nil
}

// discardName removes the name of a named file, which stays open.
func (t *temp) discardName() {
	if t.named {
		os.Remove(t.f.Name())
		t.named = false
	}
}

// discard closes the file and removes its name, if it has one.
func (t *temp) discard() {
	t.discardName()
	t.f.Close()
}
