// Package stale names temporary files and directories so that a run can
// remove what an earlier, killed run left behind: each live one is held
// under an flock by its owner for as long as it exists, and Sweep removes
// those that match a pattern, are unlocked, and are older than a moment
// ago.
package stale

import (
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// grace keeps Sweep off entries so new that their owner may not have
// locked them yet.
const grace = 10 * time.Second

// Hold takes a shared flock on the open file or directory f; it is
// released when f is closed.
func Hold(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
}

// Sweep removes every file or directory matching the glob pattern that
// nobody holds and that was last changed before a moment ago. It reports
// nothing: a leftover it cannot remove stays as it was.
func Sweep(pattern string) {
	matches, _ := filepath.Glob(pattern)
	cutoff := time.Now().Add(-grace)
	for _, m := range matches {
		fi, err := os.Lstat(m)
		if err != nil || fi.ModTime().After(cutoff) || fi.Mode()&os.ModeSymlink != 0 {
			continue
		}
		f, err := os.Open(m)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			os.RemoveAll(m)
		}
		f.Close()
	}
}
