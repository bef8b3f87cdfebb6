package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/internal/testtool"
)

// TestOneImageOutputsPickByPlatform: -o with an amd64 and an arm64
// binary and --platform (an alias too) packs only the binary for it, and
// the digest printed is that of the image in the tarball, not of an
// index that is nowhere.
func TestOneImageOutputsPickByPlatform(t *testing.T) {
	t.Parallel()
	amd64, arm64 := goProgram(t, "hello-go", "amd64"), goProgram(t, "hello-go", "arm64")
	for _, c := range []struct{ platform, want string }{
		{"linux/arm64", "arm64"}, {"aarch64", "arm64"}, {"x86_64", "amd64"}, {"amd64", "amd64"},
	} {
		out := filepath.Join(t.TempDir(), "img.tar")
		stdout, stderr, code := sp(nil, "pack", "-q", "-t", "app:1", "--platform", c.platform, "-o", out, amd64, arm64)
		if code != 0 {
			t.Fatalf("--platform %s: exit %d: %s", c.platform, code, stderr)
		}
		m := refLine.FindStringSubmatch(stdout)
		if m == nil {
			t.Fatalf("--platform %s: stdout %q", c.platform, stdout)
		}
		alone := map[string]string{"amd64": amd64, "arm64": arm64}[c.want]
		stdout, stderr, code = sp(nil, "pack", "-q", "-t", "app:1", "-o", filepath.Join(t.TempDir(), "alone.tar"), alone)
		if code != 0 {
			t.Fatalf("%s alone: exit %d: %s", alone, code, stderr)
		}
		if want := refLine.FindStringSubmatch(stdout); want == nil || want[2] != m[2] {
			t.Errorf("--platform %s printed %s; want %q, the digest of the %s binary packed alone", c.platform, m[2], stdout, c.want)
		}
		img, err := tarball.ImageFromPath(out, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cf, err := img.ConfigFile(); err != nil || cf.Architecture != c.want {
			t.Errorf("--platform %s: the tarball holds %v (%v), want %s", c.platform, cf.Platform(), err, c.want)
		}
	}
}

// TestOutputsCheckedBeforeWork: an output that cannot be written fails
// the call at once, naming it, before the program is even read (here it
// does not exist, and the error is the output's), and leaves nothing.
func TestOutputsCheckedBeforeWork(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	missing := filepath.Join(dir, "no", "x.tar")
	file := filepath.Join(dir, "file")
	writeFile(t, file, "x")
	prog := filepath.Join(dir, "not-yet-built")
	broken := filepath.Join(dir, "broken-layout")
	if err := os.Mkdir(broken, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(broken, "oci-layout"), `{"imageLayoutVersion":"1.0.0"}`)
	writeFile(t, filepath.Join(broken, "index.json"), "{not json")
	before := listTree(t, dir)
	for _, c := range []struct {
		name string
		args []string
		says string
	}{
		{"-o into a missing directory", []string{"-o", missing}, "x.tar: directory " + filepath.Dir(missing) + " does not exist"},
		{"-o under a file", []string{"-o", filepath.Join(file, "x.tar")}, "is not a directory"},
		{"-o a directory", []string{"-o", dir}, "is a directory"},
		{"--oci-layout a file", []string{"--oci-layout", file}, "is not an OCI image layout"},
		{"--oci-layout with a broken index.json", []string{"--oci-layout", broken}, "reading index.json"},
		{"--oci-layout in a missing directory", []string{"--oci-layout", filepath.Join(dir, "no", "layout")}, "does not exist"},
		{"--image-refs into a missing directory", []string{"--oci-layout", filepath.Join(dir, "layout"), "--image-refs", filepath.Join(dir, "no", "refs")}, "does not exist"},
		{"--metadata-file into a missing directory", []string{"--oci-layout", filepath.Join(dir, "layout"), "--metadata-file", filepath.Join(dir, "no", "m.json")}, "does not exist"},
		{"--sbom-dir under a file", []string{"--oci-layout", filepath.Join(dir, "layout"), "--sbom-dir", filepath.Join(file, "sboms")}, "is not a directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append(append([]string{"pack"}, c.args...), prog)
			stdout, stderr, code := sp(nil, args...)
			if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, c.says) || strings.Contains(stderr, "not-yet-built") {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and one line saying %q, not naming the program", code, stdout, stderr, c.says)
			}
			if got := listTree(t, dir); got != before {
				t.Errorf("left behind:\n%s", got)
			}
		})
	}
}

// TestStdoutTarballRefusesATerminal: -o - with stdout on a terminal
// writes nothing there and says, in one line, to redirect it, as docker
// save does, and so does -o naming a terminal; to /dev/null it writes
// the tarball.
func TestStdoutTarballRefusesATerminal(t *testing.T) {
	t.Parallel()
	tty := testtool.Terminal(t)
	var stderr bytes.Buffer
	a := &app{ctx: context.Background(), Console: options.Console{Stdout: tty, Stderr: &stderr}, getenv: func(string) string { return "" }, environ: os.Environ}
	code := a.main([]string{"pack", "-o", "-", "../../testdata/elf/musl-static"})
	if code != 2 || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "redirect it") {
		t.Errorf("exit %d, stderr %q; want exit 2 and one line saying to redirect", code, stderr.String())
	}
	// A terminal named as the output file, as -o /dev/tty or -o
	// /dev/stdout on one would name it, is refused too.
	_, errs, code := sp(nil, "pack", "-o", tty.Name(), "../../testdata/elf/musl-static")
	if code != 1 || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tty.Name()+": is a terminal") {
		t.Errorf("-o %s: exit %d, stderr %q; want exit 1 and one line saying it is a terminal", tty.Name(), code, errs)
	}
	if _, errs, code := sp(nil, "pack", "-q", "-o", os.DevNull, "../../testdata/elf/musl-static"); code != 0 {
		t.Errorf("-o /dev/null: exit %d: %s", code, errs)
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	stderr.Reset()
	a.Stdout = null
	if code := a.main([]string{"pack", "-o", "-", "../../testdata/elf/musl-static"}); code != 0 {
		t.Errorf("-o - > /dev/null: exit %d: %s", code, stderr.String())
	}
}

// TestBuildOutputsCheckedBeforeWork: build's --tarball and
// --oci-layout-path into a missing directory fail at once, before go
// build runs (the import path does not even exist), naming the output.
func TestBuildOutputsCheckedBeforeWork(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, flag := range []string{"--tarball", "--oci-layout-path"} {
		out := filepath.Join(dir, "no", "out")
		_, stderr, code := sp(map[string]string{"KO_DOCKER_REPO": "example.com/me"}, "build", "--push=false", flag, out, "./does-not-exist")
		if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, out+": directory "+filepath.Dir(out)+" does not exist") {
			t.Errorf("%s into a missing directory: exit %d, stderr %q", flag, code, stderr)
		}
	}
}

// TestBuildOneImageOutputsTakeOnePlatform: build --tarball with several
// platforms is refused with the rule of every output, before anything is
// built. (-L loads $GOOS/$GOARCH's image of the index, as ko's does: see
// TestDaemonImage.)
func TestBuildOneImageOutputsTakeOnePlatform(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--push=false", "--tarball", filepath.Join(t.TempDir(), "x.tar"), "--platform", "amd64,aarch64"},
	} {
		_, stderr, code := sp(map[string]string{"KO_DOCKER_REPO": "example.com/me"}, append(append([]string{"build"}, args...), "./does-not-exist")...)
		if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, severalRule) || !strings.Contains(stderr, "one --platform") {
			t.Errorf("build %v: exit %d, stderr %q; want exit 2 and the rule", args, code, stderr)
		}
	}
}

// TestDaemonCheckedBeforeWork: --docker (and build -L) with a daemon that
// does not answer fail at once, naming DOCKER_HOST, before the program is
// read or built.
func TestDaemonCheckedBeforeWork(t *testing.T) {
	t.Parallel() // its runs have a DOCKER_HOST of their own: each in a process of its own (see spIn)
	sock := filepath.Join(t.TempDir(), "no-docker.sock")
	for _, args := range [][]string{
		{"pack", "--docker", filepath.Join(t.TempDir(), "not-yet-built")},
		{"build", "-L", "./does-not-exist"},
	} {
		stdout, stderr, code := spIn("", map[string]string{"KO_DOCKER_REPO": "ko.local", "DOCKER_HOST": "unix://" + sock}, args...)
		if code != 1 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, sock) || !strings.Contains(stderr, "DOCKER_HOST") ||
			strings.Contains(stderr, "not-yet-built") || strings.Contains(stderr, "does-not-exist") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 1 and one line about the daemon", args, code, stdout, stderr)
		}
	}
}

// TestPlatformWithoutVariantPicksOneOrSaysSo: an arm/v6 and an arm/v7
// binary into -o: --platform linux/arm matches both and asks for the
// variant; armhf (arm/v7) picks the v7 one.
func TestPlatformWithoutVariantPicksOneOrSaysSo(t *testing.T) {
	t.Parallel()
	v6 := testtool.GoBuild(t, "../../testdata/hello-go", "arm", nil, "GOARM=6")
	v7 := testtool.GoBuild(t, "../../testdata/hello-go", "arm", nil, "GOARM=7")
	dir := t.TempDir()
	for name, src := range map[string]string{"app-armv6": v6, "app-armv7": v7} {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name), string(b))
	}
	v6, v7 = filepath.Join(dir, "app-armv6"), filepath.Join(dir, "app-armv7")
	out := filepath.Join(t.TempDir(), "x.tar")
	_, stderr, code := sp(nil, "pack", "--platform", "linux/arm", "-o", out, v6, v7)
	if code != 2 || !strings.Contains(stderr, "--platform linux/arm matches "+v6+" (linux/arm/v6) and "+v7+" (linux/arm/v7); give the variant too") {
		t.Errorf("--platform linux/arm: exit %d, stderr %q", code, stderr)
	}
	if _, stderr, code := sp(nil, "pack", "-q", "--platform", "armhf", "-o", out, v6, v7); code != 0 {
		t.Fatalf("--platform armhf: exit %d: %s", code, stderr)
	}
	img, err := tarball.ImageFromPath(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cf, err := img.ConfigFile(); err != nil || cf.Architecture != "arm" || cf.Variant != "v7" {
		t.Errorf("--platform armhf packed %v (%v), want linux/arm/v7", cf.Platform(), err)
	}
}
