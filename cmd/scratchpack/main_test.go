package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/internal/testtool"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// sp runs scratchpack in-process with env as its environment, its
// outputs validated (see mainValidated).
func sp(env map[string]string, args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	environ := func() []string { // go build needs the host's PATH, HOME, GOCACHE
		out := os.Environ()
		for k, v := range env {
			out = append(out, k+"="+v)
		}
		return out
	}
	a := &app{ctx: context.Background(), Console: options.Console{Stdout: &o, Stderr: &e}, getenv: func(k string) string { return env[k] }, environ: environ}
	code = mainValidated(a, args)
	return o.String(), e.String(), code
}

// mainValidated runs a with args; when it succeeds, each image file or
// layout the command line names is checked with go-containerregistry's
// validate, and one that fails makes the exit code 99, with the reason on
// a's stderr.
func mainValidated(a *app, args []string) int {
	code := a.main(args)
	if code == 0 {
		if err := validateOutputs(args); err != nil {
			fmt.Fprintf(a.Stderr, "test: the image written is not valid: %v\n", err)
			code = 99
		}
	}
	return code
}

// goProgram builds a testdata Go program with CGO_ENABLED=0 for goarch.
func goProgram(t *testing.T, pkg, goarch string) string {
	t.Helper()
	return testtool.GoBuild(t, "../../testdata/"+pkg, goarch, nil)
}

var refLine = regexp.MustCompile(`^(\S+)@(sha256:[0-9a-f]{64})\n$`)

func TestPackWritesTarballAndPrintsDigest(t *testing.T) {
	t.Parallel()
	bin := goProgram(t, "hello-go", "arm64")
	out := filepath.Join(t.TempDir(), "img.tar")
	stdout, stderr, code := sp(nil, "pack", "-t", "example.com/me/hello:1.2", "-o", out,
		"--env", "A=b", "--label", "org.example=x", "--expose", "8080", bin, "--", "--flag", "v")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := refLine.FindStringSubmatch(stdout)
	if m == nil || m[1] != "example.com/me/hello:1.2" {
		t.Fatalf("stdout = %q, want example.com/me/hello:1.2@sha256:...", stdout)
	}
	tag, _ := name.NewTag("example.com/me/hello:1.2")
	img, err := tarball.ImageFromPath(out, &tag)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if p := cf.Platform().String(); p != "linux/arm64/v8" {
		t.Errorf("platform = %s, want linux/arm64/v8", p)
	}
	c := cf.Config
	if strings.Join(c.Entrypoint, " ") != "/usr/local/bin/hello-go" || strings.Join(c.Cmd, " ") != "--flag v" {
		t.Errorf("entrypoint %q cmd %q", c.Entrypoint, c.Cmd)
	}
	if strings.Join(c.Env, " ") != "PATH=/usr/local/bin:/usr/bin:/bin A=b" {
		t.Errorf("env = %q", c.Env)
	}
	if c.Labels["org.example"] != "x" {
		t.Errorf("labels = %v", c.Labels)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("exposed ports = %v", c.ExposedPorts)
	}
	layers, _ := img.Layers()
	if len(layers) != 1 {
		t.Errorf("%d layers, want 1", len(layers))
	}
}

func TestPackIsReproducible(t *testing.T) {
	t.Parallel()
	bin := goProgram(t, "hello-go", "amd64")
	dir := t.TempDir()
	env := map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}
	var digests []string
	var blobs [][]byte
	for i, name := range []string{"a.tar", "b.tar"} {
		out := filepath.Join(dir, name)
		stdout, stderr, code := sp(env, "pack", "-o", out, bin)
		if code != 0 {
			t.Fatalf("run %d: exit %d: %s", i, code, stderr)
		}
		digests = append(digests, stdout)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		blobs = append(blobs, b)
	}
	if digests[0] != digests[1] || !bytes.Equal(blobs[0], blobs[1]) {
		t.Errorf("two runs differ: %q vs %q", digests[0], digests[1])
	}
	stdout, _, _ := sp(map[string]string{"SOURCE_DATE_EPOCH": "1700000001"}, "pack", "-o", filepath.Join(dir, "c.tar"), bin)
	if stdout == digests[0] {
		t.Error("a different SOURCE_DATE_EPOCH gave the same digest")
	}
}

func TestPackFailures(t *testing.T) {
	t.Parallel()
	bin := goProgram(t, "hello-go", "arm64")
	amd64 := goProgram(t, "hello-go", "amd64")
	dir := t.TempDir()
	script := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out", "x.tar")
	if err := os.Mkdir(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"missing", []string{"pack", "-o", out, filepath.Join(dir, "nope")}, 1, "nope: no such file"},
		{"directory", []string{"pack", "-o", out, dir}, 1, "is a directory"},
		{"script", []string{"pack", "-o", out, script}, 1, "script"},
		{"wrong platform", []string{"pack", "--platform", "linux/amd64", "-o", out, bin}, 1, "built for linux/arm64/v8, not linux/amd64"},
		{"bad flag", []string{"pack", "--nope", "-o", out, bin}, 2, "unknown flag"},
		{"no binary", []string{"pack", "-o", out}, 2, "name the binary"},
		{"no output", []string{"pack", bin}, 2, "-o FILE"},
		{"push without tag", []string{"pack", "--push", bin}, 2, "--push needs -t"},
		{"tarball of two", []string{"pack", "-o", out, amd64, bin}, 2, "-o and --docker hold one image: give --platform OS/ARCH"},
		{"tarball of two, none for --platform", []string{"pack", "--platform", "linux/riscv64", "-o", out, amd64, bin}, 1, "no binary is for linux/riscv64 (they are for linux/amd64, linux/arm64/v8)"},
		{"tarball of two for one platform", []string{"pack", "-o", out, bin, bin}, 1, "both for linux/arm64/v8"},
		{"daemon of two", []string{"pack", "--docker", amd64, bin}, 2, "-o and --docker hold one image: give --platform OS/ARCH"},
		{"same platform twice", []string{"pack", "--oci-layout", filepath.Join(filepath.Dir(out), "layout"), bin, bin}, 1, "both for linux/arm64/v8"},
		{"unreachable registry", []string{"pack", "-t", "127.0.0.1:1/x:1", "--push", bin}, 1, "push 127.0.0.1:1/x:1"},
		{"tarball and layout with a failing push", []string{"pack", "-o", out, "--oci-layout", filepath.Join(filepath.Dir(out), "layout"), "-t", "127.0.0.1:1/x:1", "--push", bin}, 1, "connection refused"},
		{"bad tag", []string{"pack", "-t", "Bad Name", "-o", out, bin}, 2, "not an image name"},
		{"bad env", []string{"pack", "--env", "noequals", "-o", out, bin}, 2, "want K=V"},
		{"bad port", []string{"pack", "--expose", "99999", "-o", out, bin}, 2, "PORT"},
		{"bad compression", []string{"pack", "--compression", "lz4", "-o", out, bin}, 2, "gzip, zstd or none"},
		{"output dir missing", []string{"pack", "-o", filepath.Join(dir, "no", "x.tar"), bin}, 1, "directory " + filepath.Join(dir, "no") + " does not exist"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"static refuses dynamic", []string{"pack", "--static", "-o", out, "/usr/bin/ls"}, 1, "dynamically linked (interpreter /lib64/ld-linux-x86-64.so.2), not static; link it statically, or drop --static"},
		{"add relative", []string{"pack", "--add", "x:etc/x", "-o", out, bin}, 2, "not absolute"},
		{"add onto the program", []string{"pack", "--add", script + ":/usr/local/bin/hello-go", "-o", out, bin}, 1, "added twice"},
		{"add missing", []string{"pack", "--add", filepath.Join(dir, "gone") + ":/x", "-o", out, bin}, 1, "gone: no such file"},
		{"user colon", []string{"pack", "--user", ":", "-o", out, bin}, 2, "want NAME|UID[:GROUP|GID]"},
		{"user negative", []string{"pack", "--user", "-1", "-o", out, bin}, 2, `"-1" is not an id from 0 to 4294967295`},
		{"user group empty", []string{"pack", "--user", "0:", "-o", out, bin}, 2, "want NAME|UID[:GROUP|GID]"},
		{"workdir relative", []string{"pack", "--workdir", "srv", "-o", out, bin}, 2, "want an absolute path"},
		{"add mode too big", []string{"pack", "--add", script + ":/x:17777", "-o", out, bin}, 2, "from 0 to 7777"},
		{"add setuid", []string{"pack", "--add", script + ":/x:4755", "-o", out, bin}, 2, "sets setuid or setgid"},
		{"platform variant", []string{"pack", "--platform", "linux/amd64/v99", "-o", out, bin}, 2, "amd64 variants are v1, v2, v3, v4"},
		{"platform os", []string{"pack", "--platform", "windows/amd64", "-o", out, bin}, 2, "for linux, not windows"},
		{"platform not covered", []string{"pack", "--platform", "linux/amd64,linux/arm64", "--require-platforms", "-o", out, bin}, 1, "no file is for linux/amd64"},
		{"tag with digest", []string{"pack", "-t", "app@sha256:" + strings.Repeat("a", 64), "-o", out, bin}, 2, "give a tag, not a digest"},
		{"output is a directory", []string{"pack", "-o", dir + "/", bin}, 1, "is a directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := sp(nil, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			// Progress lines may come first; the error is the last line, alone.
			lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "scratchpack") || !strings.Contains(last, tc.says) {
				t.Errorf("stderr = %q, want its last line to say %q", stderr, tc.says)
			}
			if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
				t.Errorf("left %d files in the output directory", len(entries))
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help", "pack"}, {"pack", "--help"}, {"pack", "-h"}} {
		stdout, _, code := sp(nil, args...)
		if code != 0 || !strings.Contains(stdout, "Usage: scratchpack pack") || !strings.Contains(stdout, "Examples:") || !strings.Contains(stdout, "--tag") {
			t.Errorf("%v: exit %d, stdout %q", args, code, stdout)
		}
	}
	if stdout, _, code := sp(nil, "help"); code != 0 || !strings.Contains(stdout, "scan") {
		t.Errorf("help: exit %d, stdout %q", code, stdout)
	}
	if _, stderr, code := sp(nil); code != 2 || !strings.Contains(stderr, "Commands:") {
		t.Errorf("no args: exit %d, stderr %q", code, stderr)
	}
	if stdout, _, code := sp(nil, "version"); code != 0 || !strings.HasPrefix(stdout, "scratchpack ") {
		t.Errorf("version: exit %d, stdout %q", code, stdout)
	}
}

// TestPackRelativeLibPath: --lib-path ./lib is relative to the working
// directory, as LD_LIBRARY_PATH=./lib is.
func TestPackRelativeLibPath(t *testing.T) {
	t.Parallel() // its run works in a directory: in a process of its own (see spIn)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "lib"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, "greet.c")
	if err := os.WriteFile(src, []byte("int greet(void) { return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testtool.CC(t, "gcc", "-shared", "-fPIC", "-Wl,-soname,libgreet.so.1", "-o", filepath.Join(dir, "lib", "libgreet.so.1"), src)
	main := filepath.Join(dir, "main.c")
	if err := os.WriteFile(main, []byte("int greet(void);\nint main(void) { return greet(); }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testtool.CC(t, "gcc", "-o", filepath.Join(dir, "app"), main, "-L"+filepath.Join(dir, "lib"), "-l:libgreet.so.1")
	stdout, stderr, code := spIn(dir, nil, "pack", "--lib-path", "./lib", "-o", "app.tar", "./app")
	if code != 0 || !strings.Contains(stderr, "dynamic linux/amd64, 2 libraries") { // libgreet and libc
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// TestPackTagList: -t takes a comma list as well as repeats.
func TestPackTagList(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "img.tar")
	stdout, stderr, code := sp(nil, "pack", "-t", "app:1.2,app:latest", "-t", "app:1", "-o", out, "../../testdata/elf/musl-static")
	if code != 0 || !strings.HasPrefix(stdout, "app:1.2@sha256:") {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(out) })
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(m[0].RepoTags, " "); got != "app:1.2 app:latest app:1" {
		t.Errorf("tags %q, want app:1.2 app:latest app:1", got)
	}
	// The same call again gives the same bytes, tags and all.
	again := filepath.Join(t.TempDir(), "img.tar")
	if _, stderr, code := sp(nil, "pack", "-t", "app:1.2,app:latest", "-t", "app:1", "-o", again, "../../testdata/elf/musl-static"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(out)
	b, _ := os.ReadFile(again)
	if !bytes.Equal(a, b) {
		t.Error("two packs of the same inputs gave different tarballs")
	}
}
