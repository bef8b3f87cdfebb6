package plan

import (
	"errors"
	"fmt"
	"io/fs"
	"sync"

	"github.com/scratchpack/scratchpack/elfscan"
)

// readBackFS is a plan's file system, for Verify, that remembers the
// first planned file it could not read back from its source: a file that
// vanished or could not be opened is, to the scan inside the plan, a file
// that is not there, and its "not found" would be taken for the plan's
// fault.
type readBackFS struct {
	planFS
	mu  sync.Mutex
	err error
}

func (f *readBackFS) Lstat(name string) (fs.FileInfo, error) {
	fi, err := f.planFS.Lstat(name)
	f.note(name, err)
	return fi, err
}

func (f *readBackFS) Open(name string) (fs.File, error) {
	file, err := f.planFS.Open(name)
	f.note(name, err)
	return file, err
}

// note records err when it is the failure to read the planned file at
// the io/fs name back from its source. The scan asks for real paths only
// (its root follows every symlink itself), so that name is the entry's.
func (f *readBackFS) note(name string, err error) {
	if err == nil {
		return
	}
	e, ok := f.p.Lookup("/" + name)
	if !ok || e.Type != TypeFile || e.Source == "" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.err = sourceError(e, err)
	}
}

// readBackErr returns, for a plan whose check failed, the reason when
// that is a file the check could not read as it was planned: a source
// that changed or vanished since it was scanned, one the check failed to
// read, or a file elfscan could not read (scanErr). That is no fault of
// the plan but its input changing under the pack, which a new pack sees
// as it is. It returns nil when every file read back as planned.
func (f *readBackFS) readBackErr(program string, scanErr error) error {
	again := "pack again once nothing is changing it"
	for _, e := range f.p.Entries() {
		if e.Type != TypeFile || e.Source == "" || e.Stamp == (Stamp{}) {
			continue
		}
		root, src := e.SourceRoot()
		fi, err := root.Stat(src) // its stamp, the file not opened
		switch {
		case err == nil && fi.IsDir():
			err = errors.New("is a directory")
		case err == nil && !fi.Mode().IsRegular():
			err = errors.New("is not a regular file")
		}
		if err != nil {
			return fmt.Errorf("%s: the planned image could not be read back to check it: %v; %s", program, sourceError(e, err), again)
		}
		if StampOf(fi) != e.Stamp {
			return fmt.Errorf("%s: the planned image could not be checked: %s changed after it was scanned; %s", program, e.From(), again)
		}
	}
	f.mu.Lock()
	err := f.err
	f.mu.Unlock()
	if err != nil {
		return fmt.Errorf("%s: the planned image could not be read back to check it: %v; %s", program, err, again)
	}
	if errors.Is(scanErr, elfscan.ErrUnreadable) {
		var fe *elfscan.FileError
		if errors.As(scanErr, &fe) {
			scanErr = fe.Err // named by the program already
		}
		return fmt.Errorf("%s: the planned image could not be read back to check it: %v", program, scanErr)
	}
	return nil
}

// sourceError says that the planned file e could not be read from its
// source.
func sourceError(e Entry, err error) error {
	for pe := (*fs.PathError)(nil); errors.As(err, &pe); {
		err = pe.Err // the file is named already, the operation is no news
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s (planned as %s) vanished after it was scanned", e.From(), e.Path)
	}
	return fmt.Errorf("%s (planned as %s) could not be read (%w)", e.From(), e.Path, err)
}
