package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRuntimeLoadsRun packs programs whose libraries are loaded at run
// time, out of sight of DT_NEEDED, and runs them: a dlopen of zlib named
// in a .note.dlopen note, an iconv conversion from Latin-1 (a gconv
// module), and a thread cancellation (libgcc_s, which glibc dlopens).
func TestRuntimeLoadsRun(t *testing.T) {
	need(t)
	for _, tc := range []struct{ src, want string }{
		{"dlopen.c", "dlopened zlib "},
		{"iconv.c", "café\n"},
		{"cancel.c", "cancelled: yes\n"},
	} {
		t.Run(tc.src, func(t *testing.T) {
			bin := buildC(t, "gcc", filepath.Join("runtime-c", tc.src))
			if got := packRun(t, bin, "amd64"); !strings.HasPrefix(got, tc.want) {
				t.Errorf("container printed %q, want %q", got, tc.want)
			}
		})
	}
}

// TestVersionedLibraryRuns packs a program that needs FOO_2.0 of a
// library built twice with version scripts: with the old copy first on
// --lib-path it is refused, naming the version; with the new one it runs.
func TestVersionedLibraryRuns(t *testing.T) {
	need(t)
	dir := t.TempDir()
	v1, v2 := filepath.Join(dir, "v1"), filepath.Join(dir, "v2")
	for _, v := range []struct{ dir, script, src string }{
		{v1, "FOO_1.0 { global: foo1; local: *; };", "int foo1(void) { return 1; }"},
		{v2, "FOO_1.0 { global: foo1; local: *; };\nFOO_2.0 { global: foo2; } FOO_1.0;", "int foo1(void) { return 1; }\nint foo2(void) { return 2; }"},
	} {
		must(t, nil, "mkdir", "-p", v.dir)
		writeTestFile(t, v.dir+".map", v.script+"\n")
		writeTestFile(t, v.dir+".c", v.src+"\n")
		must(t, nil, "gcc", "-shared", "-fPIC", "-Wl,-soname,libfoo.so.1", "-Wl,--version-script="+v.dir+".map", "-o", filepath.Join(v.dir, "libfoo.so.1"), v.dir+".c")
	}
	main := filepath.Join(dir, "main.c")
	writeTestFile(t, main, "#include <stdio.h>\nint foo2(void);\nint main(void) { printf(\"foo2 says %d\\n\", foo2()); return 0; }\n")
	bin := filepath.Join(dir, "app")
	must(t, nil, "gcc", "-o", bin, main, "-L"+v2, "-l:libfoo.so.1")

	r := run(t, nil, h.bin, "pack", "--lib-path", v1, "--lib-path", v2, "-o", filepath.Join(dir, "x.tar"), bin)
	if r.code != 1 || !strings.Contains(r.stderr, "needs version FOO_2.0 of libfoo.so.1") {
		t.Errorf("old copy first: exit %d, stderr %q", r.code, r.stderr)
	}
	if got := packRun(t, bin, "amd64", "--lib-path", v2); got != "foo2 says 2\n" {
		t.Errorf("container printed %q", got)
	}
}
