package main

import (
	"crypto/md5"
	"debug/buildinfo"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// TestKoSpellings builds with ko's names of the flags: the comma lists
// and repeats of --image-label and --image-annotation all land, the
// --image-user is the config's user, --disable-optimizations builds with
// ko's gcflags, publish prints what build prints, and --tag-only prints
// REPO:TAG with no digest.
func TestKoSpellings(t *testing.T) {
	t.Parallel() // its runs work in a directory: each in a process of its own (see spIn)
	dir := koModule(t)
	wd := dir
	env := map[string]string{"KO_DOCKER_REPO": "r.example/me", "SOURCE_DATE_EPOCH": "1700000000"}
	lay := filepath.Join(t.TempDir(), "layout")
	stdout, stderr, code := spIn(wd, env, "build", "-q", "--push=false", "--oci-layout-path", lay, "--sbom", "none",
		"--image-label", "a=1,b=2", "--image-label", "c=3", "--image-annotation", "x=y,z=w", "--image-user", "1000:1000",
		"--disable-optimizations", "./cmd/app")
	if code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	files, _, cf := layoutFiles(t, lay)
	for k, v := range map[string]string{"a": "1", "b": "2", "c": "3"} {
		if cf.Config.Labels[k] != v {
			t.Errorf("label %s=%q, want %q (labels %v)", k, cf.Config.Labels[k], v, cf.Config.Labels)
		}
	}
	if cf.Config.User != "1000:1000" {
		t.Errorf("user %q, want 1000:1000", cf.Config.User)
	}
	bin := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(bin, []byte(files["/ko-app/app"]), 0o755); err != nil {
		t.Fatal(err)
	}
	bi, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	gcflags := ""
	for _, s := range bi.Settings {
		if s.Key == "-gcflags" {
			gcflags = s.Value
		}
	}
	if gcflags != "all=-N -l" {
		t.Errorf("--disable-optimizations: the binary was built with -gcflags %q, want all=-N -l", gcflags)
	}
	lp, err := layout.FromPath(lay)
	if err != nil {
		t.Fatal(err)
	}
	im, err := lp.ImageIndex()
	var m *v1.IndexManifest
	if err == nil {
		m, err = im.IndexManifest()
	}
	if err != nil || len(m.Manifests) != 1 {
		t.Fatalf("layout: %v", err)
	}
	img, err := im.Image(m.Manifests[0].Digest)
	var manifest *v1.Manifest
	if err == nil {
		manifest, err = img.Manifest()
	}
	if err != nil {
		t.Fatal(err)
	}
	if a := manifest.Annotations; a["x"] != "y" || a["z"] != "w" {
		t.Errorf("--image-annotation x=y,z=w: the manifest's annotations are %v", a)
	}

	sum := md5.Sum([]byte("example.com/app/cmd/app"))
	repo := "r.example/me/app-" + hex.EncodeToString(sum[:])
	built, stderr, code := spIn(wd, env, "build", "-q", "--push=false", "./cmd/app")
	published, stderr2, code2 := spIn(wd, env, "publish", "-q", "--push=false", "./cmd/app")
	if code != 0 || code2 != 0 || built != published || !strings.HasPrefix(built, repo+":latest@sha256:") {
		t.Errorf("build printed %q (%s), publish %q (%s); want the same %s:latest@sha256:...", built, stderr, published, stderr2, repo)
	}
	tagOnly, stderr, code := spIn(wd, env, "build", "-q", "--push=false", "--tag-only", "-t", "v1.2", "./cmd/app")
	if code != 0 || tagOnly != repo+":v1.2\n" {
		t.Errorf("--tag-only printed %q (exit %d: %s), want %s:v1.2", tagOnly, code, stderr, repo)
	}
	if stdout == "" {
		t.Error("build printed nothing")
	}
}

// TestBuildNoArgsIsWorkingDirectory builds the working directory's
// package when no import path is given, as ko build does.
func TestBuildNoArgsIsWorkingDirectory(t *testing.T) {
	t.Parallel() // its runs work in a directory: each in a process of its own (see spIn)
	dir := koModule(t)
	wd := filepath.Join(dir, "cmd/app")
	stdout, stderr, code := spIn(wd, map[string]string{"KO_DOCKER_REPO": "r.example/me"}, "build", "-q", "--push=false", "-B")
	if code != 0 || !regexp.MustCompile(`^r\.example/me/app:latest@sha256:[0-9a-f]{64}\n$`).MatchString(stdout) {
		t.Errorf("build with no import path: exit %d, stdout %q, stderr %s; want r.example/me/app:latest@sha256:...", code, stdout, stderr)
	}
}

// TestResolveSelector builds only what the objects -l keeps name, and
// prints only them: the object left out names a package that does not
// exist, which would fail the build.
func TestResolveSelector(t *testing.T) {
	t.Parallel() // its runs work in a directory: each in a process of its own (see spIn)
	dir := koModule(t)
	wd := dir
	writeFile(t, filepath.Join(dir, "k8s.yaml"), `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - image: ko://example.com/app/cmd/app
---
apiVersion: v1
kind: Pod
metadata:
  name: broken
  labels: {app: broken}
spec:
  containers:
  - image: ko://example.com/app/cmd/nope
`)
	env := map[string]string{"KO_DOCKER_REPO": "r.example/me"}
	stdout, stderr, code := spIn(wd, env, "resolve", "-q", "--push=false", "-B", "-l", "app=web", "-f", "k8s.yaml")
	if code != 0 || !regexp.MustCompile(`image: r\.example/me/app:latest@sha256:[0-9a-f]{64}\n`).MatchString(stdout) || strings.Contains(stdout, "broken") {
		t.Errorf("resolve -l app=web: exit %d, stdout %q, stderr %s; want only the web pod, resolved", code, stdout, stderr)
	}
	stdout, _, code = spIn(wd, env, "resolve", "-q", "--push=false", "-l", "app=none", "-f", "k8s.yaml")
	if code != 0 || stdout != "\n---\n" {
		t.Errorf("resolve -l selecting nothing: exit %d, stdout %q; want ko's delimiter alone", code, stdout)
	}
	_, stderr, code = spIn(wd, env, "resolve", "-l", "app in web", "-f", "k8s.yaml")
	if code != 2 || !strings.Contains(stderr, "(VALUE,...)") {
		t.Errorf("a bad selector: exit %d, stderr %q", code, stderr)
	}
}

// TestPlatformRepeated: --platform given twice builds both, as ko's
// string slice does; all beside a platform is refused, as ko refuses it.
func TestPlatformRepeated(t *testing.T) {
	t.Parallel() // its runs work in a directory: each in a process of its own (see spIn)
	dir := koModule(t)
	wd := dir
	refs := filepath.Join(t.TempDir(), "refs")
	_, stderr, code := spIn(wd, map[string]string{"KO_DOCKER_REPO": "r.example/me"}, "build", "-q", "--push=false", "--image-refs", refs,
		"--platform", "linux/amd64", "--platform", "linux/arm64", "./cmd/app")
	if b, _ := os.ReadFile(refs); code != 0 || strings.Count(string(b), "\n") != 3 {
		t.Errorf("two --platform: exit %d (%s), image refs %q; want the index and two images", code, stderr, b)
	}
	_, stderr, code = spIn(wd, map[string]string{"KO_DOCKER_REPO": "r.example/me"}, "build", "--push=false", "--platform", "all", "--platform", "linux/arm64", "./cmd/app")
	if code != 2 || !strings.Contains(stderr, "all or specific platforms") {
		t.Errorf("all and a platform: exit %d, stderr %q", code, stderr)
	}
}

// TestKoGoPath: KO_GO_PATH names the go command that lists and builds,
// as ko reads it.
func TestKoGoPath(t *testing.T) {
	t.Parallel() // its runs work in a directory: each in a process of its own (see spIn)
	dir := koModule(t)
	wd := dir
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "log")
	wrapper := filepath.Join(t.TempDir(), "mygo")
	writeFile(t, wrapper, "#!/bin/sh\necho \"$1\" >> "+log+"\nexec "+goBin+" \"$@\"\n")
	if err := os.Chmod(wrapper, 0o755); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := spIn(wd, map[string]string{"KO_DOCKER_REPO": "r.example/me", "KO_GO_PATH": wrapper}, "build", "-q", "--push=false", "./cmd/app")
	if b, _ := os.ReadFile(log); code != 0 || !strings.Contains(string(b), "list\n") || !strings.Contains(string(b), "build\n") {
		t.Errorf("KO_GO_PATH: exit %d (%s); the wrapper ran %q, want list and build", code, stderr, b)
	}
}
