package elfscan

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// goHello builds a tiny Go program for goarch with the given extra env and
// returns its path.
func goHello(t *testing.T, goarch string, env ...string) string {
	t.Helper()
	return testtool.GoSource(t, "package main\nfunc main() { println(\"hi\") }\n", goarch, nil, env...)
}

// TestScanGoPlatforms builds a Go program for every Linux GOARCH the
// toolchain supports and checks kind and platform, against file(1) too.
func TestScanGoPlatforms(t *testing.T) {
	testtool.Need(t, "file")
	for _, tc := range []struct {
		goarch string
		env    []string
		want   Platform
	}{
		{"amd64", nil, Platform{"linux", "amd64", ""}},
		{"amd64", []string{"GOAMD64=v3"}, Platform{"linux", "amd64", "v3"}},
		{"arm64", nil, Platform{"linux", "arm64", "v8"}},
		{"arm", []string{"GOARM=6"}, Platform{"linux", "arm", "v6"}},
		{"arm", []string{"GOARM=7"}, Platform{"linux", "arm", "v7"}},
		{"386", nil, Platform{"linux", "386", ""}},
		{"ppc64le", nil, Platform{"linux", "ppc64le", ""}},
		{"ppc64", nil, Platform{"linux", "ppc64", ""}},
		{"s390x", nil, Platform{"linux", "s390x", ""}},
		{"riscv64", nil, Platform{"linux", "riscv64", ""}},
		{"mips64le", nil, Platform{"linux", "mips64le", ""}},
		{"mips64", nil, Platform{"linux", "mips64", ""}},
		{"mipsle", nil, Platform{"linux", "mipsle", ""}},
		{"mips", nil, Platform{"linux", "mips", ""}},
		{"loong64", nil, Platform{"linux", "loong64", ""}},
	} {
		name := tc.goarch + strings.Join(tc.env, ",")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			bin := goHello(t, tc.goarch, tc.env...)
			r, err := Scan(bin, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Platform != tc.want {
				t.Errorf("platform = %v, want %v", r.Platform, tc.want)
			}
			if r.Kind != Static || r.Libc != LibcNone {
				t.Errorf("kind, libc = %s, %s; want static, none", r.Kind, r.Libc)
			}
			if r.Go == nil || r.Go.CGO || !strings.HasPrefix(r.Go.Version, "go1.") {
				t.Errorf("go info = %+v, want a Go version and cgo off", r.Go)
			}
			agreeWithFile(t, bin, r)
		})
	}
}

// TestGoArchesCovered fails when the toolchain learns a Linux GOARCH that
// TestScanGoPlatforms does not build.
func TestGoArchesCovered(t *testing.T) {
	out, err := exec.Command("go", "tool", "dist", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	known := "386 amd64 arm arm64 loong64 mips mips64 mips64le mipsle ppc64 ppc64le riscv64 s390x"
	for _, line := range strings.Fields(string(out)) {
		if arch, ok := strings.CutPrefix(line, "linux/"); ok && !strings.Contains(" "+known+" ", " "+arch+" ") {
			t.Errorf("GOARCH %s is not covered", arch)
		}
	}
}

func TestScanRefusesNonELF(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hello := goHello(t, "amd64")
	full, err := os.ReadFile(hello)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		sentinel   error
		says       string
	}{
		{"missing", filepath.Join(dir, "nope"), nil, "no such file"},
		{"directory", dir, ErrNotELF, "directory"},
		{"empty", write("empty", nil), ErrNotELF, "empty"},
		{"script", write("run.sh", []byte("#!/bin/sh\necho hi\n")), ErrNotELF, "script"},
		{"text", write("notes.txt", []byte("hello world")), ErrNotELF, "not an ELF file"},
		{"windows", write("app.exe", []byte("MZ\x90\x00rest")), ErrNotELF, "GOOS=linux"},
		{"truncated header", write("trunc", full[:40]), ErrMalformed, "truncated"},
		{"truncated body", write("trunc2", full[:4096]), nil, ""},
		{"freebsd", write("fbsd", withOSABI(full, 9)), ErrUnsupported, "FREEBSD"},
		{"unknown machine", write("vax", withMachine(full, 75)), ErrUnsupported, "no OCI architecture"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Scan(tc.path, Options{})
			if err == nil {
				t.Fatal("Scan succeeded, want an error")
			}
			if !strings.HasPrefix(err.Error(), tc.path+": ") {
				t.Errorf("error %q does not start with the path", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error %q is not %v", err, tc.sentinel)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
		})
	}
}

func withOSABI(b []byte, abi byte) []byte {
	c := append([]byte(nil), b...)
	c[7] = abi
	return c
}

func withMachine(b []byte, m uint16) []byte {
	c := append([]byte(nil), b...)
	c[18], c[19] = byte(m), byte(m>>8)
	return c
}

// TestScanCKinds builds C programs with gcc, musl-gcc and the aarch64
// cross compiler, and checks kind, platform and libc against file(1).
func TestScanCKinds(t *testing.T) {
	testtool.Need(t, "file", "gcc", "musl-gcc", "aarch64-linux-gnu-gcc")
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.c")
	if err := os.WriteFile(src, []byte("#include <stdio.h>\nint main(){puts(\"hi\");return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	amd64 := Platform{"linux", "amd64", ""}
	arm64 := Platform{"linux", "arm64", "v8"}
	for _, tc := range []struct {
		cc    string
		flags []string
		kind  Kind
		plat  Platform
		libc  Libc
	}{
		{"gcc", nil, Dynamic, amd64, LibcGlibc},
		{"gcc", []string{"-static"}, Static, amd64, LibcGlibc},
		{"gcc", []string{"-static-pie"}, StaticPIE, amd64, LibcGlibc},
		{"gcc", []string{"-shared", "-fPIC"}, SharedObject, amd64, LibcGlibc},
		{"gcc", []string{"-no-pie"}, Dynamic, amd64, LibcGlibc},
		{"musl-gcc", nil, Dynamic, amd64, LibcMusl},
		{"musl-gcc", []string{"-static"}, Static, amd64, LibcUnknown},
		{"aarch64-linux-gnu-gcc", nil, Dynamic, arm64, LibcGlibc},
		{"aarch64-linux-gnu-gcc", []string{"-static"}, Static, arm64, LibcGlibc},
	} {
		name := tc.cc + strings.Join(tc.flags, "")
		t.Run(name, func(t *testing.T) {
			out := compileC(t, tc.cc, src, filepath.Join(dir, name), tc.flags...)
			r, err := Scan(out, Options{NoResolve: true})
			if err != nil {
				t.Fatal(err)
			}
			if r.Kind != tc.kind || r.Platform != tc.plat || r.Libc != tc.libc {
				t.Errorf("kind, platform, libc = %s, %s, %s; want %s, %s, %s", r.Kind, r.Platform, r.Libc, tc.kind, tc.plat, tc.libc)
			}
			if (r.Interpreter != "") != (tc.kind == Dynamic) {
				t.Errorf("interpreter = %q for a %s file", r.Interpreter, tc.kind)
			}
			agreeWithFile(t, out, r)
		})
	}
}

func TestPlatformMatches(t *testing.T) {
	for _, tc := range []struct {
		have, want string
		ok         bool
	}{
		{"linux/arm64/v8", "linux/arm64", true},
		{"linux/arm64/v8", "linux/arm64/v8", true},
		{"linux/amd64", "linux/amd64/v1", true},
		{"linux/amd64/v3", "linux/amd64/v2", false},
		{"linux/arm/v7", "linux/arm/v6", false},
		{"linux/amd64", "linux/arm64", false},
	} {
		have, err := ParsePlatform(tc.have)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ParsePlatform(tc.want)
		if err != nil {
			t.Fatal(err)
		}
		if got := have.Matches(want); got != tc.ok {
			t.Errorf("%s matches %s = %v, want %v", tc.have, tc.want, got, tc.ok)
		}
	}
	for _, bad := range []string{"", "linux", "linux/", "a/b/c/d", "windows/amd64", "linux/amd64/v99", "linux/sparc64", "linux/386/v2"} {
		if _, err := ParsePlatform(bad); err == nil {
			t.Errorf("ParsePlatform(%q) succeeded", bad)
		}
	}
	for alias, want := range map[string]string{
		"linux/x86_64": "linux/amd64", "linux/aarch64": "linux/arm64", "linux/arm64/v8": "linux/arm64/v8",
		"linux/armhf": "linux/arm/v7", "linux/armel": "linux/arm/v6", "linux/i686": "linux/386",
	} {
		if p, err := ParsePlatform(alias); err != nil || p.String() != want {
			t.Errorf("ParsePlatform(%q) = %s, %v; want %s", alias, p, err, want)
		}
	}
}

// TestScanCVariants checks the variants C compilers record: the x86 ISA
// level note, and the ARM architecture attribute with the float ABI.
// The ARM programs are linked without a C library, so only the compilers
// are needed.
func TestScanCVariants(t *testing.T) {
	testtool.Need(t, "gcc", "arm-linux-gnueabihf-gcc", "arm-linux-gnueabi-gcc")
	dir := t.TempDir()
	src := filepath.Join(dir, "v.c")
	if err := os.WriteFile(src, []byte("int main(void) { for (;;) {} }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bare := []string{"-nostdlib", "-static", "-Wl,-e,main"}
	for _, tc := range []struct {
		name, cc string
		flags    []string
		plat     Platform
		float    string
	}{
		{"x86-64-v3", "gcc", []string{"-march=x86-64-v3", "-mneeded"}, Platform{"linux", "amd64", "v3"}, ""},
		{"x86-64-v2", "gcc", []string{"-march=x86-64-v2", "-mneeded"}, Platform{"linux", "amd64", "v2"}, ""},
		{"x86-64", "gcc", nil, Platform{"linux", "amd64", ""}, ""},
		{"armv7 hard", "arm-linux-gnueabihf-gcc", append([]string{"-march=armv7-a+fp"}, bare...), Platform{"linux", "arm", "v7"}, "hard"},
		{"armv6 hard", "arm-linux-gnueabihf-gcc", append([]string{"-march=armv6", "-mfpu=vfp", "-marm"}, bare...), Platform{"linux", "arm", "v6"}, "hard"},
		{"armv5 soft", "arm-linux-gnueabi-gcc", append([]string{"-march=armv5te", "-marm"}, bare...), Platform{"linux", "arm", "v5"}, "soft"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := compileC(t, tc.cc, src, filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")), tc.flags...)
			r, err := Scan(out, Options{NoResolve: true})
			if err != nil {
				t.Fatal(err)
			}
			if r.Platform != tc.plat || r.FloatABI != tc.float {
				t.Errorf("platform %s float %q, want %s %q", r.Platform, r.FloatABI, tc.plat, tc.float)
			}
		})
	}
}

// compileC compiles src with cc into out and returns out.
func compileC(t *testing.T, cc, src, out string, flags ...string) string {
	t.Helper()
	testtool.CC(t, cc, append([]string{"-o", out, src}, flags...)...)
	return out
}
