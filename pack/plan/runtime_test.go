package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
)

// dynamicProgram builds a glibc program that needs libz through an
// $ORIGIN RUNPATH and libc through the cache.
func dynamicProgram(t *testing.T) *elfscan.Report {
	t.Helper()
	testtool.Need(t, "gcc")
	dir := t.TempDir()
	src := filepath.Join(dir, "m.c")
	lib := filepath.Join(dir, "lib")
	if err := os.MkdirAll(lib, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, []byte("int foo(void){return 0;}\nint main(void){return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	testtool.CC(t, "gcc", "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", "-o", filepath.Join(lib, "libfoo.so.1"), src)
	testtool.CC(t, "gcc", "-o", filepath.Join(dir, "bin", "app"), src, "-Wl,--no-as-needed", "-L"+lib, "-l:libfoo.so.1", "-Wl,-rpath,$ORIGIN/../lib")
	r, err := elfscan.Scan(filepath.Join(dir, "bin", "app"), elfscan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAddRuntimeVerifies(t *testing.T) {
	r := dynamicProgram(t)
	p := NewPlan()
	if err := p.AddRuntime(r, "/app/bin/app"); err != nil {
		t.Fatal(err)
	}
	if err := p.AddProgram(r, "/app/bin/app"); err != nil {
		t.Fatal(err)
	}
	if err := Verify(p, r, "/app/bin/app", elfscan.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := p.Lookup("/app/lib/libfoo.so.1"); !ok {
		t.Error("the $ORIGIN library is not beside the program's image path")
	}
	if e, ok := p.Lookup(r.Loader.RealPath); !ok || e.Type != TypeFile {
		t.Errorf("the loader is not at %s", r.Loader.RealPath)
	}
}

func TestVerifyCatchesABadPlan(t *testing.T) {
	r := dynamicProgram(t)
	p := NewPlan()
	if err := p.AddRuntime(r, "/app/bin/app"); err != nil {
		t.Fatal(err)
	}
	// The program moved after its $ORIGIN library was placed for /app/bin.
	if err := p.AddProgram(r, "/elsewhere/app"); err != nil {
		t.Fatal(err)
	}
	err := Verify(p, r, "/elsewhere/app", elfscan.Options{})
	if err == nil || !strings.Contains(err.Error(), "libfoo.so.1") || !strings.Contains(err.Error(), "bug") {
		t.Errorf("Verify = %v, want a bug report naming libfoo.so.1", err)
	}
}

// TestAddRuntimeMovesLibPathLibraries: a library found only through
// --lib-path (LD_LIBRARY_PATH) goes to the loader's first default
// directory, where the image's loader finds it with no environment.
func TestAddRuntimeMovesLibPathLibraries(t *testing.T) {
	testtool.Need(t, "gcc")
	dir := t.TempDir()
	src := filepath.Join(dir, "m.c")
	if err := os.WriteFile(src, []byte("int bar(void){return 0;}\nint main(void){return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testtool.CC(t, "gcc", "-shared", "-fPIC", "-Wl,-soname,libbar.so.1", "-o", filepath.Join(dir, "libbar.so.1"), src)
	testtool.CC(t, "gcc", "-o", filepath.Join(dir, "app"), src, "-Wl,--no-as-needed", "-L"+dir, "-l:libbar.so.1")
	r, err := elfscan.Scan(filepath.Join(dir, "app"), elfscan.Options{LibPath: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	p := NewPlan()
	if err := p.AddRuntime(r, "/usr/local/bin/app"); err != nil {
		t.Fatal(err)
	}
	if err := p.AddProgram(r, "/usr/local/bin/app"); err != nil {
		t.Fatal(err)
	}
	if err := Verify(p, r, "/usr/local/bin/app", elfscan.Options{}); err != nil {
		t.Fatal(err)
	}
	want, err := p.Resolve(r.DefaultDirs[0] + "/libbar.so.1")
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := p.Lookup(want); !ok || e.Source != filepath.Join(dir, "libbar.so.1") {
		t.Errorf("libbar.so.1 not at %s: %+v", want, p.Entries())
	}
}
