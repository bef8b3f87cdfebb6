package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var refLine = regexp.MustCompile(`^\S+@sha256:[0-9a-f]{64}\n$`)

// packLoad packs bin into a tarball with packArgs after it (flags, then
// "--" and the image's Cmd), checks the one line on stdout, loads the
// tarball into Docker and returns the image name.
func packLoad(t *testing.T, bin string, packArgs ...string) string {
	t.Helper()
	ref := imageName(t)
	tarball := filepath.Join(t.TempDir(), "image.tar")
	out := scratchpack(t, append([]string{"pack", "-t", ref, "-o", tarball, bin}, packArgs...)...)
	if !refLine.MatchString(out) || !strings.HasPrefix(out, ref+"@") {
		t.Fatalf("stdout = %q, want one line %s@sha256:...", out, ref)
	}
	must(t, nil, "docker", "load", "-i", tarball)
	return ref
}

// packRun packs and loads bin, checks the image's platform, runs it with
// --network none and returns what the container printed.
func packRun(t *testing.T, bin, platform string, packArgs ...string) string {
	t.Helper()
	ref := packLoad(t, bin, packArgs...)
	got := must(t, nil, "docker", "image", "inspect", "--format", "{{.Os}}/{{.Architecture}}", ref)
	if want := "linux/" + platform; strings.TrimSpace(got) != want {
		t.Errorf("image platform = %s, want %s", strings.TrimSpace(got), want)
	}
	return must(t, nil, "docker", "run", "--rm", "--network", "none", "--platform", "linux/"+platform, ref)
}

func TestPackStaticGo(t *testing.T) {
	need(t)
	bin := buildGo(t, "hello-go", "amd64")
	got := packRun(t, bin, "amd64", "--", "one", "two")
	if want := "hello from Go on linux/amd64 args=one,two\n"; got != want {
		t.Errorf("container printed %q, want %q", got, want)
	}
}

func TestPackStaticC(t *testing.T) {
	need(t)
	bin := buildC(t, "gcc", "hello-c/hello.c", "-static")
	got := packRun(t, bin, "amd64")
	if want := "hello from C\n"; got != want {
		t.Errorf("container printed %q, want %q", got, want)
	}
}

func TestPackStaticMusl(t *testing.T) {
	need(t)
	bin := buildC(t, "musl-gcc", "hello-c/hello.c", "-static")
	got := packRun(t, bin, "amd64", "--", "m")
	if want := "hello from C args=m\n"; got != want {
		t.Errorf("container printed %q, want %q", got, want)
	}
}

func TestPackArm64GoRunsUnderQemu(t *testing.T) {
	need(t)
	bin := buildGo(t, "hello-go", "arm64")
	got := packRun(t, bin, "arm64")
	if want := "hello from Go on linux/arm64\n"; got != want {
		t.Errorf("container printed %q, want %q", got, want)
	}
}

func TestPackArm64StaticCRunsUnderQemu(t *testing.T) {
	need(t)
	bin := buildC(t, "aarch64-linux-gnu-gcc", "hello-c/hello.c", "-static")
	got := packRun(t, bin, "arm64", "--", "x")
	if want := "hello from C args=x\n"; got != want {
		t.Errorf("container printed %q, want %q", got, want)
	}
}

// TestPackRefusesNonPrograms checks the failures a user causes most: each
// exits non-zero with one line naming the file, and leaves no output.
func TestPackRefusesNonPrograms(t *testing.T) {
	need(t)
	dir := t.TempDir()
	script := filepath.Join(dir, "run.sh")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho hi\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, input := range map[string]string{
		"missing":   filepath.Join(dir, "nope"),
		"directory": dir,
		"script":    script,
	} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "x.tar")
			r := run(t, nil, h.bin, "pack", "-o", out, input)
			if r.code == 0 {
				t.Fatalf("exit 0, want non-zero")
			}
			if lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n"); len(lines) != 1 || !strings.Contains(lines[0], input) {
				t.Errorf("stderr = %q, want one line naming %s", r.stderr, input)
			}
			if r.stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.stdout)
			}
			if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
				t.Errorf("left %d files behind in the output directory", len(entries))
			}
		})
	}
}
