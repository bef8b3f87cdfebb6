package main

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestOutputNeverClobbers points -o at what it must not replace: the
// input, a symlink's target, a directory; and at what it must write
// through without replacing: /dev/null, /dev/full, a FIFO, stdout.
func TestOutputNeverClobbers(t *testing.T) {
	bin := goProgram(t, "hello-go", "amd64")
	orig, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "precious")
	if err := os.WriteFile(target, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.tar")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, out string
		code      int
		says      string
	}{
		{"the input", bin, 1, "an input of this image"},
		{"a symlink to a file", link, 1, "is a symlink to " + target},
		{"a directory", dir + "/", 1, "is a directory"},
		{"/dev/null", "/dev/null", 0, ""},
		{"/dev/full", "/dev/full", 1, "no space left on device"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := sp(nil, "pack", "-o", tc.out, bin)
			if code != tc.code || !strings.Contains(stderr, tc.says) {
				t.Errorf("exit %d, stderr %q; want exit %d saying %q", code, stderr, tc.code, tc.says)
			}
		})
	}
	if b, _ := os.ReadFile(bin); !bytes.Equal(b, orig) {
		t.Error("the input binary changed")
	}
	if b, _ := os.ReadFile(target); string(b) != "keep me" {
		t.Error("the symlink's target changed")
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced")
	}
	for _, dev := range []string{"/dev/null", "/dev/full"} {
		if fi, err := os.Stat(dev); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
			t.Fatalf("%s is no longer a character device", dev)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("left %d files in %s, want the 2 it had", len(entries), dir)
	}

	t.Run("a FIFO", func(t *testing.T) {
		fifo := filepath.Join(t.TempDir(), "fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		got := make(chan []byte)
		go func() {
			f, err := os.Open(fifo)
			if err != nil {
				got <- nil
				return
			}
			b, _ := io.ReadAll(f)
			f.Close()
			got <- b
		}()
		if _, stderr, code := sp(nil, "pack", "-o", fifo, bin); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if b := <-got; !isTar(b) {
			t.Errorf("the FIFO's reader got %d bytes that are not a tarball", len(b))
		}
		if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
			t.Error("the FIFO was replaced")
		}
	})
	t.Run("stdout", func(t *testing.T) {
		stdout, stderr, code := sp(nil, "pack", "-t", "hello:1", "-o", "-", bin)
		if code != 0 || !isTar([]byte(stdout)) || !strings.Contains(stderr, "hello:1@sha256:") {
			t.Errorf("exit %d, %d bytes on stdout (a tarball: %v), stderr %q; want the tarball on stdout and the reference on stderr",
				code, len(stdout), isTar([]byte(stdout)), stderr)
		}
	})
}

// isTar reports whether b is a tar stream with a manifest.json, as a
// docker-archive is.
func isTar(b []byte) bool {
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err != nil {
			return false
		}
		if h.Name == "manifest.json" {
			return true
		}
	}
}
