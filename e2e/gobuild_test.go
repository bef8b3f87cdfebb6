package e2e

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"go.yaml.in/yaml/v3"
)

// gomod is the module that build and resolve tests build.
const gomod = "../testdata/gomod"

// spIn runs scratchpack in dir with env added to the environment.
func spIn(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(h.bin, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// buildOK runs scratchpack build (or resolve) in the test module and
// requires success; it returns stdout's lines.
func buildOK(t *testing.T, env []string, args ...string) (lines []string, stderr string) {
	t.Helper()
	r := spIn(t, gomod, env, args...)
	if r.code != 0 {
		t.Fatalf("scratchpack %s: exit %d\n%s%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return strings.Split(strings.TrimSpace(r.stdout), "\n"), r.stderr
}

// koName is ko's default name for an import path: the last element and
// the MD5 of the path.
func koName(repo, importPath string) string {
	sum := md5.Sum([]byte(importPath))
	return repo + "/" + filepath.Base(importPath) + "-" + hex.EncodeToString(sum[:])
}

// dockerRun runs a pushed image as platform and returns what it printed.
func dockerRun(t *testing.T, ref, platform string) string {
	t.Helper()
	_ = run(t, nil, "docker", "rmi", "-f", ref) // docker 20.10 keeps one platform per digest
	t.Cleanup(func() { _ = run(t, nil, "docker", "rmi", "-f", ref) })
	return must(t, nil, "docker", "run", "--rm", "--network", "none", "--pull", "always", "--platform", platform, ref)
}

// TestBuildTwoMainsTwoPlatforms builds two mains of a module for amd64
// and arm64, pushes them under ko's names, and runs each image as each
// platform (arm64 under qemu).
func TestBuildTwoMainsTwoPlatforms(t *testing.T) {
	need(t)
	repo := h.registry + "/build"
	refs, _ := buildOK(t, []string{"KO_DOCKER_REPO=" + repo}, "build", "--platform", "linux/amd64,linux/arm64", "./cmd/hello", "./cmd/bye")
	if len(refs) != 2 {
		t.Fatalf("stdout %q: want one line per import path", refs)
	}
	for i, main := range []string{"hello", "bye"} {
		name := koName(repo, "example.com/demo/cmd/"+main)
		if !regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `@sha256:[0-9a-f]{64}$`).MatchString(refs[i]) {
			t.Errorf("line %d = %q, want %s@sha256:...", i, refs[i], name)
		}
		for _, arch := range []string{"amd64", "arm64"} {
			// Each platform's image has its SBOM, naming the main module.
			if doc := scratchpack(t, "sbom", "--platform", "linux/"+arch, refs[i]); !strings.Contains(doc, `"name": "example.com/demo"`) {
				t.Errorf("%s linux/%s: SBOM without the main module:\n%.400s", main, arch, doc)
			}
			want := main + " from Go on linux/" + arch + "\n"
			if main == "hello" {
				want = "hello dev from Go on linux/" + arch + "\n"
			}
			if got := dockerRun(t, refs[i], "linux/"+arch); got != want {
				t.Errorf("%s as linux/%s printed %q, want %q", main, arch, got, want)
			}
		}
	}
}

// TestBuildCgo builds a cgo main that looks its user up through the C
// library, for amd64 with the host's gcc and libraries, and for arm64
// with the cross compiler and Debian's arm64 sysroot; each runs as
// nonroot.
func TestBuildCgo(t *testing.T) {
	need(t)
	repo := h.registry + "/cgo"
	env := []string{"KO_DOCKER_REPO=" + repo, "CC_linux_arm64=aarch64-linux-gnu-gcc"}
	refs, _ := buildOK(t, env, "build", "--cgo", "-B", "--platform", "linux/amd64,linux/arm64",
		"--sysroot", "linux/arm64=/usr/aarch64-linux-gnu", "./cmd/whoami")
	for _, arch := range []string{"amd64", "arm64"} {
		want := "uid=65532 user=nonroot on linux/" + arch + "\n"
		if got := dockerRun(t, refs[0], "linux/"+arch); got != want {
			t.Errorf("linux/%s printed %q, want %q", arch, got, want)
		}
	}
	// What is missing is named in one line each.
	for _, tc := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"build", "-q", "--push=false", "./cmd/whoami"}, "give --cgo"},
		{[]string{"CC_linux_arm64="}, []string{"build", "-q", "--push=false", "--cgo", "--platform", "linux/arm64", "./cmd/whoami"}, "set CC_linux_arm64"},
		{env, []string{"build", "-q", "--push=false", "--cgo", "--platform", "linux/arm64", "./cmd/whoami"}, "give --sysroot OS/ARCH=DIR"},
	} {
		r := spIn(t, gomod, tc.env, tc.args...)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
			t.Errorf("%s: exit %d, stderr %q; want one line with %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.want)
		}
	}
}

// TestBuildTwiceUploadsNothing rebuilds unchanged sources through a proxy
// that counts uploads: the digests are the same and no blob is sent.
func TestBuildTwiceUploadsNothing(t *testing.T) {
	need(t)
	var uploads atomic.Int64
	p := newFaultProxy(t, func(_ *faultProxy, _ http.ResponseWriter, r *http.Request) bool {
		if upload(r) {
			uploads.Add(1)
		}
		return false
	})
	env := []string{"KO_DOCKER_REPO=" + p.addr + "/twice", "SOURCE_DATE_EPOCH=1700000000"}
	args := []string{"build", "-t", "1.0,latest", "--platform", "linux/amd64,linux/arm64", "./cmd/hello", "./cmd/bye"}
	first, _ := buildOK(t, env, args...)
	if uploads.Load() == 0 {
		t.Fatal("the first build uploaded nothing")
	}
	uploads.Store(0)
	second, _ := buildOK(t, env, args...)
	if strings.Join(first, "\n") != strings.Join(second, "\n") {
		t.Errorf("digests changed:\n%s\n%s", first, second)
	}
	if n := uploads.Load(); n != 0 {
		t.Errorf("the second build uploaded %d times", n)
	}
}

// TestBuildKoYAMLTemplates builds with a .ko.yaml whose ldflags template
// sets the version the program prints, from the environment and git.
func TestBuildKoYAMLTemplates(t *testing.T) {
	need(t)
	cfg := filepath.Join(t.TempDir(), "ko.yaml")
	writeTestFile(t, cfg, `defaultBaseImage: cgr.dev/chainguard/static
builds:
- id: hello
  main: ./cmd/hello
  ldflags:
  - -X main.version={{.Env.APP_VERSION}}-{{.Git.ShortCommit}}
`)
	env := []string{"KO_DOCKER_REPO=" + h.registry + "/koyaml", "KO_CONFIG_PATH=" + cfg, "APP_VERSION=1.2.3"}
	refs, stderr := buildOK(t, env, "build", "./cmd/hello")
	short := strings.TrimSpace(must(t, nil, "git", "-C", gomod, "show", "--no-patch", "--format=%h", "HEAD"))
	if got, want := dockerRun(t, refs[0], "linux/amd64"), "hello 1.2.3-"+short+" from Go on linux/amd64\n"; got != want {
		t.Errorf("printed %q, want %q", got, want)
	}
	if !strings.Contains(stderr, "defaultBaseImage ignored") {
		t.Errorf("no warning about defaultBaseImage:\n%s", stderr)
	}
}

// TestResolve builds the three ko:// references (two the same) of a
// two-document YAML once per import path and prints YAML that parses back
// with the references replaced.
func TestResolve(t *testing.T) {
	need(t)
	in := filepath.Join(t.TempDir(), "deploy.yaml")
	writeTestFile(t, in, `apiVersion: v1
kind: Pod
metadata:
  name: hello
spec:
  containers:
  - name: hello
    image: ko://example.com/demo/cmd/hello
  - name: bye
    image: ko://example.com/demo/cmd/bye
---
apiVersion: batch/v1
kind: Job
spec:
  template:
    spec:
      containers:
      - image: ko://example.com/demo/cmd/hello
`)
	repo := h.registry + "/resolve"
	lines, stderr := buildOK(t, []string{"KO_DOCKER_REPO=" + repo}, "resolve", "-f", in)
	if n := strings.Count(stderr, "built example.com/demo/cmd/hello"); n != 1 {
		t.Errorf("hello built %d times:\n%s", n, stderr)
	}
	dec := yaml.NewDecoder(strings.NewReader(strings.Join(lines, "\n")))
	var pod struct {
		Spec struct{ Containers []struct{ Image string } }
	}
	var job struct {
		Spec struct {
			Template struct {
				Spec struct{ Containers []struct{ Image string } }
			}
		}
	}
	if err := dec.Decode(&pod); err != nil {
		t.Fatal(err)
	}
	if err := dec.Decode(&job); err != nil {
		t.Fatal(err)
	}
	hello, bye := koName(repo, "example.com/demo/cmd/hello")+"@sha256:", koName(repo, "example.com/demo/cmd/bye")+"@sha256:"
	c := pod.Spec.Containers
	if len(c) != 2 || !strings.HasPrefix(c[0].Image, hello) || !strings.HasPrefix(c[1].Image, bye) ||
		job.Spec.Template.Spec.Containers[0].Image != c[0].Image {
		t.Errorf("resolved YAML:\n%s", strings.Join(lines, "\n"))
	}
	if got := dockerRun(t, c[1].Image, "linux/amd64"); got != "bye from Go on linux/amd64\n" {
		t.Errorf("bye printed %q", got)
	}
	for _, tc := range []struct{ yaml, want string }{
		{"image: ko://example.com/demo/notthere\n", "not a Go package"},
		{"image: [unclosed\n", "not YAML"},
	} {
		bad := filepath.Join(t.TempDir(), "bad.yaml")
		writeTestFile(t, bad, tc.yaml)
		r := spIn(t, gomod, []string{"KO_DOCKER_REPO=" + repo}, "resolve", "-f", bad)
		if r.code != 1 || !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want %q", tc.yaml, r.code, r.stdout, r.stderr, tc.want)
		}
	}
}

// TestBuildNamesLikeKo builds the same import path with the real ko and
// with scratchpack, under the same KO_DOCKER_REPO, in every naming mode:
// the names they push to are the same.
func TestBuildNamesLikeKo(t *testing.T) {
	need(t)
	ko := h.env["KO"]
	base := h.registry + "/kobase:1"
	scratchpack(t, "pack", "-q", "-t", base, "--push", buildGo(t, "hello-go", "amd64"))
	for _, mode := range [][]string{nil, {"-B"}, {"-P"}, {"--bare"}} {
		repo := h.registry + "/names" + strings.Join(mode, "")
		repo = strings.ToLower(strings.NewReplacer("-", "").Replace(repo))
		env := []string{"KO_DOCKER_REPO=" + repo, "KO_DEFAULTBASEIMAGE=" + base}
		cmd := exec.Command(ko, append(append([]string{"build", "--insecure-registry"}, mode...), "./cmd/bye")...)
		cmd.Dir, cmd.Env = gomod, append(os.Environ(), env...)
		koRef, err := cmd.Output()
		if err != nil {
			t.Fatalf("ko build %v: %v", mode, err)
		}
		spRefs, _ := buildOK(t, env, append(append([]string{"build"}, mode...), "./cmd/bye")...)
		koName, _, _ := strings.Cut(strings.TrimSpace(string(koRef)), "@")
		spName, _, _ := strings.Cut(spRefs[0], "@")
		if koName != spName || koName == "" {
			t.Errorf("naming %v: ko pushed to %q, scratchpack to %q", mode, koName, spName)
		}
	}
}

// TestBuildLocal loads into the Docker daemon under ko.local, as ko -L
// does, and the image runs by the name printed.
func TestBuildLocal(t *testing.T) {
	need(t)
	refs, _ := buildOK(t, nil, "build", "-L", "-B", "-t", "e2e", "./cmd/bye")
	want := "ko.local/bye:"
	if !strings.HasPrefix(refs[0], want) {
		t.Fatalf("stdout %q, want %s<digest hex>", refs[0], want)
	}
	t.Cleanup(func() { _ = run(t, nil, "docker", "rmi", "-f", refs[0], "ko.local/bye:e2e") })
	for _, ref := range []string{refs[0], "ko.local/bye:e2e"} {
		if got := must(t, nil, "docker", "run", "--rm", "--network", "none", ref); got != "bye from Go on linux/amd64\n" {
			t.Errorf("%s printed %q", ref, got)
		}
	}
}

// kodataProgram prints, as its image sees it, where it runs from, the
// PATH, and every file under $KO_DATA_PATH with its mode and content.
const kodataProgram = `package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

func main() {
	root := os.Getenv("KO_DATA_PATH")
	exe, _ := os.Executable()
	fmt.Printf("KO_DATA_PATH=%s exe=%s PATH=%s\n", root, exe, os.Getenv("PATH"))
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			fmt.Println("error:", err)
			return nil
		}
		if d.IsDir() {
			fmt.Println(p + "/")
			return nil
		}
		fi, _ := d.Info()
		b, _ := os.ReadFile(p)
		fmt.Printf("%s %v %q\n", p, fi.Mode(), b)
		return nil
	})
}
`

// TestBuildKodataLikeKo builds one main package with kodata (a file, a
// subdirectory, links to a file and to a directory, inside kodata as ko
// v0.19.1 requires; ko's later source, and scratchpack, also accept links
// elsewhere in the checkout) with the real ko and with scratchpack, loads both into
// Docker with -L and runs them with no network: each sees the same
// KO_DATA_PATH, the same files with the same modes and contents, runs
// from /ko-app/NAME, and has /ko-app on its PATH.
func TestBuildKodataLikeKo(t *testing.T) {
	need(t)
	ko := h.env["KO"]
	dir := t.TempDir()
	for name, body := range map[string]string{
		"go.mod":                              "module example.com/kodatae2e\n\ngo 1.21\n",
		"cmd/shows/main.go":                   kodataProgram,
		"cmd/shows/kodata/kenobi":             "Hello there\n",
		"cmd/shows/kodata/sub/a.txt":          "a\n",
		"cmd/shows/kodata/migrations/001.sql": "create table t;\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		writeTestFile(t, filepath.Join(dir, name), body)
	}
	for _, err := range []error{
		os.Mkdir(filepath.Join(dir, ".git"), 0o755),
		os.Symlink("kenobi", filepath.Join(dir, "cmd/shows/kodata/b")),
		os.Symlink("migrations", filepath.Join(dir, "cmd/shows/kodata/sql")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	base := h.registry + "/kodatabase:1"
	scratchpack(t, "pack", "-q", "-t", base, "--push", buildGo(t, "hello-go", "amd64"))
	outputs := map[string]string{}
	for _, tool := range []string{"ko", "scratchpack"} {
		bin := h.bin
		if tool == "ko" {
			bin = ko
		}
		cmd := exec.Command(bin, "build", "-L", "-B", "-t", tool, "--platform", "linux/amd64", "./cmd/shows")
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "KO_DOCKER_REPO=", "KO_DEFAULTBASEIMAGE="+base)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s build: %v\n%s", tool, err, stderr.String())
		}
		ref := strings.TrimSpace(string(out))
		t.Cleanup(func() { _ = run(t, nil, "docker", "rmi", "-f", ref, "ko.local/shows:"+tool) })
		outputs[tool] = must(t, nil, "docker", "run", "--rm", "--network", "none", ref)
	}
	want := "KO_DATA_PATH=/var/run/ko exe=/ko-app/shows PATH=/usr/local/bin:/usr/bin:/bin:/ko-app\n"
	if !strings.HasPrefix(outputs["scratchpack"], want) || !strings.Contains(outputs["scratchpack"], `/var/run/ko/sql/001.sql -r-xr-xr-x "create table t;\n"`) {
		t.Errorf("scratchpack's image printed\n%s\nwant it to start %q and hold the linked migration", outputs["scratchpack"], want)
	}
	if outputs["ko"] != outputs["scratchpack"] {
		t.Errorf("ko's image printed\n%s\nscratchpack's\n%s", outputs["ko"], outputs["scratchpack"])
	}
}

// koModule downloads (once, into the module cache) ko's own module at
// the version the suite runs, whose test/ main package has kodata, and
// returns its directory.
func koModule(t *testing.T) string {
	t.Helper()
	out := must(t, nil, "go", "mod", "download", "-json", "github.com/google/ko@v0.19.1")
	var m struct{ Dir, Error string }
	if err := json.Unmarshal([]byte(out), &m); err != nil || m.Dir == "" {
		t.Fatalf("go mod download: %v %s", err, m.Error)
	}
	return m.Dir
}

// TestBuildKosTestImage builds ko's own test image (ko's integration test
// 1: it prints a kodata file named by -f) with the real ko and with
// scratchpack, and runs both with no network for each of its kodata
// files: both print the file, as the module holds it.
func TestBuildKosTestImage(t *testing.T) {
	need(t)
	dir := koModule(t)
	base := h.registry + "/kotestbase:1"
	scratchpack(t, "pack", "-q", "--tzdata", "always", "-t", base, "--push", buildGo(t, "hello-go", "amd64"))
	refs := map[string]string{}
	for _, tool := range []string{"ko", "scratchpack"} {
		bin := h.bin
		if tool == "ko" {
			bin = h.env["KO"]
		}
		cmd := exec.Command(bin, "build", "--local", "--platform", "linux/amd64", "-t", tool, "./test")
		cmd.Dir, cmd.Env = dir, append(os.Environ(), "KO_DOCKER_REPO=", "KO_DEFAULTBASEIMAGE="+base)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s build ./test: %v\n%s", tool, err, stderr.String())
		}
		ref := strings.TrimSpace(string(out))
		refs[tool] = ref
		t.Cleanup(func() { _ = run(t, nil, "docker", "rmi", "-f", ref) })
	}
	files := 0
	err := filepath.WalkDir(filepath.Join(dir, "test", "kodata"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(dir, "test", "kodata"), p)
		body, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		for tool, ref := range refs {
			got := must(t, nil, "docker", "run", "--rm", "--network", "none", ref, "-f", rel)
			if _, after, _ := strings.Cut(got, "New York Time: "); !strings.HasSuffix(after, "\n"+string(body)+"\n") {
				t.Errorf("%s's image with -f %s printed %q, want it to end with %q", tool, rel, got, body)
			}
		}
		return nil
	})
	if err != nil || files < 3 {
		t.Fatalf("ko's test/kodata: %v, %d files", err, files)
	}
}

// TestBuildPrintsLikeKo runs the real ko and scratchpack with the same
// tags and publish flags (repeated -t as ko's release workflow gives them,
// --push=false, an empty KO_DOCKER_REPO) and compares what each prints,
// its repository and digest aside: the forms are the same.
func TestBuildPrintsLikeKo(t *testing.T) {
	need(t)
	base := h.registry + "/printbase:1"
	scratchpack(t, "pack", "-q", "-t", base, "--push", buildGo(t, "hello-go", "amd64"))
	digest := regexp.MustCompile(`(sha256:)?[0-9a-f]{64}`) // the daemon's tag is the bare hex
	for i, tc := range []struct {
		repo bool
		args []string
	}{
		{true, []string{"-t", "latest", "-t", "abc123"}},
		{true, []string{"-t", "v1,v1.2"}},
		{true, []string{"-t", "v1"}},
		{true, []string{"--push=false"}},
		{true, []string{"--push=false", "-t", "v2", "-t", "v3"}},
		{false, []string{"--push=false"}},
		{false, []string{"--push=false", "-B"}},
		{true, []string{"-L", "-B", "-t", "e2e"}}, // ko loads under a set KO_DOCKER_REPO
	} {
		forms := map[string]string{}
		for _, tool := range []string{"ko", "scratchpack"} {
			bin, repo := h.bin, ""
			if tool == "ko" {
				bin = h.env["KO"]
			}
			if tc.repo {
				repo = fmt.Sprintf("%s/print%d%s", h.registry, i, tool)
			}
			cmd := exec.Command(bin, append(append([]string{"build", "--insecure-registry", "--platform", "linux/amd64"}, tc.args...), "./cmd/bye")...)
			cmd.Dir, cmd.Env = gomod, append(os.Environ(), "KO_DOCKER_REPO="+repo, "KO_DEFAULTBASEIMAGE="+base)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s build %v: %v\n%s", tool, tc.args, err, stderr.String())
			}
			form := strings.TrimSpace(string(out))
			if slices.Contains(tc.args, "-L") {
				t.Cleanup(func() { _ = run(t, nil, "docker", "rmi", "-f", form, repo+"/bye:e2e") })
			}
			if repo != "" {
				form = strings.Replace(form, repo, "REPO", 1)
			}
			forms[tool] = digest.ReplaceAllString(form, "DIGEST")
		}
		if forms["ko"] != forms["scratchpack"] || !strings.Contains(forms["ko"], "DIGEST") {
			t.Errorf("%v (KO_DOCKER_REPO set: %v): ko printed %q, scratchpack %q", tc.args, tc.repo, forms["ko"], forms["scratchpack"])
		}
	}
}
