package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDockerWithTwoBinaries: --docker with an amd64 and an arm64 binary
// refuses, in one line naming --platform, and loads nothing; with
// --platform aarch64 it loads the arm64 image alone, under the name
// printed, and that image runs as arm64.
func TestDockerWithTwoBinaries(t *testing.T) {
	need(t)
	amd64, arm64 := buildGo(t, "hello-go", "amd64"), buildGo(t, "hello-go", "arm64")
	ref := imageName(t)
	r := run(t, nil, h.bin, "pack", "-t", ref, "--docker", amd64, arm64)
	if r.code != 2 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "give --platform OS/ARCH") {
		t.Errorf("two binaries into the daemon: exit %d, stdout %q, stderr %q; want exit 2 and one line naming --platform", r.code, r.stdout, r.stderr)
	}
	if r := run(t, nil, "docker", "image", "inspect", ref); r.code == 0 {
		t.Errorf("the refused call loaded %s", ref)
	}
	out := scratchpack(t, "pack", "-q", "-t", ref, "--docker", "--platform", "aarch64", amd64, arm64)
	if !refLine.MatchString(out) || !strings.HasPrefix(out, ref+"@") {
		t.Fatalf("stdout %q, want %s@sha256:...", out, ref)
	}
	if got := strings.TrimSpace(must(t, nil, "docker", "image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", ref)); got != "linux/arm64" {
		t.Errorf("the daemon's %s is %s, want linux/arm64", ref, got)
	}
	if got := must(t, nil, "docker", "run", "--rm", "--network", "none", "--platform", "linux/arm64", ref); got != "hello from Go on linux/arm64\n" {
		t.Errorf("the loaded image printed %q", got)
	}
}

// TestDefaultNameCannotShadowDockerHub: a program named curl, packed with
// no -t and loaded, is scratchpack.local/curl:latest in the daemon;
// curl:latest (Docker Hub's name) is as it was.
func TestDefaultNameCannotShadowDockerHub(t *testing.T) {
	need(t)
	dir := t.TempDir()
	bin := filepath.Join(dir, "curl")
	b, err := os.ReadFile(buildGo(t, "hello-go", "amd64"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	idOf := func(ref string) string {
		r := run(t, nil, "docker", "image", "inspect", "--format", "{{.Id}}", ref)
		if r.code != 0 {
			return "absent"
		}
		return strings.TrimSpace(r.stdout)
	}
	before := idOf("curl:latest")
	tarball := filepath.Join(dir, "curl.tar")
	const want = "scratchpack.local/curl:latest"
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", want).Run() })
	out := scratchpack(t, "pack", "-q", "-o", tarball, bin)
	if !strings.HasPrefix(out, want+"@sha256:") {
		t.Fatalf("stdout %q, want %s@sha256:...", out, want)
	}
	if loaded := must(t, nil, "docker", "load", "-i", tarball); !strings.Contains(loaded, want) {
		t.Errorf("docker load said %q, want %s", loaded, want)
	}
	if idOf(want) == "absent" {
		t.Errorf("%s is not in the daemon", want)
	}
	if after := idOf("curl:latest"); after != before {
		t.Errorf("curl:latest was %s before the load and is %s after", before, after)
	}
	if got := must(t, nil, "docker", "run", "--rm", "--network", "none", want); got != "hello from Go on linux/amd64\n" {
		t.Errorf("%s printed %q", want, got)
	}
}

// TestMakeInstall: the README's install, make install, puts an
// executable scratchpack in GOBIN and says where; it runs.
func TestMakeInstall(t *testing.T) {
	need(t)
	gobin := t.TempDir()
	out := must(t, []string{"GOBIN=" + gobin}, "make", "-s", "-C", "..", "install")
	bin := filepath.Join(gobin, "scratchpack")
	if !strings.Contains(out, "installed "+bin) {
		t.Errorf("make install said %q, want it to name %s", out, bin)
	}
	fi, err := os.Stat(bin)
	if err != nil || fi.Mode()&0o111 == 0 {
		t.Fatalf("%s: %v, mode %v; want an executable", bin, err, fi)
	}
	if v := must(t, nil, bin, "version"); !strings.HasPrefix(v, "scratchpack ") {
		t.Errorf("%s version printed %q", bin, v)
	}
}
