package elfscan

import (
	"debug/elf"
	"errors"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// versionedFoo builds libfoo.so.1 twice with version scripts, v1 defining
// FOO_1.0 and v2 adding FOO_2.0, and a program that calls foo2@FOO_2.0.
func versionedFoo(t *testing.T) (fx *fixture, v1, v2, prog string) {
	fx = newFixture(t, "gcc")
	v1, v2 = filepath.Join(fx.dir, "v1"), filepath.Join(fx.dir, "v2")
	for _, v := range []struct{ dir, script, src string }{
		{v1, "FOO_1.0 { global: foo1; local: *; };\n", "int foo1(void) { return 1; }\n"},
		{v2, "FOO_1.0 { global: foo1; local: *; };\nFOO_2.0 { global: foo2; } FOO_1.0;\n", "int foo1(void) { return 1; }\nint foo2(void) { return 2; }\n"},
	} {
		script := filepath.Join(v.dir + ".map")
		writeFile(t, script, v.script)
		fx.cc1(v.src, "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", "-Wl,--version-script="+script, "-o", fx.path(filepath.Base(v.dir), "libfoo.so.1"))
	}
	prog = fx.path("bin", "app")
	fx.cc1("int foo2(void);\nint main(void) { return foo2() - 2; }\n", "-L"+v2, "-l:libfoo.so.1", "-o", prog)
	return fx, v1, v2, prog
}

// TestVersionsMustBeDefined: with an older copy of a library ahead of the
// right one on the search path, the loader loads the older one and fails;
// Scan refuses, naming the program, the version, the library file it
// picked and the copy that has the version. With the right copy alone it
// resolves.
func TestVersionsMustBeDefined(t *testing.T) {
	_, v1, v2, prog := versionedFoo(t)
	cmd := exec.Command(prog)
	cmd.Env = []string{"LD_LIBRARY_PATH=" + v1 + ":" + v2}
	out, _ := cmd.CombinedOutput() // the loader as oracle: it must refuse too
	if !strings.Contains(string(out), "version `FOO_2.0' not found") {
		t.Fatalf("the loader did not refuse the old library: %s", out)
	}
	_, err := Scan(prog, Options{LibPath: []string{v1, v2}})
	want := prog + " needs version FOO_2.0 of libfoo.so.1, and " + filepath.Join(v1, "libfoo.so.1") + " does not define it; " + filepath.Join(v2, "libfoo.so.1") + " does"
	if !errors.Is(err, ErrVersion) || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v\nwant it to say %q", err, want)
	}
	if _, err := Scan(prog, Options{LibPath: []string{v2}}); err != nil {
		t.Errorf("with the right copy: %v", err)
	}
}

// TestSymbolsMustBeDefined: an older copy of a library without symbol
// versions, lacking a function the program calls, is refused naming the
// symbol, as the loader fails ("undefined symbol").
func TestSymbolsMustBeDefined(t *testing.T) {
	fx := newFixture(t, "gcc")
	old := fx.lib("old", "bar") // defines bar() only
	fx.cc1("int bar(void) { return 1; }\nint baz(void) { return 2; }\n", "-shared", "-fPIC", "-Wl,-soname,libbar.so.1", "-o", fx.path("new", "libbar.so.1"))
	prog := fx.path("bin", "app")
	fx.cc1("int baz(void);\nint main(void) { return baz() - 2; }\n", "-L"+filepath.Join(fx.dir, "new"), "-l:libbar.so.1", "-o", prog)
	cmd := exec.Command(prog)
	cmd.Env = []string{"LD_LIBRARY_PATH=" + filepath.Dir(old)}
	if out, _ := cmd.CombinedOutput(); !strings.Contains(string(out), "undefined symbol: baz") {
		t.Fatalf("the loader did not refuse the old library: %s", out)
	}
	if _, err := Scan(prog, Options{LibPath: []string{filepath.Dir(old)}}); err != nil {
		t.Errorf("without CheckSymbols: %v", err)
	}
	_, err := Scan(prog, Options{LibPath: []string{filepath.Dir(old)}, CheckSymbols: true})
	if !errors.Is(err, ErrSymbol) || !strings.Contains(err.Error(), prog+" needs symbol baz, and none of the") {
		t.Errorf("error = %v, want the undefined symbol baz named", err)
	}
	if _, err := Scan(prog, Options{LibPath: []string{filepath.Join(fx.dir, "new")}, CheckSymbols: true}); err != nil {
		t.Errorf("with the new copy: %v", err)
	}
}

// TestVersionsAgreeWithDebugELF reads the symbol versions of a host
// program's closure with readVersionNeeds and readVersionDefs and with
// debug/elf's DynamicVersionNeeds and DynamicVersions, which answer the
// same where they answer: they read the whole dynamic symbol table into
// memory first (5 MB of names for a program exporting 100,000 symbols,
// up to maxTable's 256 MiB for a hostile file) and refuse an object
// without SHT_GNU_VERSYM, where elfscan's read the two version sections
// alone, their names one by one, bounded.
func TestVersionsAgreeWithDebugELF(t *testing.T) {
	var host *Report
	for _, p := range []string{"/usr/bin/curl", "/usr/bin/ls", "/bin/true"} {
		if r, err := Scan(p, Options{LibrariesOnly: true}); err == nil && r.Loader != nil {
			host = r
			break
		}
	}
	if host == nil {
		t.Skip("no dynamic host program")
	}
	files := []string{host.File, host.Loader.RealPath}
	for _, l := range host.Libraries {
		files = append(files, l.RealPath)
	}
	compared := 0
	for _, p := range files {
		f, err := elf.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		needs, errN := f.DynamicVersionNeeds()
		defs, errD := f.DynamicVersions()
		if errN == nil {
			var want []versionNeed
			for _, n := range needs {
				vn := versionNeed{file: n.Name}
				for _, d := range n.Needs {
					vn.versions = append(vn.versions, d.Dep)
				}
				want = append(want, vn)
			}
			if got := readVersionNeeds(f); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: needs %v, debug/elf %v", p, got, want)
			}
			compared++
		}
		if errD == nil {
			var want []string
			for _, d := range defs {
				want = append(want, d.Name)
			}
			if got := readVersionDefs(f); !reflect.DeepEqual(got, want) {
				t.Errorf("%s: defines %v, debug/elf %v", p, got, want)
			}
			compared++
		}
		f.Close()
	}
	if compared == 0 {
		t.Fatal("debug/elf read no versions: nothing was compared")
	}
}
