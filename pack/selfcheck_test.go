package pack

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/layer"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// hostGconvModule returns the host's gconv module for EUC-CN, whose own
// DT_NEEDED libGB.so is beside it, found through its $ORIGIN RUNPATH.
func hostGconvModule(t *testing.T) string {
	t.Helper()
	mods, _ := filepath.Glob("/usr/lib/*/gconv/EUC-CN.so")
	mods2, _ := filepath.Glob("/usr/lib*/gconv/EUC-CN.so")
	mods = append(mods, mods2...)
	for _, m := range mods {
		if _, err := os.Stat(filepath.Join(filepath.Dir(m), "libGB.so")); err == nil {
			return m
		}
	}
	testtool.Missing(t, "the host has no glibc gconv module EUC-CN.so with libGB.so beside it (libc6's gconv modules)")
	return ""
}

// TestProgramsGconvModulesBringTheirLibraries packs a C program that
// calls iconv_open for EUC-CN, with the charsets it names and with every
// module (--gconv all), using the host's real gconv modules: the module's
// own library, libGB.so, found through the module's $ORIGIN, is packed
// beside the module, where the module's $ORIGIN finds it in the image, and
// pack's self-check agrees (it used to stop with "libGB.so (needed by
// gconv/EUC-CN.so) ... this is a scratchpack bug").
func TestProgramsGconvModulesBringTheirLibraries(t *testing.T) {
	t.Parallel()
	mod := hostGconvModule(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "conv")
	testtool.CC(t, "gcc", "-o", bin, "../testdata/gconv-c/conv.c")
	for _, all := range []bool{false, true} {
		t.Run(map[bool]string{false: "charsets", true: "all"}[all], func(t *testing.T) {
			res, err := Programs(context.Background(), []Program{{Path: bin}}, PackOptions{
				Options: Options{Essentials: essentials.Default(), Layer: layer.Options{TempDir: t.TempDir()}, Resolve: elfscan.Options{GconvAll: all}},
			})
			if err != nil {
				t.Fatal(err)
			}
			defer res.Close()
			b := res.Images[0]
			i := slices.IndexFunc(b.Report.Libraries, func(l elfscan.Library) bool { return l.Name == "libGB.so" })
			if i < 0 {
				t.Fatalf("libGB.so is not among the libraries: %+v", b.Report.Libraries)
			}
			gb := b.Report.Libraries[i]
			if gb.Origin != "" {
				t.Errorf("libGB.so, found through a gconv module's $ORIGIN, is placed relative to the program (%s)", gb.Origin)
			}
			want := path.Join(path.Dir(mod), "libGB.so")
			real, err := b.Plan.Resolve(want)
			if err != nil {
				t.Fatal(err)
			}
			if e, ok := b.Plan.Lookup(real); !ok || e.Type != plan.TypeFile || e.Source != gb.RealPath {
				t.Errorf("the plan has no libGB.so at %s (beside %s): %+v", real, mod, e)
			}
			files := layerFiles(t, b.Layer)
			if !slices.ContainsFunc(files, func(f string) bool { return strings.HasSuffix(f, "/gconv/libGB.so") }) {
				t.Errorf("the layer has no gconv/libGB.so")
			}
			if all && !slices.ContainsFunc(files, func(f string) bool { return strings.HasSuffix(f, "/gconv/libJIS.so") }) {
				t.Errorf("with every module, the layer has no gconv/libJIS.so (EUC-JP.so's)")
			}
		})
	}
}

// TestProgramsRunpathThroughSymlinkAndDotDot packs a program whose
// absolute RUNPATH goes through a symlink and then "..": DIR/x/link/../lib
// with link -> real/sub, which the kernel and the loader take as
// DIR/x/real/lib. The image holds the link, the directory real/sub the
// ".." climbs out of, and the library; pack's self-check agrees.
func TestProgramsRunpathThroughSymlinkAndDotDot(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "gcc")
	dir := t.TempDir()
	for _, d := range []string{"x/real/sub", "x/real/lib"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("real/sub", filepath.Join(dir, "x/link")); err != nil {
		t.Fatal(err)
	}
	lib, main := filepath.Join(dir, "foo.c"), filepath.Join(dir, "main.c")
	if err := os.WriteFile(lib, []byte("int foo(void){return 42;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(main, []byte("int foo(void);\nint main(void){return foo() == 42 ? 0 : 1;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testtool.CC(t, "gcc", "-shared", "-fPIC", "-o", filepath.Join(dir, "x/real/lib/libfoo.so"), lib)
	bin := filepath.Join(dir, "prog")
	testtool.CC(t, "gcc", "-o", bin, main, "-L"+filepath.Join(dir, "x/real/lib"), "-lfoo", "-Wl,-rpath,"+dir+"/x/link/../lib")
	res, err := Programs(context.Background(), []Program{{Path: bin}}, PackOptions{
		Options: Options{Essentials: essentials.Default(), Layer: layer.Options{TempDir: t.TempDir()}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	files := layerFiles(t, res.Images[0].Layer)
	for _, want := range []string{dir + "/x/link -> real/sub", dir + "/x/real/sub", dir + "/x/real/lib/libfoo.so"} {
		if !slices.Contains(files, want) {
			t.Errorf("layer lacks %s; it has:\n%s", want, strings.Join(files, "\n"))
		}
	}
}

// TestAddRuntimeOriginChain: a library found through the $ORIGIN of a
// library that moves with the program moves with it too (lib/libfoo's
// $ORIGIN/../lib2 finds libbar), as one found through the program's own.
func TestAddRuntimeOriginChain(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "gcc")
	dir := t.TempDir()
	for _, d := range []string{"bin", "lib", "lib2"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	src := filepath.Join(dir, "m.c")
	if err := os.WriteFile(src, []byte("int main(void){return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testtool.CC(t, "gcc", "-shared", "-fPIC", "-Wl,-soname,libbar.so.1", "-o", filepath.Join(dir, "lib2/libbar.so.1"), src)
	testtool.CC(t, "gcc", "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", "-o", filepath.Join(dir, "lib/libfoo.so.1"), src,
		"-Wl,--no-as-needed", "-L"+filepath.Join(dir, "lib2"), "-l:libbar.so.1", "-Wl,-rpath,$ORIGIN/../lib2")
	testtool.CC(t, "gcc", "-o", filepath.Join(dir, "bin/app"), src, "-Wl,--no-as-needed", "-L"+filepath.Join(dir, "lib"), "-l:libfoo.so.1",
		"-Wl,-rpath-link,"+filepath.Join(dir, "lib2"), "-Wl,-rpath,$ORIGIN/../lib")
	r, err := elfscan.Scan(filepath.Join(dir, "bin/app"), elfscan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := plan.NewPlan()
	if err := p.AddRuntime(r, "/app/bin/app"); err != nil {
		t.Fatal(err)
	}
	if err := p.AddProgram(r, "/app/bin/app"); err != nil {
		t.Fatal(err)
	}
	if err := plan.Verify(p, r, "/app/bin/app", elfscan.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/app/lib/libfoo.so.1", "/app/lib2/libbar.so.1"} {
		if _, ok := p.Lookup(want); !ok {
			t.Errorf("the plan has no %s", want)
		}
	}
}
