package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestSBOMOfAnImageKoBuilt has the real ko build and push a Go program
// with its SBOM, which ko attaches cosign's way, at the image's
// sha256-HEX.sbom tag: scratchpack sbom prints that document and says on
// stderr that it is cosign's tag it read.
func TestSBOMOfAnImageKoBuilt(t *testing.T) {
	need(t)
	base := h.registry + "/kosbombase:1"
	scratchpack(t, "pack", "-q", "-t", base, "--push", buildGo(t, "hello-go", "amd64"))
	repo := h.registry + "/kosbom"
	cmd := exec.Command(h.env["KO"], "build", "--insecure-registry", "--bare", "--sbom", "spdx", "./cmd/bye")
	cmd.Dir, cmd.Env = gomod, append(os.Environ(), "KO_DOCKER_REPO="+repo, "KO_DEFAULTBASEIMAGE="+base)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ko build: %v", err)
	}
	ref := strings.TrimSpace(string(out))
	_, digest, ok := strings.Cut(ref, "@")
	if !ok {
		t.Fatalf("ko printed %q, want REPO@sha256:...", ref)
	}
	r := run(t, nil, h.bin, "sbom", ref)
	if r.code != 0 {
		t.Fatalf("sbom %s: exit %d: %s", ref, r.code, r.stderr)
	}
	tag := repo + ":" + strings.Replace(digest, ":", "-", 1) + ".sbom"
	if !strings.Contains(r.stdout, "SPDX") || !strings.Contains(r.stdout, "example.com/demo") {
		t.Errorf("sbom %s printed no SPDX document of example.com/demo:\n%.600s", ref, r.stdout)
	}
	if !strings.Contains(r.stderr, "cosign") || !strings.Contains(r.stderr, tag) {
		t.Errorf("sbom %s: stderr %q does not say it read cosign's tag %s", ref, r.stderr, tag)
	}
}
