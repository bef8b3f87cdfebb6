package main

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeGlibcRoot makes a sysroot in which the checked-in x86-64 shared
// object stands in for glibc's loader and libc, reached through the
// symlinked /lib64 and /lib of a merged-/usr system. The files are the
// same on every machine, so an image packed from it has a fixed digest.
func fakeGlibcRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	so, err := os.ReadFile("../../testdata/elf/libshared.so")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"usr/lib64/ld-linux-x86-64.so.2", "usr/lib/x86_64-linux-gnu/libc.so.6"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, so, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{"lib64": "usr/lib64", "lib": "usr/lib"} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// TestImageDigestsArePinned packs fixed inputs and compares the manifest
// digests with the ones the first release of the pipeline produced (for
// the checked-in ELF files, computed by running this test on that
// commit). A change here changes every user's image digest: it must be
// deliberate.
func TestImageDigestsArePinned(t *testing.T) {
	sysroot := fakeGlibcRoot(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"static default", []string{"../../testdata/elf/musl-static"},
			"sha256:a7ea045a8e7b8c4ed3c427d92f5f592627b0db0e297007cab256f1ac635863ba"},
		{"static with config", []string{"--certs", "embedded", "--env", "A=b", "--label", "k=v", "--annotation", "a=b",
			"--expose", "8080/udp", "--workdir", "/w", "--user", "nobody", "../../testdata/elf/musl-static", "--", "arg"},
			"sha256:46e41723f321f5007f226f22e75bee49c719cbfffe54c2b0e389b0687ef0fe3b"},
		{"static zstd", []string{"--compression", "zstd", "--no-essentials", "../../testdata/elf/musl-static"},
			"sha256:ebc75d6333f0132dc04c20940779d529ee2b5f3f1b554b798378f2938f431884"},
		{"dynamic in a sysroot", []string{"--sysroot", sysroot, "../../testdata/elf/glibc-dynamic"},
			"sha256:b16ee1089de0c374647815442d6f5775658d0dd19ac79a247f55eb52f62cd513"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "img.tar")
			args := append([]string{"pack", "-t", "example.com/pinned:1", "-o", out}, c.args...)
			stdout, stderr, code := sp(map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			m := refLine.FindStringSubmatch(stdout)
			if m == nil {
				t.Fatalf("stdout = %q", stdout)
			}
			if m[2] != c.want {
				t.Errorf("digest %s, want %s", m[2], c.want)
			}
		})
	}
}
