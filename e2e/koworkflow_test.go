package e2e

import (
	"archive/tar"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"go.yaml.in/yaml/v3"
)

// koScript runs a bash script of ko's in dir, with env, and fails the
// test with its output when it fails.
func koScript(t *testing.T, dir, script string, env ...string) string {
	t.Helper()
	cmd := exec.Command("bash", "-c", script)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"SCRATCHPACK=" + h.bin, "GOMODCACHE=" + strings.TrimSpace(must(t, nil, "go", "env", "GOMODCACHE"))}, env...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return string(out)
}

// cut replaces in s each of lines, which must be there, with bash's
// no-op: a step of ko's that this run cannot take is left out by name,
// never silently.
func cut(t *testing.T, s string, lines ...string) string {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(s, l) {
			t.Fatalf("ko's script no longer has %q: look at the step again", l)
		}
		s = strings.Replace(s, l, ": left out", 1)
	}
	return s
}

// removeLocalImages removes the images of the daemon under these
// ko.local repositories when the test ends.
func removeLocalImages(t *testing.T, repos ...string) {
	t.Cleanup(func() {
		for _, r := range repos {
			out, _ := exec.Command("docker", "images", "--format", "{{.Repository}}:{{.Tag}}", r).Output()
			for _, ref := range strings.Fields(string(out)) {
				_ = exec.Command("docker", "rmi", "-f", ref).Run()
			}
		}
	})
}

// TestKoE2EWorkflowWithScratchpack runs the steps of ko's own e2e
// workflow (.github/workflows/e2e.yaml of github.com/google/ko@v0.19.1,
// read from the module at test time) with scratchpack in place of
// `go run ./`, as its Linux job runs them: --push=false's forms,
// --tag-only, --sbom-dir for one platform and for two (NAME-index), ko
// itself built into ko.local for two platforms and run, the test image
// serving kodata, and a .ko.yaml's ldflags. Two lines are left out: -f b
// (the module zip holds no kodata/b, a link in ko's checkout) and --debug
// (delve: scratchpack refuses it in one line, checked here).
func TestKoE2EWorkflowWithScratchpack(t *testing.T) {
	need(t)
	dir := goModule(t, "github.com/google/ko@v0.19.1")
	b, err := os.ReadFile(filepath.Join(dir, ".github/workflows/e2e.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct{ Name, Run string }
		}
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	script := ""
	for _, s := range wf.Jobs["e2e"].Steps {
		if s.Name == "Build and run ko container" {
			script = s.Run
		}
	}
	if script == "" {
		t.Fatalf("no step \"Build and run ko container\" in ko's e2e workflow")
	}
	script = cut(t, script,
		`docker run ${testimg} --wait=false -f b`,
		`docker run --entrypoint="dlv" $(go run ./ build ./test/ --platform=${PLATFORM} --debug) version | grep "Delve Debugger"`)
	script = strings.NewReplacer("go run ./ ", `"$SCRATCHPACK" `, "${{ matrix.platform }}", "ubuntu-latest", "${{ github.sha }}", "e2e0123456789").Replace(script)
	if strings.Contains(script, "go run") || strings.Contains(script, "${{") {
		t.Fatalf("the script still runs ko or holds a workflow expression:\n%s", script)
	}
	removeLocalImages(t, "ko.local/github.com/google/ko", "ko.local/github.com/google/ko/test", "ko.local/test-*")
	out := koScript(t, dir, script, "KO_DOCKER_REPO=ko.local", "RUNNER_OS=Linux")
	for _, want := range []string{"Hello there", "e2e0123456789"} {
		if !strings.Contains(out, want) {
			t.Errorf("the workflow's output lacks %q:\n%s", want, out)
		}
	}
	r := spIn(t, dir, []string{"KO_DOCKER_REPO=ko.local"}, "build", "./test/", "--debug")
	if r.code != 2 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "--disable-optimizations") {
		t.Errorf("--debug: exit %d, stderr %q; want one line naming the way", r.code, r.stderr)
	}
}

// TestKoIntegrationScriptWithScratchpack runs ko's integration_test.sh
// from the module, with scratchpack as the ./ko it builds: scenario 1
// (an image of test/ that prints its kodata) and 2 (KO_FLAGS ignored).
// Scenario 3 builds test/build-configs/caps, a nested module that the
// module zip does not hold; TestBuildCapabilitiesLikeKo runs its check.
func TestKoIntegrationScriptWithScratchpack(t *testing.T) {
	need(t)
	dir := goModule(t, "github.com/google/ko@v0.19.1")
	b, err := os.ReadFile(filepath.Join(dir, "integration_test.sh"))
	if err != nil {
		t.Fatal(err)
	}
	script := string(b)
	start, end := strings.Index(script, `echo "3. Linux capabilities."`), strings.Index(script, "popd || exit 1\n\npopd || exit 1")
	if start < 0 || end < start {
		t.Fatalf("integration_test.sh no longer has scenario 3 where it was: look at it again")
	}
	script = script[:start] + script[end+len("popd || exit 1\n"):]
	script = strings.Replace(cut(t, script, `RESULT="$(go build .)"`), `echo "Building ko"`, `echo "Building ko"; cp "$SCRATCHPACK" ./ko`, 1)
	removeLocalImages(t, "ko.local/test-*")
	out := koScript(t, dir, script)
	if n := strings.Count(out, "Test PASSED"); n != 2 || strings.Contains(out, "FAILED") {
		t.Errorf("integration_test.sh: %d scenarios passed, want 2:\n%s", n, out)
	}
}

// capsProgram prints the capability sets it runs with, as ko's
// integration test's caps program looks at them.
const capsProgram = `package main

import (
	"fmt"
	"os"
	"strings"
)

func main() {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "CapPrm:") || strings.HasPrefix(l, "CapEff:") {
			fmt.Println(strings.Join(strings.Fields(l), " "))
		}
	}
}
`

// TestBuildCapabilitiesLikeKo builds a program with linux_capabilities in
// .ko.yaml (ko's integration scenario 3: net_bind_service chown) with the
// real ko and with scratchpack, and runs both as ko's test does (user 1,
// --cap-add=net_bind_service): each process has the file's capabilities
// permitted (0x401), and the binary's tar entry carries the same
// security.capability bytes in both images. Without the setting, none.
func TestBuildCapabilitiesLikeKo(t *testing.T) {
	need(t)
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, "go.mod"), "module example.com/capse2e\n\ngo 1.21\n")
	if err := os.MkdirAll(filepath.Join(dir, "cmd/caps"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(dir, "cmd/caps/main.go"), capsProgram)
	writeTestFile(t, filepath.Join(dir, "caps.ko.yaml"), "builds:\n- id: caps\n  main: ./cmd/caps\n  linux_capabilities: net_bind_service chown\n")
	r := spIn(t, gomod, []string{"KO_DOCKER_REPO=" + h.registry + "/capsbase"}, "build", "-q", "--bare", "-t", "1", "--platform", "linux/amd64", "./cmd/bye")
	if r.code != 0 {
		t.Fatalf("the base: %s", r.stderr)
	}
	base := strings.TrimSpace(r.stdout)
	for _, withCaps := range []bool{true, false} {
		outs, xattrs := map[string]string{}, map[string]string{}
		for _, tl := range []string{"ko", "scratchpack"} {
			env := []string{"KO_DOCKER_REPO=" + h.registry + "/caps-" + tl, "KO_DEFAULTBASEIMAGE=" + base}
			if withCaps {
				env = append(env, "KO_CONFIG_PATH=caps.ko.yaml")
			}
			ref, _ := tool(t, tl, dir, env, "build", "--insecure-registry", "--platform", "linux/amd64", "./cmd/caps")
			ref = strings.TrimSpace(ref)
			xattrs[tl] = binaryXattr(t, ref, "/ko-app/caps")
			outs[tl] = dockerRunAs(t, ref, "--user", "1", "--cap-add=net_bind_service")
		}
		want := "CapPrm: 0000000000000000\nCapEff: 0000000000000000\n"
		if withCaps {
			want = "CapPrm: 0000000000000401\nCapEff: 0000000000000000\n"
		}
		if outs["scratchpack"] != want || outs["ko"] != outs["scratchpack"] {
			t.Errorf("capabilities %v: ko's image printed %q, scratchpack's %q; want %q", withCaps, outs["ko"], outs["scratchpack"], want)
		}
		if xattrs["ko"] != xattrs["scratchpack"] || withCaps == (xattrs["ko"] == "") {
			t.Errorf("capabilities %v: the binary's security.capability is %x in ko's image, %x in scratchpack's", withCaps, xattrs["ko"], xattrs["scratchpack"])
		}
	}
}

// dockerRunAs runs a pushed image with docker run flags, no network.
func dockerRunAs(t *testing.T, ref string, flags ...string) string {
	t.Helper()
	_ = run(t, nil, "docker", "rmi", "-f", ref)
	t.Cleanup(func() { _ = run(t, nil, "docker", "rmi", "-f", ref) })
	return must(t, nil, "docker", append(append([]string{"run", "--rm", "--network", "none", "--pull", "always"}, flags...), ref)...)
}

// binaryXattr reads a pushed image's layers and returns the
// security.capability record of the entry at p ("" when it has none).
func binaryXattr(t *testing.T, ref, p string) string {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	found := ""
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			hdr, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if "/"+strings.TrimPrefix(hdr.Name, "/") == p {
				found = hdr.PAXRecords["SCHILY.xattr.security.capability"]
			}
		}
		rc.Close()
	}
	return found
}
