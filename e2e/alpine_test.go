package e2e

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// alpineImage pushes an image of an Alpine root made here (no Alpine
// image or package mirror can be had offline): its os-release,
// /etc/alpine-release, an apk database of three packages (alpine-release,
// which owns both release files; app, which owns a static program; zlib,
// which owns a library the program does not load) and their files.
func alpineImage(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "main.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() { println(\"hello from alpine\") }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(t.TempDir(), "app")
	build := exec.Command("go", "build", "-trimpath", "-o", prog, src)
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOFLAGS=")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bin, err := os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	installed := `C:Q1aaaaaaaaaaaaaaaaaaaaaaaaaaa=
P:alpine-release
V:3.22.2-r0
A:x86_64
S:1000
I:2000
T:Alpine release data
U:https://alpinelinux.org
L:MIT
o:alpine-base
m:Natanael Copa <ncopa@alpinelinux.org>
F:etc
R:alpine-release
Z:Q1bbbbbbbbbbbbbbbbbbbbbbbbbbb=
R:os-release
Z:Q1ccccccccccccccccccccccccccc=

C:Q1ddddddddddddddddddddddddddd=
P:app
V:1.0.0-r1
A:x86_64
S:1000
I:2000
T:A static program
U:https://example.com/app
L:Apache-2.0
o:app
F:usr
F:usr/bin
R:app
a:0:0:755
Z:Q1eeeeeeeeeeeeeeeeeeeeeeeeeee=

C:Q1fffffffffffffffffffffffffff=
P:zlib
V:1.3.1-r1
A:x86_64
S:1000
I:2000
T:A compression library
U:https://zlib.net
L:Zlib
o:zlib
F:lib
R:libz.so.1.3.1
Z:Q1ggggggggggggggggggggggggggg=

`
	files := map[string][]byte{
		"etc/os-release":       []byte("NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.22.2\nPRETTY_NAME=\"Alpine Linux v3.22\"\n"),
		"etc/alpine-release":   []byte("3.22.2\n"),
		"lib/apk/db/installed": []byte(installed),
		"lib/libz.so.1.3.1":    []byte("not loaded"),
		"usr/bin/app":          bin,
	}
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, d := range []string{"etc/", "lib/", "lib/apk/", "lib/apk/db/", "usr/", "usr/bin/"} {
		tw.WriteHeader(&tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755})
	}
	for _, p := range []string{"etc/os-release", "etc/alpine-release", "lib/apk/db/installed", "lib/libz.so.1.3.1", "usr/bin/app"} {
		mode := int64(0o644)
		if p == "usr/bin/app" {
			mode = 0o755
		}
		tw.WriteHeader(&tar.Header{Name: p, Typeflag: tar.TypeReg, Mode: mode, Size: int64(len(files[p]))})
		tw.Write(files[p])
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b.Bytes())), nil }, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	ref := h.registry + "/e2e/alpine:3.22"
	tag, _ := name.NewTag(ref)
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	return ref
}

// TestAlpineRootGetsItsApkDatabase packs the program of an Alpine image
// with --dpkg-status: the image gets /etc/alpine-release, and an apk
// database of only the packages of its files (app and alpine-release, not
// zlib), which claims the program where the image has it; Syft reads the
// packages, at their versions, and the distribution alpine 3.22.2; Trivy
// the same, and exactly the advisory that applies.
func TestAlpineRootGetsItsApkDatabase(t *testing.T) {
	need(t)
	from := alpineImage(t)
	dir := t.TempDir()
	tarball, lay := filepath.Join(dir, "app.tar"), filepath.Join(dir, "layout")
	env := []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	must(t, env, h.bin, "pack", "-q", "--from", from, "--dpkg-status", "-t", "e2e/alpine-app:1", "-o", tarball, "--oci-layout", lay, "/usr/bin/app")
	files := imageFiles(t, lay)
	var progPath string
	for _, f := range files {
		if filepath.Base(f) == "app" {
			progPath = f
		}
	}
	for _, want := range []string{"/etc/alpine-release", "/etc/os-release", "/lib/apk/db/installed"} {
		if !strings.Contains(strings.Join(files, "\n")+"\n", want+"\n") {
			t.Errorf("no %s in the image's files %v", want, files)
		}
	}
	r := syft(t, "scan", "docker-archive:"+tarball)
	want := map[string]string{"app": "1.0.0-r1", "alpine-release": "3.22.2-r0"}
	if d := diff(r.pkgs["apk"], want); len(d) > 0 {
		t.Errorf("syft on an Alpine program packed with --dpkg-status:\n%s", strings.Join(d, "\n"))
	}
	if r.distro != "alpine 3.22.2" {
		t.Errorf("syft: distribution %q, want alpine 3.22.2", r.distro)
	}
	// Trivy, offline, against made-up advisories for the origins: app's
	// fixed in a later release applies; one fixed in an earlier release,
	// alpine-base's fixed in its own version and zlib's (not shipped) do
	// not.
	cache := filepath.Join(dir, "trivy")
	extra := []advisory{
		{"alpine", "3.22", "app", "CVE-2099-10001", "1.0.0-r2"},
		{"alpine", "3.22", "app", "CVE-2099-10002", "1.0.0-r0"},
		{"alpine", "3.22", "alpine-base", "CVE-2099-10003", "3.22.2-r0"},
		{"alpine", "3.22", "zlib", "CVE-2099-10004", "9.9.9-r9"},
	}
	trivyDB(t, cache, nil, extra)
	tr := trivy(t, cache, "image", "--input", tarball)
	if tr.os != "alpine 3.22.2" || diff(tr.pkgs, want) != nil || strings.Join(tr.matches, ",") != "app CVE-2099-10001" {
		t.Errorf("trivy on the Alpine program: OS %q, packages %v, matches %v; want alpine 3.22.2, %v, [app CVE-2099-10001]", tr.os, tr.pkgs, tr.matches, want)
	}
	db := layoutFile(t, lay, "/lib/apk/db/installed")
	dirName, base := filepath.Split(progPath)
	if !strings.Contains(db, "F:"+strings.Trim(dirName, "/")+"\nR:"+base+"\n") || strings.Contains(db, "zlib") {
		t.Errorf("the image's apk database does not claim exactly %s, or names zlib:\n%s", progPath, db)
	}
}

// layoutFile is the content of the file at p in the only image of the
// layout dir.
func layoutFile(t *testing.T, dir, p string) string {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s: no %s: %v", dir, p, err)
		}
		if "/"+strings.TrimPrefix(h.Name, "./") == p || h.Name == strings.TrimPrefix(p, "/") {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
	}
}
