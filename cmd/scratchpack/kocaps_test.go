package main

import (
	"archive/tar"
	"encoding/hex"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// TestBuildLinuxCapabilities: a builds entry's linux_capabilities give
// the binary, and only the binary, the security.capability attribute
// ko writes: vfs_cap_data revision 2 with the effective flag (chown+ep),
// NET_BIND_SERVICE (bit 10) and CHOWN (bit 0) permitted. A capability
// that does not exist fails in one line naming the config.
func TestBuildLinuxCapabilities(t *testing.T) {
	t.Parallel() // its runs work in a directory: each in a process of its own (see spIn)
	dir := koModule(t)
	wd := dir
	writeFile(t, filepath.Join(dir, ".ko.yaml"), "builds:\n- id: app\n  main: ./cmd/app\n  linux_capabilities: net_bind_service chown+ep\n")
	lay := filepath.Join(t.TempDir(), "layout")
	if _, stderr, code := spIn(wd, map[string]string{"KO_DOCKER_REPO": "r.example/me"}, "build", "-q", "--push=false", "--sbom", "none", "--oci-layout-path", lay, "./cmd/app"); code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	xattrs := layoutPAX(t, lay)
	want := "01000002" + "01040000" + "00000000" + "00000000" + "00000000"
	if got := hex.EncodeToString([]byte(xattrs["/ko-app/app"]["SCHILY.xattr.security.capability"])); got != want {
		t.Errorf("/ko-app/app security.capability %s, want %s (records %v)", got, want, xattrs["/ko-app/app"])
	}
	for name, r := range xattrs {
		if name != "/ko-app/app" && len(r) > 0 {
			t.Errorf("%s has PAX records %v; only the binary has capabilities", name, r)
		}
	}
	writeFile(t, filepath.Join(dir, ".ko.yaml"), "builds:\n- id: app\n  main: ./cmd/app\n  linux_capabilities: [cap_no_such]\n")
	_, stderr, code := spIn(wd, map[string]string{"KO_DOCKER_REPO": "r.example/me"}, "build", "-q", "--push=false", "./cmd/app")
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, ".ko.yaml") || !strings.Contains(stderr, `unknown capability "cap_no_such"`) {
		t.Errorf("an unknown capability: exit %d, stderr %q", code, stderr)
	}
}

// layoutPAX returns the PAX records of every entry of the one image in a
// layout.
func layoutPAX(t *testing.T, lay string) map[string]map[string]string {
	t.Helper()
	lp, err := layout.FromPath(lay)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := lp.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil || len(m.Manifests) != 1 {
		t.Fatalf("layout: %v %+v", err, m)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	out := map[string]map[string]string{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out["/"+strings.Trim(h.Name, "/")] = h.PAXRecords
	}
}
