package cli

import (
	"bytes"
	"io"
	"os"
	"testing"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// TestIsTerminal: a pseudo-terminal is one; /dev/null (a character
// device), a regular file, a pipe and a buffer are not.
func TestIsTerminal(t *testing.T) {
	if !IsTerminal(testtool.Terminal(t)) {
		t.Error("a pseudo-terminal is not taken for a terminal")
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	file, err := os.Create(t.TempDir() + "/f")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for what, f := range map[string]io.Writer{"/dev/null": null, "a file": file, "a pipe": w, "a buffer": new(bytes.Buffer)} {
		if IsTerminal(f) {
			t.Errorf("%s is taken for a terminal", what)
		}
	}
}
