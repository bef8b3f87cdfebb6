package elfscan

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

const pathsLibSrc = `
const char *tp_data(void) { return "/usr/share/tplib/data.db"; }
const char *tp_rel(void) { return "share/tplib/templates"; }
const char *tp_fmt(void) { return "/proc/%d/stat"; }
const char *tp_msg(void) { return "cannot open /usr/share/tplib/msg"; }
const char *tp_xml(void) { return "<cfg><dir>/usr/share/tplib/xmldir</dir></cfg>"; }
const char *tp_conf(void) { return "tp.conf"; }
const char *tp_aspell(void) { return "<prefix:lib/tplib/dicts>"; }
const char *tp_beside(void) { return "%s/tplib-data"; }
`

const pathsProgSrc = `
#include <stdio.h>
const char *tp_data(void); const char *tp_rel(void); const char *tp_fmt(void);
const char *tp_msg(void); const char *tp_xml(void);
char writable[] = "/etc/tpwritable";
static const char list[] = "/etc/tp.conf:/usr/share/tp/conf:relative:/";
int main(int argc, char **argv) {
	puts(list); puts(writable); puts("/usr/share/tp/trailing/");
	puts("//pattern"); puts("/usr/../etc/dotdot"); puts("/12/34");
	return tp_data()[0] + tp_rel()[0] + tp_fmt()[0] + tp_msg()[0] + tp_xml()[0] + argc;
}
`

// buildPathsFixture builds, under dir, usr/bin/prog and
// usr/lib/libtp.so.1 (its rpath) from the sources above.
func buildPathsFixture(t *testing.T) (dir, prog, lib string) {
	t.Helper()
	testtool.Need(t, "gcc")
	dir = t.TempDir()
	for _, d := range []string{"usr/bin", "usr/lib", "src"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	at := func(name string) string { return filepath.Join(dir, name) }
	if err := os.WriteFile(at("src/lib.c"), []byte(pathsLibSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(at("src/prog.c"), []byte(pathsProgSrc), 0o644); err != nil {
		t.Fatal(err)
	}
	lib, prog = at("usr/lib/libtp.so.1"), at("usr/bin/prog")
	testtool.CC(t, "gcc", "-shared", "-fPIC", "-Wl,-soname,libtp.so.1", "-o", lib, at("src/lib.c"))
	testtool.CC(t, "gcc", "-o", prog, at("src/prog.c"), "-L"+at("usr/lib"), "-l:libtp.so.1", "-Wl,-rpath,"+at("usr/lib"))
	return dir, prog, lib
}

// TestScanFindsPathLiterals: Scan reports the absolute paths the program
// and its library hold in read-only data, each element of a colon list,
// the text of an XML element, and a path relative to the library's
// installation prefix joined to it, and a configuration file name joined
// to the directories it names; not a string in writable data, a
// printf format, a path inside a message, a pattern, a ".." path, a path
// with no letter, nor anything the C library holds.
func TestScanFindsPathLiterals(t *testing.T) {
	dir, prog, lib := buildPathsFixture(t)
	r, err := Scan(prog, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range r.Paths {
		got[p.Path] = p.In
		if strings.Contains(p.In, "libc.so") {
			t.Errorf("a literal of the C library is reported: %+v", p)
		}
	}
	want := map[string]string{
		"/etc/tp.conf":                     prog,
		"/usr/share/tp/conf":               prog,
		"/usr/share/tp/trailing":           prog,
		"/usr/share/tplib/data.db":         lib,
		"/usr/share/tplib/xmldir":          lib,
		dir + "/usr/share/tplib/templates": lib,
		dir + "/usr/lib/tplib/dicts":       lib, // aspell's way
		dir + "/usr/lib/tplib-data":        lib, // "%s/tplib-data", beside the library
	}
	for p, in := range want {
		if got[p] != in {
			t.Errorf("path %s: found in %q, want %q (all: %v)", p, got[p], in, r.Paths)
		}
	}
	for _, p := range []string{"/etc/tpwritable", "/proc/%d/stat", "/proc", "/usr/share/tplib/msg", "//pattern", "/pattern", "/usr/../etc/dotdot", "/etc/dotdot", "/12/34", "/", "relative"} {
		if in, ok := got[p]; ok {
			t.Errorf("%s is reported (in %s), but it is no path literal of read-only data", p, in)
		}
	}
	rel := slices.IndexFunc(r.Paths, func(p NamedPath) bool { return p.Path == dir+"/usr/share/tplib/templates" })
	if rel < 0 || r.Paths[rel].String != "share/tplib/templates" {
		t.Errorf("the prefix-relative path does not say its string: %+v", r.Paths)
	}
}

// TestReadPathsWithoutSectionHeaders: a file stripped of its section
// headers is read by its read-only segments.
func TestReadPathsWithoutSectionHeaders(t *testing.T) {
	_, prog, _ := buildPathsFixture(t)
	data, err := os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	for i := 40; i < 48; i++ {
		data[i] = 0 // e_shoff
	}
	data[60], data[61], data[62], data[63] = 0, 0, 0, 0 // e_shnum, e_shstrndx
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Sections) != 0 {
		t.Fatalf("the file still has %d sections", len(f.Sections))
	}
	pf := readPaths(f)
	if !slices.ContainsFunc(pf.paths, func(p foundPath) bool { return p.path == "/usr/share/tp/conf" }) {
		t.Errorf("read by its segments, the file names %v; want /usr/share/tp/conf among them", pf.paths)
	}
	if slices.ContainsFunc(pf.paths, func(p foundPath) bool { return p.path == "/etc/tpwritable" }) {
		t.Errorf("a string of a writable segment is reported: %v", pf.paths)
	}
}

// scanAll runs the path scanner over data cut into pieces of size n.
func scanAll(data []byte, n int) []string {
	var out []string
	s := pathScanner{found: func(b []byte) bool { out = append(out, string(b)); return true }}
	for len(data) > 0 {
		k := min(n, len(data))
		s.write(data[:k])
		data = data[k:]
	}
	return out
}

// TestPathScannerAcrossReads: a run cut by the end of a read is found
// whole, a run longer than a path can be is not, and a run that does
// not end in NUL is not taken.
func TestPathScannerAcrossReads(t *testing.T) {
	long := "/" + strings.Repeat("a", maxPathLen)
	data := []byte("\x00/usr/share/a\x00junk/usr/b\x00" + long + "\x00/after/long\x00/no/nul")
	want := []string{"/usr/share/a", "/after/long"}
	for _, n := range []int{1, 2, 3, 7, 64, len(data)} {
		if got := scanAll(data, n); !slices.Equal(got, want) {
			t.Errorf("read %d bytes at a time: found %q, want %q", n, got, want)
		}
	}
}

// FuzzPathScanner: whatever the bytes and however they are cut, the
// scanner finds the same runs, each bounded and a candidate, and the
// paths made of them are absolute or prefix-relative and clean.
func FuzzPathScanner(f *testing.F) {
	f.Add([]byte("\x00/etc/magic:/usr/share/misc/magic\x00share/x/y\x00"), 3)
	f.Add([]byte("<a>/x/y</a>\x00/\x00//\x00/./\x00<prefix:lib/x>\x00<prefix:>"), 1)
	f.Fuzz(func(t *testing.T, data []byte, n int) {
		if n <= 0 || n > len(data)+1 {
			n = len(data) + 1
		}
		whole, cut := scanAll(data, len(data)+1), scanAll(data, n)
		if !slices.Equal(whole, cut) {
			t.Fatalf("whole: %q; cut every %d bytes: %q", whole, n, cut)
		}
		for _, run := range whole {
			if len(run) > maxPathLen || !candidate([]byte(run)) {
				t.Fatalf("run %q is no candidate", run)
			}
			for _, p := range pathsOf([]byte(run)) {
				if strings.Contains(p.path, "//") || strings.Contains("/"+p.path+"/", "/../") || strings.Contains("/"+p.path+"/", "/./") {
					t.Fatalf("path %q of %q is not clean", p.path, run)
				}
			}
		}
	})
}

// BenchmarkReadPaths reads the paths of the host's largest libraries:
// the cost of the search on a program's closure.
func BenchmarkReadPaths(b *testing.B) {
	for _, name := range []string{"libc.so.6", "libcrypto.so.3"} {
		p := filepath.Join("/usr/lib/x86_64-linux-gnu", name)
		f, err := elf.Open(p)
		if err != nil {
			b.Logf("%s: %v", p, err)
			continue
		}
		b.Run(name, func(b *testing.B) {
			var size int64
			for _, r := range readOnlyData(f) {
				n, _ := bytes.NewBuffer(nil).ReadFrom(r)
				size += n
			}
			b.SetBytes(size)
			for b.Loop() {
				readPaths(f)
			}
		})
		f.Close()
	}
}
