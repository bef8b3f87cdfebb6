package elfscan

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzScan feeds Scan mutated ELF files. Any input may be refused, but
// only with a *FileError naming the file, and never by a panic (which Scan
// turns into errInternal).
func FuzzScan(f *testing.F) {
	seeds, err := filepath.Glob("../testdata/elf/*")
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seed corpus in ../testdata/elf: %v", err)
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "input")
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
		// An empty sysroot keeps resolution inside the test's own directory.
		_, err := Scan(p, Options{Root: DirRoot(dir)})
		if err == nil {
			return
		}
		if errors.Is(err, errInternal) {
			t.Fatalf("Scan panicked: %v", err)
		}
		var fe *FileError
		if !errors.As(err, &fe) || fe.Path != p {
			t.Fatalf("error %v (%T) does not name the file", err, err)
		}
	})
}
