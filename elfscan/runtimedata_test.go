package elfscan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// runTimeOf compiles a C program (with extra gcc arguments) and scans it.
func runTimeOf(t *testing.T, src string, args ...string) *Report {
	t.Helper()
	dir := t.TempDir()
	c := filepath.Join(dir, "p.c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "p")
	testtool.CC(t, "gcc", append([]string{"-o", bin, c}, args...)...)
	r, err := Scan(bin, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRunTimeDataOfCImports compiles C programs that use local time,
// locales, iconv, a shell and terminfo, and one that uses none: each
// import is evidence, with the symbol and the file it is in, and local
// time sets NeedsTZData as Go's time.LoadLocation does.
func TestRunTimeDataOfCImports(t *testing.T) {
	testtool.Need(t, "gcc")
	r := runTimeOf(t, `#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <locale.h>
#include <iconv.h>
int main(int argc, char **argv) {
	time_t now = time(0);
	setlocale(LC_ALL, "");
	iconv_open(argv[1], "UTF-8");
	printf("%d\n", localtime(&now)->tm_hour);
	return system(argv[1]);
}
`)
	rt := r.RunTime
	if rt == nil {
		t.Fatal("no run-time data")
	}
	for field, want := range map[string]string{
		"TimeZones": "localtime in p", "Locale": "setlocale in p", "Iconv": "iconv_open in p", "Shell": "system in p",
	} {
		got := map[string]string{"TimeZones": rt.TimeZones, "Locale": rt.Locale, "Iconv": rt.Iconv, "Shell": rt.Shell}[field]
		if got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	if !r.NeedsTZData {
		t.Error("a C program that calls localtime does not need zone data")
	}
	if rt.Terminfo != "" || rt.Python != nil {
		t.Errorf("terminfo %q, python %+v: the program has neither", rt.Terminfo, rt.Python)
	}
	if !strings.Contains(strings.Join(r.Warnings, "\n"), "runs /bin/sh (system in p); the image has no shell unless you add one: --add") {
		t.Errorf("no warning about the shell: %q", r.Warnings)
	}

	plain := runTimeOf(t, "#include <stdio.h>\nint main(void) { puts(\"hi\"); return 0; }\n")
	if plain.RunTime != nil || plain.NeedsTZData {
		t.Errorf("a program that only prints: run-time data %+v, needs zone data %v", plain.RunTime, plain.NeedsTZData)
	}
}

// TestRunTimeDataExecOfAShell tells an exec of "/bin/sh", which needs a
// shell, from an exec of another program, which does not.
func TestRunTimeDataExecOfAShell(t *testing.T) {
	testtool.Need(t, "gcc")
	for _, tc := range []struct {
		prog, want string
	}{
		{"/bin/sh", `execl of "/bin/sh" in p`},
		{"/bin/true", ""},
	} {
		r := runTimeOf(t, `#include <unistd.h>
int main(void) { return execl("`+tc.prog+`", "x", "-c", "true", (char *)0); }
`)
		got := ""
		if r.RunTime != nil {
			got = r.RunTime.Shell
		}
		if got != tc.want {
			t.Errorf("exec of %s: shell %q, want %q", tc.prog, got, tc.want)
		}
	}
}

// TestRunTimeDataTerminfoAndPython links a program to the host's
// libtinfo and to a library named as libpython is that names
// "lib-dynload": the first is terminfo evidence, the second an embedded
// Python of that version. A library of the same name that does not name
// lib-dynload is not taken for Python.
func TestRunTimeDataTerminfoAndPython(t *testing.T) {
	testtool.Need(t, "gcc")
	tinfo, _ := filepath.Glob("/usr/lib/*/libtinfo.so.6")
	if len(tinfo) == 0 {
		testtool.Missing(t, "the host has no libtinfo.so.6 (libtinfo6)")
	}
	for _, tc := range []struct {
		name, data, want string
	}{
		{"libpython9.7.so.1.0", "/lib-dynload", "9.7"},
		{"libpython9.8.so.1.0", "/lib-nothing", ""},
	} {
		dir := t.TempDir()
		lib := filepath.Join(dir, tc.name)
		src := filepath.Join(dir, "py.c")
		if err := os.WriteFile(src, []byte(`const char *py_dir(void) { return "`+tc.data+`"; }`+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		testtool.CC(t, "gcc", "-shared", "-fPIC", "-Wl,-soname,"+tc.name, "-o", lib, src)
		r := runTimeOf(t, "const char *py_dir(void);\nint main(void) { return py_dir()[0] == 0; }\n",
			lib, "-Wl,-rpath,"+dir, "-Wl,--no-as-needed", tinfo[0])
		if r.RunTime == nil || r.RunTime.Terminfo != "linked to libtinfo.so.6" {
			t.Errorf("%s: run-time data %+v, want terminfo evidence", tc.name, r.RunTime)
			continue
		}
		switch py := r.RunTime.Python; {
		case tc.want == "" && py != nil:
			t.Errorf("%s names no lib-dynload, but is taken for Python %+v", tc.name, py)
		case tc.want != "" && (py == nil || py.Version != tc.want || py.Object != lib):
			t.Errorf("%s: python %+v, want version %s in %s", tc.name, py, tc.want, lib)
		}
	}
}

// TestHolds finds a string wherever it falls across the chunks it is
// read in, as a whole string only when asked, and never a longer one.
func TestHolds(t *testing.T) {
	for size := 1; size < 24; size++ {
		for at := 0; at < 30; at++ {
			data := strings.Repeat("x", at) + "\x00/bin/sh\x00" + strings.Repeat("y", 7)
			if !holds(strings.NewReader(data), "/bin/sh", true, size) || !holds(strings.NewReader(data), "bin/s", false, size) {
				t.Fatalf("chunks of %d: /bin/sh after %d bytes is not found", size, at)
			}
			if holds(strings.NewReader(data), "/bin/s", true, size) || holds(strings.NewReader(data), "bin/sh", true, size) {
				t.Fatalf("chunks of %d: part of /bin/sh after %d bytes is taken for a whole string", size, at)
			}
		}
	}
	if !holds(strings.NewReader("/bin/sh\x00"), "/bin/sh", true, 4) {
		t.Error("a string that starts the data is not found")
	}
	if holds(strings.NewReader("/bin/sh"), "/bin/sh", true, 4) {
		t.Error("a string without its NUL is taken for a whole one")
	}
}
