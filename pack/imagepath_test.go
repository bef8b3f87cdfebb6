package pack

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
)

// TestOwnPath: a program its root's database owns keeps its path, as one
// from an image does; one nobody owns goes to DefaultDir.
func TestOwnPath(t *testing.T) {
	t.Parallel()
	dir := testtool.DpkgRoot(t)
	root := elfscan.DirRoot(dir)
	if err := os.WriteFile(filepath.Join(dir, "usr/bin/mine"), []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		prog, file string // as named, and its real path
		fromImage  bool
		want       string
	}{
		{"/usr/bin/app", "/usr/bin/app", false, "/usr/bin/app"},
		{"/usr/bin/app-link", "/usr/bin/app", false, "/usr/bin/app-link"}, // as named: argv[0] stays
		{"/usr/bin/mine", "/usr/bin/mine", false, "/usr/local/bin/mine"},
		{"/usr/bin/mine", "/usr/bin/mine", true, "/usr/bin/mine"},
		{"/bin/sh-link", "/bin/busybox", true, "/bin/sh-link"},
		{"/tmp/build/mine", "/tmp/build/mine", false, "/usr/local/bin/mine"},
		{"./app", "/usr/bin/app", false, "/usr/bin/app"},
	} {
		got, err := ownPath(&pkgdb.DBs{}, &elfscan.Report{Path: c.prog, Root: root, File: c.file}, c.fromImage)
		if err != nil || got != c.want {
			t.Errorf("%s (from an image %v): %q, %v; want %q", c.prog, c.fromImage, got, err, c.want)
		}
	}
}
