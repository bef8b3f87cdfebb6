package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPackDynamicMusl(t *testing.T) {
	need(t)
	bin := buildC(t, "musl-gcc", "hello-c/hello.c")
	if got, want := packRun(t, bin, "amd64", "--", "dyn"), "hello from C args=dyn\n"; got != want {
		t.Errorf("container printed %q, want %q", got, want)
	}
}

func TestPackDynamicGlibcWithZlib(t *testing.T) {
	need(t)
	bin := buildC(t, "gcc", "zlib-c/zlib.c", "-lz")
	got := packRun(t, bin, "amd64")
	if !strings.HasPrefix(got, "zlib 1.") {
		t.Errorf("container printed %q, want the zlib version", got)
	}
}

func TestPackCxx(t *testing.T) {
	need(t)
	bin := buildC(t, "g++", "hello-cxx/hello.cc")
	if got, want := packRun(t, bin, "amd64"), "hello from C++\n"; got != want {
		t.Errorf("container printed %q, want %q", got, want)
	}
}

// TestPackOriginRunpath packs a program whose library sits beside it at
// $ORIGIN/../lib: in the image it must sit at the same place relative to
// the program.
func TestPackOriginRunpath(t *testing.T) {
	need(t)
	dir := t.TempDir()
	lib := filepath.Join(dir, "lib", "libgreet.so.1")
	bin := filepath.Join(dir, "bin", "greet")
	for _, d := range []string{filepath.Dir(lib), filepath.Dir(bin)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must(t, nil, "gcc", "-shared", "-fPIC", "-Wl,-soname,libgreet.so.1", "-o", lib, "../testdata/origin-c/greet.c")
	must(t, nil, "gcc", "-o", bin, "../testdata/origin-c/main.c", "-L"+filepath.Dir(lib), "-l:libgreet.so.1", "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib")
	if got, want := packRun(t, bin, "amd64", "--path", "/app/bin/greet"), "hello from $ORIGIN/../lib\n"; got != want {
		t.Errorf("container printed %q, want %q", got, want)
	}
}

func TestPackDebianCurl(t *testing.T) {
	need(t)
	got := packRun(t, "/usr/bin/curl", "amd64", "--", "--version")
	if !strings.HasPrefix(got, "curl ") || !strings.Contains(got, "OpenSSL") {
		t.Errorf("container printed %q, want curl's version banner", got)
	}
}

// TestPackArm64DynamicC resolves an aarch64 program's libraries in the
// Debian cross sysroot and runs the image under qemu.
func TestPackArm64DynamicC(t *testing.T) {
	need(t)
	bin := buildC(t, "aarch64-linux-gnu-gcc", "hello-c/hello.c")
	got := packRun(t, bin, "arm64", "--sysroot", h.env["AARCH64_SYSROOT"], "--", "arm")
	if want := "hello from C args=arm\n"; got != want {
		t.Errorf("container printed %q, want %q", got, want)
	}
}

// TestPackIsByteIdentical packs the same dynamic program twice.
func TestPackIsByteIdentical(t *testing.T) {
	need(t)
	dir := t.TempDir()
	var tarballs [][]byte
	var refs []string
	for _, n := range []string{"a.tar", "b.tar"} {
		out := filepath.Join(dir, n)
		refs = append(refs, must(t, []string{"SOURCE_DATE_EPOCH=1700000000"}, h.bin, "pack", "-t", "same:1", "-o", out, "/usr/bin/curl"))
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		tarballs = append(tarballs, b)
	}
	if refs[0] != refs[1] || string(tarballs[0]) != string(tarballs[1]) {
		t.Errorf("two packs of the same input differ: %q vs %q", refs[0], refs[1])
	}
}
