package pack

import (
	"context"
	"errors"
	"github.com/scratchpack/scratchpack/pack/check"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/layer"
)

// TestBuildRefusesABadConfig: Build runs the check before the layer is
// made, and its error names the program.
func TestBuildRefusesABadConfig(t *testing.T) {
	r := dynamicProgram(t)
	_, err := Build(context.Background(), r, "/app/bin/app", Options{
		Config: Config{Entrypoint: []string{"/bin/nothere"}}, Essentials: DefaultEssentials(),
		Layer: layer.Options{TempDir: t.TempDir()},
	})
	if err == nil || !errors.Is(err, check.ErrConfig) || !strings.HasPrefix(err.Error(), r.Path+": ") {
		t.Fatalf("Build = %v, want an ErrConfig naming %s", err, r.Path)
	}
	b, err := Build(context.Background(), r, "/app/bin/app", Options{Essentials: DefaultEssentials(), Layer: layer.Options{TempDir: t.TempDir()}})
	if err != nil {
		t.Fatalf("Build with the default entrypoint: %v", err)
	}
	b.Close()
}

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
