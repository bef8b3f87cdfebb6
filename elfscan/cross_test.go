package elfscan

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// TestResolveCrossArch resolves an aarch64 program inside the Debian cross
// sysroot and checks the result against that sysroot's own loader, run
// under qemu-aarch64 with the sysroot as its prefix.
func TestResolveCrossArch(t *testing.T) {
	tools := testtool.Need(t, "aarch64-linux-gnu-gcc", "qemu-aarch64-static")
	const sysroot = "/usr/aarch64-linux-gnu"
	fx := newFixture(t, "aarch64-linux-gnu-gcc")
	foo := fx.lib("lib", "foo")
	prog := fx.prog("bin", "app", append(fx.link("lib", "foo"), "-lm", "-Wl,-rpath,$ORIGIN/../lib")...)

	r, err := Scan(prog, Options{Root: DirRoot(sysroot)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Platform.Architecture != "arm64" || r.Loader == nil {
		t.Fatalf("platform %s, loader %v; want arm64 with a loader", r.Platform, r.Loader)
	}
	if want := filepath.Join(sysroot, r.Loader.RealPath); r.Loader.Host != want {
		t.Errorf("loader read from %s, want %s inside the sysroot", r.Loader.Host, want)
	}
	want, missing := loaderList(t, []string{tools[1], "-L", sysroot}, filepath.Join(sysroot, r.Interpreter), prog)
	if len(missing) > 0 {
		t.Fatalf("the aarch64 loader cannot find %v", missing)
	}
	got := map[string]string{}
	for _, l := range r.Libraries {
		got[l.Name] = l.Path
		if _, err := os.Stat(l.Host); err != nil {
			t.Errorf("%s: host file %s: %v", l.Name, l.Host, err)
		}
	}
	if d := diffMaps(got, want); d != "" {
		t.Errorf("differs from the aarch64 loader:\n%s", d)
	}
	if len(got) < 3 {
		t.Errorf("closure %v, want at least libfoo, libm and libc", got)
	}
	for _, l := range r.Libraries {
		if l.Name == "libfoo.so.1" && l.Host != foo {
			t.Errorf("libfoo.so.1 read from %s, want %s (found through $ORIGIN, outside the sysroot)", l.Host, foo)
		}
	}
}
