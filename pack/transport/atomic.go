package transport

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/scratchpack/scratchpack/internal/stale"
)

// writeAtomic calls write with a temporary file beside path and renames it
// to path only when write succeeds, so that a failure leaves no partial
// output behind.
//
// The temporary file is named .BASE.tmp-* and held (internal/stale) while
// it exists, so that a later run removes it if this one is killed.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	pattern := "." + filepath.Base(path) + ".tmp-*"
	stale.Sweep(filepath.Join(dir, pattern))
	tmp, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPathErr(err))
	}
	stale.Hold(tmp)
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPathErr(err))
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, unwrapPathErr(err))
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
