package transport

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReplace checks each case a finished output meets at its path: none
// there yet, an old output, and a directory put there meanwhile.
func TestReplace(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out := filepath.Join(dir, "out.tar")
	for _, data := range []string{"first", "second"} {
		tmp := write(".out.tar.tmp-1", data)
		if err := replace(tmp, out); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if got, _ := os.ReadFile(out); string(got) != data {
			t.Errorf("out.tar holds %q, want %q", got, data)
		}
		if _, err := os.Lstat(tmp); !os.IsNotExist(err) {
			t.Errorf("%s: the temporary name is left: %v", data, err)
		}
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := write(".sub.tmp-1", "third")
	if err := replace(tmp, sub); err == nil {
		t.Error("replacing a directory: no error")
	}
	if fi, err := os.Lstat(sub); err != nil || !fi.IsDir() {
		t.Errorf("the directory is no longer there: %v", err)
	}
	if _, err := os.Lstat(tmp); !os.IsNotExist(err) {
		t.Errorf("the temporary file is left: %v", err)
	}
}
