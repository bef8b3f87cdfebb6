package pack

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/check"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/layer"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
)

// TestBuildRefusesABadConfig: Build runs the check before the layer is
// made, and its error names the program.
func TestBuildRefusesABadConfig(t *testing.T) {
	t.Parallel()
	r := dynamicProgram(t)
	_, err := Build(context.Background(), r, "/app/bin/app", Options{
		Config: Config{Entrypoint: []string{"/bin/nothere"}}, Essentials: essentials.Default(),
		Layer: layer.Options{TempDir: t.TempDir()},
	})
	if err == nil || !errors.Is(err, check.ErrConfig) || !strings.HasPrefix(err.Error(), r.Path+": ") {
		t.Fatalf("Build = %v, want an ErrConfig naming %s", err, r.Path)
	}
	b, err := Build(context.Background(), r, "/app/bin/app", Options{Essentials: essentials.Default(), Layer: layer.Options{TempDir: t.TempDir()}})
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

// TestBuildIsPrograms: Build, given the report and the Options that
// Programs gives it (Resolve with a Cache and CheckSymbols, DBs), makes
// the image Programs makes, to the digest: nothing Programs does for
// Build is hidden from a caller of Build.
func TestBuildIsPrograms(t *testing.T) {
	t.Parallel()
	for name, path := range map[string]func(*testing.T) string{
		"static":  func(*testing.T) string { return "../testdata/elf/musl-static" },
		"dynamic": func(t *testing.T) string { return dynamicProgram(t).Path },
	} {
		t.Run(name, func(t *testing.T) { buildIsPrograms(t, path(t)) })
	}
}

// buildIsPrograms packs the program at path both ways.
func buildIsPrograms(t *testing.T, path string) {
	opts := Options{Essentials: essentials.Default(), Layer: layer.Options{TempDir: t.TempDir()}, Config: Config{Cmd: []string{"--help"}}}
	res, err := Programs(context.Background(), []Program{{Path: path}}, PackOptions{Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	want, err := res.Images[0].Image.Digest()
	res.Close()
	if err != nil {
		t.Fatal(err)
	}
	opts.Resolve = elfscan.Options{Cache: elfscan.NewCache(), CheckSymbols: true}
	opts.DBs = &pkgdb.DBs{}
	r, err := elfscan.Scan(path, opts.Resolve)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Build(context.Background(), r, "", opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.Image.Digest()
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("%s: Build made %s, Programs %s", path, got, want)
	}
}
