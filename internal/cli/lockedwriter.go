package cli

import (
	"io"
	"sync"
)

// LockedWriter makes the writes of several goroutines to one writer
// whole and in turn: a command's log lines and those of the work it left
// running in the background (the layer cache's store) share stderr.
type LockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// NewLockedWriter returns w with its writes serialized; w itself when it
// is one already.
func NewLockedWriter(w io.Writer) *LockedWriter {
	if l, ok := w.(*LockedWriter); ok {
		return l
	}
	return &LockedWriter{w: w}
}

// Write writes p to the underlying writer, alone.
func (l *LockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Fd is the underlying file's descriptor, so that IsTerminal sees
// through the lock; ^uintptr(0), no descriptor, for a writer that is not
// a file.
func (l *LockedWriter) Fd() uintptr {
	if f, ok := l.w.(interface{ Fd() uintptr }); ok {
		return f.Fd()
	}
	return ^uintptr(0)
}
