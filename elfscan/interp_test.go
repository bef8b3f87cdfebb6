package elfscan

import (
	"bytes"
	"debug/elf"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// withInterp builds a C program whose PT_INTERP is interp, with the real
// toolchain, as a hostile user would craft one.
func withInterp(t *testing.T, interp string) string {
	t.Helper()
	fx := newFixture(t, "gcc")
	return fx.prog("bin", "app", "-Wl,--dynamic-linker="+interp)
}

// unterminated rewrites prog's PT_INTERP so that it has no NUL.
func unterminated(t *testing.T, prog string) string {
	t.Helper()
	f, err := elf.Open(prog)
	if err != nil {
		t.Fatal(err)
	}
	var off uint64
	var size uint64
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			off, size = p.Off, p.Filesz
		}
	}
	f.Close()
	data, err := os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	data[off+size-1] = 'x'
	out := prog + "-unterminated"
	if err := os.WriteFile(out, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestInterpreterMustBeALoader crafts programs whose PT_INTERP names what
// is no loader: a secret, a device, a FIFO, a directory, a kernel file, a
// loader of another machine, a relative path, or no NUL-terminated path
// at all. Each is refused, promptly (a device or FIFO read would fill the
// disk or hang), and nothing is packed.
func TestInterpreterMustBeALoader(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "token")
	if err := os.WriteFile(secret, []byte("s3cret"), 0o600); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, interp, says string
	}{
		{"a secret file", secret, "is not an ELF file"},
		{"/etc/shadow", "/etc/shadow", "is not an ELF file"},
		{"a device", "/dev/zero", "is in a kernel file system"},
		{"a kernel file", "/proc/self/environ", "is in a kernel file system"},
		{"a FIFO", fifo, "is a FIFO"},
		{"a directory", dir, "is a directory"},
		{"a relative path", "lib/ld.so", "not an absolute path"},
	}
	testtool.Need(t, "aarch64-linux-gnu-gcc")
	if arm, err := filepath.Glob("/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1"); err == nil && len(arm) == 1 {
		cases = append(cases, struct{ name, interp, says string }{"another machine's loader", arm[0], "is for ELFCLASS64 AARCH64, not the program's ELFCLASS64 X86_64"})
	} else {
		testtool.Missing(t, "no aarch64 loader in /usr/aarch64-linux-gnu (libc6-dev-arm64-cross)")
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			prog := withInterp(t, tc.interp)
			done := make(chan error, 1)
			go func() {
				_, err := Scan(prog, Options{})
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, ErrLibraryNotFound) || !strings.Contains(err.Error(), "interpreter "+tc.interp+" not found in the host") || !strings.Contains(err.Error(), tc.says) {
					t.Errorf("error = %v, want the interpreter refused because it %s", err, tc.says)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Scan did not return: it is reading the interpreter")
			}
		})
	}
	t.Run("no NUL", func(t *testing.T) {
		prog := unterminated(t, withInterp(t, "/lib64/ld-linux-x86-64.so.2"))
		if _, err := Scan(prog, Options{}); !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "not NUL-terminated") {
			t.Errorf("error = %v, want a malformed PT_INTERP", err)
		}
	})
	if b, _ := os.ReadFile(secret); !bytes.Equal(b, []byte("s3cret")) {
		t.Error("the secret changed")
	}
}

// TestSearchPathDotDotAfterSymlinks gives a program RUNPATH DIR/link/../lib
// with link -> real/sub: the kernel takes ".." after following link, so
// the library is DIR/real/lib's, not the DIR/lib a lexical clean finds.
// The loader itself agrees.
func TestSearchPathDotDotAfterSymlinks(t *testing.T) {
	fx := newFixture(t, "gcc")
	right := fx.lib("real/lib", "foo")
	wrong := fx.lib("lib", "foo")
	if err := os.MkdirAll(filepath.Join(fx.dir, "real", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real/sub", filepath.Join(fx.dir, "link")); err != nil {
		t.Fatal(err)
	}
	runpath := filepath.Join(fx.dir, "link") + "/../lib"
	prog := fx.prog("bin", "app", append(fx.link("lib", "foo"), "-Wl,--enable-new-dtags,-rpath,"+runpath)...)
	agree(t, prog)
	r, err := Scan(prog, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range r.Libraries {
		if l.Name == "libfoo.so.1" && l.RealPath != right {
			t.Errorf("libfoo.so.1 => %s, want %s (not %s)", l.RealPath, right, wrong)
		}
	}
}
