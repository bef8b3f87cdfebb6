package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleaseMakefile runs testdata/release's release target against the
// local registry, twice: one index under two tags, labelled with the
// version, whose references are written to a file; each platform's image
// runs; the second run gives the same digest and uploads nothing.
func TestReleaseMakefile(t *testing.T) {
	need(t)
	out := t.TempDir()
	release := func() (refs, stderr string) {
		t.Helper()
		r := run(t, nil, "make", "-s", "-C", "../testdata/release", "release",
			"SCRATCHPACK="+h.bin, "REGISTRY="+h.registry, "OUT="+out)
		if r.code != 0 {
			t.Fatalf("make release: exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		b, err := os.ReadFile(filepath.Join(out, "image-refs"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b), r.stderr
	}
	refs, first := release()
	lines := strings.Split(strings.TrimSpace(refs), "\n")
	image := h.registry + "/release/app"
	if len(lines) != 2 || !strings.HasPrefix(lines[0], image+":1.2.0@sha256:") || !strings.HasPrefix(lines[1], image+":latest@sha256:") {
		t.Fatalf("image-refs = %q", refs)
	}
	if !strings.Contains(first, "pushed blob:") {
		t.Errorf("the first run logged no blob pushed:\n%s", first)
	}
	label := must(t, nil, "skopeo", "inspect", "--tls-verify=false", "--override-arch", "arm64", "--format", `{{index .Labels "org.opencontainers.image.version"}}`, "docker://"+image+":1.2.0")
	if strings.TrimSpace(label) != "1.2.0" {
		t.Errorf("version label = %q", label)
	}
	img := strings.TrimSpace(lines[0])
	for _, arch := range []string{"amd64", "arm64"} {
		_ = run(t, nil, "docker", "rmi", "-f", img)
		got := must(t, nil, "docker", "run", "--rm", "--network", "none", "--pull", "always", "--platform", "linux/"+arch, img)
		if want := "hello from Go on linux/" + arch + "\n"; got != want {
			t.Errorf("%s: printed %q, want %q", arch, got, want)
		}
	}
	_ = run(t, nil, "docker", "rmi", "-f", img)

	again, second := release()
	if again != refs {
		t.Errorf("the second run's references differ:\n%s\n%s", refs, again)
	}
	// The registry already has the manifest, so nothing is uploaded.
	if strings.Contains(second, "pushed blob:") || !strings.Contains(second, "existing manifest:") {
		t.Errorf("the second run pushed blobs, or did not find the manifest there:\n%s", second)
	}
	// And it says so, where the first run did not.
	const fresh = "are up to date in the registry; nothing was uploaded"
	if !strings.Contains(second, fresh) || strings.Contains(first, fresh) {
		t.Errorf("the second run did not say, alone, that it uploaded nothing:\nfirst:\n%s\nsecond:\n%s", first, second)
	}
}
