package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestOutputNeverClobbers points -o at what it must not replace: the
// input, a symlink's target, a directory; and at what it must write
// through without replacing: /dev/null, /dev/full, a FIFO, stdout.
func TestOutputNeverClobbers(t *testing.T) {
	t.Parallel()
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

// TestPackImageRefsAndMetadata: --image-refs lists REF@DIGEST per tag and
// --metadata-file what a release pipeline reads; stderr names every tag
// and the image ID.
func TestPackImageRefsAndMetadata(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	amd64, arm64 := goProgram(t, "hello-go", "amd64"), goProgram(t, "hello-go", "arm64")
	refs, meta, lay := filepath.Join(dir, "refs"), filepath.Join(dir, "meta.json"), filepath.Join(dir, "layout")
	stdout, stderr, code := sp(nil, "pack", "-t", "app:1.2,app:latest", "--oci-layout", lay, "--image-refs", refs, "--metadata-file", meta, amd64, arm64)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	digest := strings.TrimSpace(strings.TrimPrefix(stdout, "app:1.2@"))
	if b, _ := os.ReadFile(refs); string(b) != "app:1.2@"+digest+"\napp:latest@"+digest+"\n" {
		t.Errorf("image refs = %q", b)
	}
	var m struct {
		Tags   []string
		Digest string
		Images []struct {
			Platform, Digest, ImageID string
			Layers                    []struct {
				Digest string
				Size   int64
			}
		}
	}
	b, _ := os.ReadFile(meta)
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if m.Digest != digest || strings.Join(m.Tags, " ") != "app:1.2 app:latest" || len(m.Images) != 2 ||
		m.Images[0].Platform != "linux/amd64" || m.Images[1].Platform != "linux/arm64/v8" {
		t.Errorf("metadata = %s", b)
	}
	descs, _, _ := sp(nil, "inspect", "--json", lay+":app:1.2")
	for i, line := range strings.Split(strings.TrimSpace(descs), "\n") {
		var d struct {
			Digest, Config string
			Layers         []struct {
				Digest string
				Size   int64
			}
		}
		json.Unmarshal([]byte(line), &d)
		im := m.Images[i]
		if im.Digest != d.Digest || im.ImageID != d.Config || len(im.Layers) != 1 || im.Layers[0].Digest != d.Layers[0].Digest || im.Layers[0].Size != d.Layers[0].Size {
			t.Errorf("image %d: metadata %+v, inspect %+v", i, im, d)
		}
	}
	if !strings.Contains(stderr, "wrote "+lay+" with app:1.2, app:latest") {
		t.Errorf("stderr does not name every tag: %s", stderr)
	}
	out := filepath.Join(dir, "one.tar")
	_, stderr, _ = sp(nil, "pack", "-t", "one:1", "-o", out, amd64)
	if !regexp.MustCompile(`wrote .*one.tar with one:1 \(image ID sha256:[0-9a-f]{64}\)`).MatchString(stderr) {
		t.Errorf("stderr does not give the image ID: %s", stderr)
	}
}

// TestPackQuietAndVerbose: -q leaves only the result; -v adds every
// library with why it was chosen and every file placed (ls, which the
// host's dpkg owns, at its own path).
func TestPackQuietAndVerbose(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "img.tar")
	stdout, stderr, code := sp(nil, "pack", "-q", "-o", out, "/usr/bin/ls")
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "scratchpack.local/ls:latest@sha256:") {
		t.Errorf("-q: exit %d, stdout %q, stderr %q; want the reference alone", code, stdout, stderr)
	}
	_, stderr, code = sp(nil, "pack", "-v", "-o", out, "/usr/bin/ls")
	if code != 0 || !strings.Contains(stderr, "library libc.so.6 => ") || !strings.Contains(stderr, "(via ") ||
		!strings.Contains(stderr, "file /usr/bin/ls -rwxr-xr-x 0:0 (file /usr/bin/ls)") {
		t.Errorf("-v: exit %d, stderr:\n%s", code, stderr)
	}
}

// TestFailingSBOMDirLeavesNoOutput: when the SBOM cannot be written to
// --sbom-dir, no output is left: no tarball, layout, image refs,
// metadata or SBOM file, nothing pushed, no temporary file; the call
// fails with one line. The same holds for a layout whose index.json
// cannot be read, which is found before anything is pushed.
func TestFailingSBOMDirLeavesNoOutput(t *testing.T) {
	t.Parallel()
	bin := goProgram(t, "hello-go", "amd64")
	s := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(s.Close)
	reg := strings.TrimPrefix(s.URL, "http://")
	for i, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string) (sbomDir string)
		says  string
	}{
		{"parent is a file", func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, "file"), "x")
			return filepath.Join(dir, "file", "sboms")
		}, "not a directory"},
		{"dir is a file", func(t *testing.T, dir string) string {
			writeFile(t, filepath.Join(dir, "sboms"), "x")
			return filepath.Join(dir, "sboms")
		}, "not a directory"},
		{"unwritable dir", func(t *testing.T, dir string) string {
			return "/proc/self" // not writable, even by root
		}, "/proc/self/"},
		{"SBOM file is a directory", func(t *testing.T, dir string) string {
			if err := os.MkdirAll(filepath.Join(dir, "sboms", "app-linux-amd64.spdx.json"), 0o755); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(dir, "sboms")
		}, "is a directory"},
		{"missing dirs, then a broken layout", func(t *testing.T, dir string) string {
			lay := filepath.Join(dir, "out", "layout")
			if err := os.MkdirAll(lay, 0o755); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(lay, "oci-layout"), `{"imageLayoutVersion":"1.0.0"}`)
			writeFile(t, filepath.Join(lay, "index.json"), "{broken")
			return filepath.Join(dir, "new", "sboms")
		}, "index.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sbomDir := tc.setup(t, dir)
			out := filepath.Join(dir, "out")
			os.MkdirAll(out, 0o755)
			before := listTree(t, dir)
			repo := fmt.Sprintf("%s/case%d/app", reg, i)
			stdout, stderr, code := sp(nil, "pack", "-q", "-t", repo+":1", "-o", filepath.Join(out, "app.tar"), "--oci-layout", filepath.Join(out, "layout"),
				"--image-refs", filepath.Join(out, "refs"), "--metadata-file", filepath.Join(out, "meta.json"), "--push", "--sbom-dir", sbomDir, bin)
			if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.says) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and one line saying %q", code, stdout, stderr, tc.says)
			}
			if after := listTree(t, dir); after != before {
				t.Errorf("the call changed the files:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			ref, err := name.ParseReference(repo + ":1")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := remote.Head(ref); err == nil {
				t.Errorf("%s was pushed", ref)
			}
		})
	}
}

// TestBuildImageRefsCheckedFirst: build's --image-refs at a path that
// cannot be written fails before anything is built or pushed.
func TestBuildImageRefsCheckedFirst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "file"), "x")
	lay := filepath.Join(dir, "layout")
	_, stderr, code := sp(map[string]string{"KO_DOCKER_REPO": "example.com/me"}, "build", "--push=false", "--oci-layout-path", lay,
		"--image-refs", filepath.Join(dir, "file", "refs"), "../../testdata/hello-go")
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "not a directory") {
		t.Errorf("exit %d, stderr %q; want exit 1 and one line saying not a directory", code, stderr)
	}
	if _, err := os.Stat(lay); err == nil {
		t.Errorf("%s was written before --image-refs failed", lay)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// listTree lists every path under dir with its size, a line each.
func listTree(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %v %d\n", p, fi.Mode().Type(), fi.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
