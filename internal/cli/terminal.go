package cli

import (
	"io"

	"golang.org/x/sys/unix"
)

// IsTerminal reports whether w is a terminal: a file that answers the
// terminal's ioctl, as isatty(3) asks it. /dev/null, another character
// device, is not one, so that "-o - > /dev/null" is not taken for a
// terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr }) // an *os.File, or a LockedWriter of one
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
