package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// TestDefaultTagCannotShadowDockerHub: with no -t, the image is named
// scratchpack.local/NAME:latest, in what is printed and in the tarball's
// RepoTags, so that docker load never puts it over Docker Hub's NAME; the
// registry of that name is not Docker Hub's.
func TestDefaultTagCannotShadowDockerHub(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "img.tar")
	stdout, stderr, code := sp(nil, "pack", "-q", "-o", out, "../../testdata/elf/musl-static")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m := refLine.FindStringSubmatch(stdout)
	if m == nil || m[1] != "scratchpack.local/musl-static:latest" {
		t.Fatalf("stdout %q, want scratchpack.local/musl-static:latest@sha256:...", stdout)
	}
	ref, err := name.ParseReference(m[1])
	if err != nil || ref.Context().RegistryStr() == name.DefaultRegistry || strings.Contains(ref.Context().Name(), "docker.io") {
		t.Errorf("%s names %v (%v): Docker Hub's", m[1], ref, err)
	}
	mf, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(out) })
	if err != nil {
		t.Fatal(err)
	}
	if len(mf) != 1 || strings.Join(mf[0].RepoTags, " ") != "scratchpack.local/musl-static:latest" {
		t.Errorf("RepoTags %v, want [scratchpack.local/musl-static:latest]", mf)
	}
}
