package elfscan

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestReadFileIsBounded reads, through a sysroot, an ld.so.cache and a
// dpkg status just over MaxReadFile (sparse files, so the test writes
// nothing): each is refused naming the bound, having allocated next to
// nothing, and a small file is read.
func TestReadFileIsBounded(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"etc/ld.so.cache", "var/lib/dpkg/status"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(mustCreate(t, filepath.Join(dir, p)), MaxReadFile+1); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "etc/nsswitch.conf"), []byte("hosts: files dns\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := DirRoot(dir)
	for _, p := range []string{"/etc/ld.so.cache", "/var/lib/dpkg/status"} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := r.ReadFile(p)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "MaxReadFile") {
			t.Errorf("ReadFile(%s) = %v, want it refused naming MaxReadFile", p, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
			t.Errorf("refusing %s allocated %d KiB", p, alloc>>10)
		}
	}
	if b, err := r.ReadFile("/etc/nsswitch.conf"); err != nil || string(b) != "hosts: files dns\n" {
		t.Errorf("a small file: %q, %v", b, err)
	}
}

func mustCreate(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}
