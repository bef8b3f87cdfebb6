package transport

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/scratchpack/scratchpack/internal/stale"
)

// staged is an output written under a temporary name: commit puts it in
// place, abort removes it. Write stages every file output first and
// commits them only when every output, the push included, succeeded.
type staged struct {
	commit func() error
	abort  func()
}

// noop is an output that is already where it goes (a stream).
func noop() *staged { return &staged{commit: func() error { return nil }, abort: func() {}} }

// stageFile writes a temporary file beside path with write; commit renames
// it to path. The file is named .BASE.tmp-* and held (internal/stale)
// until it is renamed or removed, so that a later run removes it if this
// one is killed.
func stageFile(path string, write func(io.Writer) error) (*staged, error) {
	dir, prefix := tempBeside(path)
	tmp, err := os.CreateTemp(dir, prefix+"*")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, unwrapPathErr(err))
	}
	stale.Hold(tmp)
	return stageTemp(tmp, tmp.Name(), path, write(tmp))
}

// tempBeside returns the directory of path and the prefix of the
// temporary names an output at path is staged under (.BASE.tmp-), having
// removed those a killed run left there.
func tempBeside(path string) (dir, prefix string) {
	dir = filepath.Dir(path)
	prefix = "." + filepath.Base(path) + ".tmp-"
	stale.Sweep(filepath.Join(dir, prefix+"*"))
	return dir, prefix
}

// stageTemp stages the temporary file f, named tmp, that err says was or
// was not written: commit puts it at path, abort removes it. On an error
// it is removed at once.
func stageTemp(f *os.File, tmp, path string, err error) (*staged, error) {
	abort := func() {
		f.Close()
		os.Remove(tmp)
	}
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err != nil {
		abort()
		return nil, fmt.Errorf("%s: %w", path, unwrapPathErr(err))
	}
	return &staged{
		commit: func() error {
			defer f.Close()
			if err := replace(tmp, path); err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			return nil
		},
		abort: abort,
	}, nil
}

// writeAtomic writes path by way of a temporary file, so that a failure
// leaves no partial output behind.
func writeAtomic(path string, write func(io.Writer) error) error {
	s, err := stageFile(path, write)
	if err != nil {
		return err
	}
	return s.commit()
}
