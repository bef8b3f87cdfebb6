package transport

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// replace renames the finished file from to to, or removes it on failure.
// Over an existing regular file it swaps the two (renameat2 with
// RENAME_EXCHANGE), then removes the old one, now at from: a plain rename
// over a file makes ext4 start writing the new file out before it returns
// (auto_da_alloc), 60-100 ms for a 150 MB tarball. Where the file system
// cannot swap, or to is new, it is a plain rename. Should to have become
// something other than a regular file since it was checked, the swap is
// undone and to is left alone.
func replace(from, to string) error {
	if err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_EXCHANGE); err != nil {
		if err := os.Rename(from, to); err != nil {
			os.Remove(from)
			return err
		}
		return nil
	}
	if fi, err := os.Lstat(from); err != nil || !fi.Mode().IsRegular() {
		if err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_EXCHANGE); err != nil {
			return fmt.Errorf("was replaced while the output was written, and is now at %s: %w", from, err)
		}
		os.Remove(from)
		return errors.New("is no longer a regular file; name the file to write")
	}
	os.Remove(from) // the old output; a later run sweeps it if this fails
	return nil
}
