package testtool

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// Terminal opens a pseudo-terminal and returns its terminal end, which
// is what a program's stdout is when a user runs it in a shell; what is
// written to it is read and dropped, so writes never block. Both ends are
// closed when the test ends. The test is skipped where no pseudo-terminal
// can be had.
func Terminal(t testing.TB) *os.File {
	t.Helper()
	tty, _ := TerminalOutput(t)
	return tty
}

// TerminalOutput is Terminal, with a function that closes the terminal
// end and returns all that was written to it.
func TerminalOutput(t testing.TB) (*os.File, func() string) {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	fd := int(ptmx.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("no pseudo-terminal: unlocking: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	tty, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { tty.Close() })
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(&out, ptmx) // until the terminal end closes (EIO)
	}()
	return tty, func() string {
		tty.Close()
		<-done
		return out.String()
	}
}
