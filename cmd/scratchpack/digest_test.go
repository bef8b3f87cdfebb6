package main

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeGlibcRoot makes a sysroot in which checked-in x86-64 shared objects
// stand in for glibc's loader and libc (one that defines the symbol
// versions the program needs), reached through the symlinked /lib64 and
// /lib of a merged-/usr system. The files are the same on every machine,
// so an image packed from it has a fixed digest.
func fakeGlibcRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for f, src := range map[string]string{
		"usr/lib64/ld-linux-x86-64.so.2":     "libshared.so",
		"usr/lib/x86_64-linux-gnu/libc.so.6": "fake-libc.so.6",
	} {
		so, err := os.ReadFile("../../testdata/elf/" + src)
		if err != nil {
			t.Fatal(err)
		}
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
// digests with the ones computed by running this test when they last
// changed on purpose: when the pipeline moved out of cmd (unchanged then),
// when gzip became parallel (the gzip ones changed; zstd's did not), and
// when symbols and their versions became checked (the dynamic case's stand-in libc,
// an input, had to define them), and when pack began refusing a working
// directory the image lacks (the config case's input, --workdir /w, became
// /tmp; the same input gives the same digest before and after). A change
// here changes every user's image digest: it must be deliberate.
func TestImageDigestsArePinned(t *testing.T) {
	t.Parallel()
	sysroot := fakeGlibcRoot(t)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"static default", []string{"../../testdata/elf/musl-static"},
			"sha256:a2181fcaa981b0752b87310eb8bcad4853f935b39ebf39cf2f1f331334b416ec"},
		{"static with config", []string{"--certs", "embedded", "--env", "A=b", "--label", "k=v", "--annotation", "a=b",
			"--expose", "8080/udp", "--workdir", "/tmp", "--user", "nobody", "../../testdata/elf/musl-static", "--", "arg"},
			"sha256:cdb9875df4c2474e3217b90b1d49bf32f8a7d02fc72ed61aaf227fe2642b8dd5"},
		{"static zstd", []string{"--compression", "zstd", "--no-essentials", "../../testdata/elf/musl-static"},
			"sha256:ebc75d6333f0132dc04c20940779d529ee2b5f3f1b554b798378f2938f431884"},
		{"dynamic in a sysroot", []string{"--sysroot", sysroot, "../../testdata/elf/glibc-dynamic"},
			"sha256:75d41287571848bc234801618a907b85ee3a20fef2f511b3edadf28fb6f68ecf"},
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
