package elfscan

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// fixture compiles small C programs and libraries into a temporary tree.
type fixture struct {
	t   *testing.T
	dir string
	cc  string
}

func newFixture(t *testing.T, cc string) *fixture {
	t.Helper()
	testtool.Need(t, cc)
	return &fixture{t: t, dir: t.TempDir(), cc: cc}
}

// lib builds lib<name>.so.1 (soname included) into dir, needing the given
// libraries, and returns its path.
func (fx *fixture) lib(dir, name string, ldflags ...string) string {
	fx.t.Helper()
	out := fx.path(dir, "lib"+name+".so.1")
	src := "int " + name + "(void) { return 1; }\n"
	fx.cc1(src, append([]string{"-shared", "-fPIC", "-Wl,-soname,lib" + name + ".so.1", "-o", out}, ldflags...)...)
	return out
}

// prog builds a program into dir with the given link flags.
func (fx *fixture) prog(dir, name string, ldflags ...string) string {
	fx.t.Helper()
	out := fx.path(dir, name)
	fx.cc1("int main(void) { return 0; }\n", append([]string{"-o", out}, ldflags...)...)
	return out
}

func (fx *fixture) path(dir, name string) string {
	fx.t.Helper()
	d := filepath.Join(fx.dir, dir)
	if err := os.MkdirAll(d, 0o755); err != nil {
		fx.t.Fatal(err)
	}
	return filepath.Join(d, name)
}

func (fx *fixture) cc1(src string, args ...string) {
	fx.t.Helper()
	cfile := filepath.Join(fx.dir, "src.c")
	if err := os.WriteFile(cfile, []byte(src), 0o644); err != nil {
		fx.t.Fatal(err)
	}
	// -Wl,--no-as-needed keeps DT_NEEDED for libraries the source does not call.
	testtool.CC(fx.t, fx.cc, append([]string{cfile, "-Wl,--no-as-needed"}, args...)...)
}

// link returns the flags that link against lib<name>.so.1 found in dir.
func (fx *fixture) link(dir, name string) []string {
	return []string{"-L" + filepath.Join(fx.dir, dir), "-l:lib" + name + ".so.1"}
}

// agree scans prog with libPath and checks the result against the
// loader's --list with the same LD_LIBRARY_PATH; it returns the closure.
func agree(t *testing.T, prog string, libPath ...string) map[string]string {
	t.Helper()
	r, err := Scan(prog, Options{LibPath: libPath})
	nr, nerr := Scan(prog, Options{NoResolve: true})
	if nerr != nil {
		t.Fatal(nerr)
	}
	var env []string
	if len(libPath) > 0 {
		env = append(env, "LD_LIBRARY_PATH="+strings.Join(libPath, ":"))
	}
	want, missing := loaderList(t, nil, nr.Interpreter, prog, env...)
	if len(missing) > 0 {
		if !errors.Is(err, ErrLibraryNotFound) {
			t.Fatalf("loader misses %v; Scan says %v", missing, err)
		}
		return nil
	}
	if err != nil {
		t.Fatalf("Scan: %v (loader found %v)", err, want)
	}
	got := map[string]string{}
	for _, l := range r.Libraries {
		got[l.Name] = l.Path
	}
	delete(got, "libc.so.6") // compared by the /usr/bin test; keeps these cases short
	delete(want, "libc.so.6")
	if d := diffMaps(got, want); d != "" {
		t.Fatalf("differs from the loader:\n%s", d)
	}
	return got
}

func TestResolveSearchOrder(t *testing.T) {
	fx := newFixture(t, "gcc")
	a, b := filepath.Join(fx.dir, "a"), filepath.Join(fx.dir, "b")
	fooA := fx.lib("a", "foo")
	fooB := fx.lib("b", "foo")
	link := fx.link("a", "foo")

	rpath := fx.prog("bin", "rpath", append(link, "-Wl,--disable-new-dtags,-rpath,"+a)...)
	runpath := fx.prog("bin", "runpath", append(link, "-Wl,--enable-new-dtags,-rpath,"+a)...)
	for _, tc := range []struct {
		name, prog string
		libPath    []string
		want       string
	}{
		{"RPATH", rpath, nil, fooA},
		{"RPATH before --lib-path", rpath, []string{b}, fooA},
		{"RUNPATH", runpath, nil, fooA},
		{"--lib-path before RUNPATH", runpath, []string{b}, fooB},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := agree(t, tc.prog, tc.libPath...)["libfoo.so.1"]; got != tc.want {
				t.Errorf("libfoo.so.1 => %s, want %s", got, tc.want)
			}
		})
	}
}

func TestResolveOrigin(t *testing.T) {
	fx := newFixture(t, "gcc")
	foo := fx.lib("lib", "foo")
	prog := fx.prog("bin", "app", append(fx.link("lib", "foo"), "-Wl,-rpath,$ORIGIN/../lib")...)
	// The loader does not clean the expanded $ORIGIN, and neither does Scan.
	if got, want := agree(t, prog)["libfoo.so.1"], filepath.Join(fx.dir, "bin")+"/../lib/libfoo.so.1"; got != want {
		t.Errorf("libfoo.so.1 => %s, want %s", got, want)
	}
	r, err := Scan(prog, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range r.Libraries {
		if l.Name == "libfoo.so.1" && (l.Origin != "../lib/libfoo.so.1" || l.RealPath != foo) {
			t.Errorf("origin, realpath = %q, %q; want ../lib/libfoo.so.1, %s", l.Origin, l.RealPath, foo)
		}
	}
}

// TestResolveRpathInheritance: a library with no RUNPATH of its own finds
// its needs through the program's DT_RPATH, but not its DT_RUNPATH.
func TestResolveRpathInheritance(t *testing.T) {
	fx := newFixture(t, "gcc")
	deep := filepath.Join(fx.dir, "deep")
	baz := fx.lib("deep", "baz")
	fx.lib("mid", "bar", fx.link("deep", "baz")...)
	mid := filepath.Join(fx.dir, "mid")
	flags := fx.link("mid", "bar")

	inherit := fx.prog("bin", "inherit", append(flags, "-Wl,--disable-new-dtags,-rpath,"+mid+":"+deep)...)
	if got := agree(t, inherit)["libbaz.so.1"]; got != baz {
		t.Errorf("via inherited RPATH: libbaz.so.1 => %s, want %s", got, baz)
	}
	noInherit := fx.prog("bin", "noinherit", append(flags, "-Wl,--enable-new-dtags,-rpath,"+mid+":"+deep)...)
	if got := agree(t, noInherit); got != nil {
		t.Errorf("RUNPATH was inherited: %v", got)
	}
	_, err := Scan(noInherit, Options{})
	if !errors.Is(err, ErrLibraryNotFound) || !strings.Contains(err.Error(), "libbaz.so.1 (needed by "+filepath.Join(mid, "libbar.so.1")+") not found in the host") {
		t.Errorf("error = %v, want it to name libbaz.so.1, who needs it, and where it was looked for", err)
	}
}

func TestResolveSkipsWrongMachine(t *testing.T) {
	fx := newFixture(t, "gcc")
	wrong := fx.lib("wrong", "foo")
	b, err := os.ReadFile(wrong)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wrong, withMachine(b, 183), 0o755); err != nil { // EM_AARCH64
		t.Fatal(err)
	}
	right := fx.lib("right", "foo")
	dirs := filepath.Join(fx.dir, "wrong") + ":" + filepath.Join(fx.dir, "right")
	prog := fx.prog("bin", "app", append(fx.link("right", "foo"), "-Wl,-rpath,"+dirs)...)
	if got := agree(t, prog)["libfoo.so.1"]; got != right {
		t.Errorf("libfoo.so.1 => %s, want %s", got, right)
	}
}

func TestResolveNoDefaultLib(t *testing.T) {
	fx := newFixture(t, "gcc")
	prog := fx.prog("bin", "app", "-Wl,-z,nodefaultlib")
	if got := agree(t, prog); got != nil {
		t.Errorf("with DF_1_NODEFLIB and no rpath, libc should be unfindable; got %v", got)
	}
}

func TestResolveCycle(t *testing.T) {
	fx := newFixture(t, "gcc")
	dir := filepath.Join(fx.dir, "lib")
	fx.lib("lib", "b")
	fx.lib("lib", "a", fx.link("lib", "b")...)
	fx.lib("lib", "b", fx.link("lib", "a")...) // now a needs b and b needs a
	// DT_RPATH, so that liba and libb find each other through the program's.
	prog := fx.prog("bin", "app", append(fx.link("lib", "a"), "-Wl,--disable-new-dtags,-rpath,"+dir)...)
	got := agree(t, prog)
	if len(got) != 2 {
		t.Errorf("closure = %v, want liba and libb once each", got)
	}
}

func TestResolveMusl(t *testing.T) {
	fx := newFixture(t, "musl-gcc")
	foo := fx.lib("lib", "foo")
	prog := fx.prog("bin", "app", append(fx.link("lib", "foo"), "-Wl,-rpath,"+filepath.Join(fx.dir, "lib"))...)
	got := agree(t, prog)
	if got["libfoo.so.1"] != foo || len(got) != 1 {
		t.Errorf("closure = %v, want only libfoo.so.1 => %s (libc is the loader)", got, foo)
	}
}

// TestResolveSysrootCache builds a root whose only way to a library is its
// ld.so.cache, made by ldconfig -r, and resolves inside it.
func TestResolveSysrootCache(t *testing.T) {
	fx := newFixture(t, "gcc")
	testtool.Need(t, "ldconfig")
	root := filepath.Join(fx.dir, "root")
	fx.lib("root/opt/foo/lib", "foo")
	prog := fx.prog("bin", "app", fx.link("root/opt/foo/lib", "foo")...)
	// Give the root its own libc and loader, from the host, at the usual places.
	host, err := Scan(prog, Options{LibPath: []string{filepath.Join(root, "opt/foo/lib")}})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range append(host.Libraries, *host.Loader) {
		if l.Name == "libfoo.so.1" {
			continue
		}
		copyFile(t, l.Host, filepath.Join(root, l.Path))
	}
	writeFile(t, filepath.Join(root, "etc/ld.so.conf"), "include ld.so.conf.d/*.conf\n")
	writeFile(t, filepath.Join(root, "etc/ld.so.conf.d/foo.conf"), "# foo's libraries\n/opt/foo/lib\n")
	testtool.Run(t, nil, "", "ldconfig", "-r", root)
	r, err := Scan(prog, Options{Root: DirRoot(root)})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, l := range r.Libraries {
		if l.Name == "libfoo.so.1" {
			found = true
			if l.Path != "/opt/foo/lib/libfoo.so.1" || l.Host != filepath.Join(root, "opt/foo/lib/libfoo.so.1") {
				t.Errorf("libfoo.so.1 at %s (host %s), want /opt/foo/lib/libfoo.so.1 in the root", l.Path, l.Host)
			}
		}
	}
	if !found {
		t.Errorf("libfoo.so.1 not in %+v", r.Libraries)
	}
	// Without the cache (an image whose layers skipped ldconfig), the
	// directories of ld.so.conf and the files it includes still say where.
	if err := os.Remove(filepath.Join(root, "etc/ld.so.cache")); err != nil {
		t.Fatal(err)
	}
	r, err = Scan(prog, Options{Root: DirRoot(root)})
	if err != nil || !slices.ContainsFunc(r.Libraries, func(l Library) bool { return l.Name == "libfoo.so.1" && l.Via == ViaConf }) {
		t.Errorf("without the cache: %v, %+v; want libfoo.so.1 via ld.so.conf", err, r)
	}
	// Files that include each other, eight ways at each of eight levels
	// (8^9 paths to a file), are each read once: the scan stays instant.
	for i := range 8 {
		writeFile(t, filepath.Join(root, fmt.Sprintf("etc/ld.so.conf.d/%d.conf", i)), "include /etc/ld.so.conf.d/*.conf\n")
	}
	start := time.Now()
	r, err = Scan(prog, Options{Root: DirRoot(root)})
	if err != nil || !slices.ContainsFunc(r.Libraries, func(l Library) bool { return l.Name == "libfoo.so.1" && l.Via == ViaConf }) {
		t.Errorf("with includes in a loop: %v, %+v; want libfoo.so.1 via ld.so.conf", err, r)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("with includes in a loop the scan took %v", took)
	}
	// Past maxConfFiles the rest is left out, and a warning says so.
	writeFile(t, filepath.Join(root, "etc/ld.so.conf"), "/opt/foo/lib\ninclude many/*.conf\n")
	for i := range maxConfFiles {
		writeFile(t, filepath.Join(root, fmt.Sprintf("etc/many/%04d.conf", i)), "/opt/none\n")
	}
	r, err = Scan(prog, Options{Root: DirRoot(root)})
	if err != nil || !slices.ContainsFunc(r.Warnings, func(w string) bool { return strings.Contains(w, "more than 1000 files") }) {
		t.Errorf("with %d included files: %v, warnings %q; want one naming the bound", maxConfFiles, err, r.Warnings)
	}
	writeFile(t, filepath.Join(root, "etc/ld.so.conf"), "include ld.so.conf.d/*.conf\n")
	if err := os.Remove(filepath.Join(root, "etc/ld.so.conf.d/foo.conf")); err != nil {
		t.Fatal(err)
	}
	if _, err := Scan(prog, Options{Root: DirRoot(root)}); !errors.Is(err, ErrLibraryNotFound) {
		t.Errorf("without the cache and the conf: %v, want ErrLibraryNotFound", err)
	}
}

// TestScanNeverRunsTheInterpreter gives a program an interpreter that is a
// script leaving a marker file, and checks that scanning refuses it as no
// loader, and leaves no marker.
func TestScanNeverRunsTheInterpreter(t *testing.T) {
	fx := newFixture(t, "gcc")
	marker := filepath.Join(fx.dir, "ran")
	interp := filepath.Join(fx.dir, "interp.sh")
	writeFile(t, interp, "#!/bin/sh\ntouch "+marker+"\n")
	if err := os.Chmod(interp, 0o755); err != nil {
		t.Fatal(err)
	}
	prog := fx.prog("bin", "app", "-Wl,--dynamic-linker="+interp)
	_, err := Scan(prog, Options{})
	if !errors.Is(err, ErrLibraryNotFound) || !strings.Contains(err.Error(), "interpreter "+interp+" not found in the host: "+interp+" is not an ELF file") {
		t.Errorf("error = %v, want the script refused as no loader", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the interpreter ran")
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestResolveDynamicStringTokens checks $LIB and $PLATFORM against the
// loader: each expands to a directory holding a library only there.
func TestResolveDynamicStringTokens(t *testing.T) {
	fx := newFixture(t, "gcc")
	nr, err := Scan("/usr/bin/true", Options{NoResolve: true})
	if err != nil {
		t.Fatal(err)
	}
	res := &resolver{sys: HostRoot(), arch: archInfoFor(nr.Platform.Architecture, 0), class: elf.ELFCLASS64}
	for _, tc := range []struct{ token, dir string }{
		{"$LIB", res.libDir()},
		{"${PLATFORM}", res.arch.platform},
	} {
		t.Run(tc.token, func(t *testing.T) {
			sub := filepath.Join("tok", tc.dir)
			lib := fx.lib(sub, "tok")
			prog := fx.prog("bin", "tok", append(fx.link(sub, "tok"), "-Wl,-rpath,"+filepath.Join(fx.dir, "tok")+"/"+tc.token)...)
			got := agree(t, prog)
			if got == nil || !strings.HasSuffix(got["libtok.so.1"], "/"+tc.dir+"/libtok.so.1") {
				t.Errorf("libtok.so.1 => %q, want %s", got["libtok.so.1"], lib)
			}
		})
	}
}

// TestResolveMuslPathFile resolves a musl program in a root whose
// /etc/ld-musl-x86_64.path names the only directory holding its library.
func TestResolveMuslPathFile(t *testing.T) {
	fx := newFixture(t, "musl-gcc")
	root := filepath.Join(fx.dir, "root")
	fx.lib("root/opt/musl/lib", "foo")
	prog := fx.prog("bin", "app", fx.link("root/opt/musl/lib", "foo")...)
	nr, err := Scan(prog, Options{NoResolve: true})
	if err != nil {
		t.Fatal(err)
	}
	host, err := Scan("/usr/bin/true", Options{NoResolve: true})
	if err != nil {
		t.Fatal(err)
	}
	loader, _, err := HostRoot().Eval(nr.Interpreter)
	if err != nil {
		t.Fatal(err)
	}
	copyFile(t, loader, filepath.Join(root, nr.Interpreter))
	if _, err := Scan(prog, Options{Root: DirRoot(root)}); !errors.Is(err, ErrLibraryNotFound) {
		t.Fatalf("without a path file: %v, want ErrLibraryNotFound", err)
	}
	writeFile(t, filepath.Join(root, "etc/ld-musl-"+archInfoFor(host.Platform.Architecture, 0).muslArch+".path"), "/usr/lib\n/opt/musl/lib\n")
	r, err := Scan(prog, Options{Root: DirRoot(root)})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Libraries) != 1 || r.Libraries[0].Path != "/opt/musl/lib/libfoo.so.1" || r.Libraries[0].Via != ViaDefault {
		t.Errorf("libraries = %+v, want libfoo.so.1 from /opt/musl/lib via the path file", r.Libraries)
	}
	if !slices.Equal(r.DefaultDirs, []string{"/lib", "/usr/local/lib", "/usr/lib"}) {
		t.Errorf("default dirs = %v, want musl's own (an image has no path file)", r.DefaultDirs)
	}
}
