package cli

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
)

// Lines written at once by several goroutines come out whole (and the
// race detector sees no race on the buffer).
func TestLockedWriter(t *testing.T) {
	var b bytes.Buffer
	w := NewLockedWriter(&b)
	if NewLockedWriter(w) != w {
		t.Error("a LockedWriter was wrapped again")
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				w.Write([]byte(strings.Repeat(string(rune('a'+i)), 50) + "\n"))
			}
		}()
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 800 {
		t.Fatalf("%d lines, want 800", len(lines))
	}
	for _, l := range lines {
		if len(l) != 50 || strings.Count(l, l[:1]) != 50 {
			t.Fatalf("a line was torn: %q", l)
		}
	}
	if IsTerminal(w) {
		t.Error("a buffer behind a lock is taken for a terminal")
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if got := NewLockedWriter(null).Fd(); got != null.Fd() {
		t.Errorf("Fd %d, want the file's %d", got, null.Fd())
	}
}
