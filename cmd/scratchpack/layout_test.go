package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/scratchpack/scratchpack/pack/transport"
)

func TestPackOCILayout(t *testing.T) {
	t.Parallel()
	amd64, arm64 := goProgram(t, "hello-go", "amd64"), goProgram(t, "hello-go", "arm64")
	dir := filepath.Join(t.TempDir(), "layout")

	entries := func() map[string]string {
		t.Helper()
		lp, err := layout.FromPath(dir)
		if err != nil {
			t.Fatal(err)
		}
		ii, err := lp.ImageIndex()
		if err != nil {
			t.Fatal(err)
		}
		idx, err := ii.IndexManifest()
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		for _, d := range idx.Manifests {
			if n := d.Annotations[transport.AnnotationRefName]; !strings.Contains(n, ":sha256-") { // an SBOM's referrers index
				m[n] = d.Digest.String()
			}
		}
		return m
	}
	digestOf := func(stdout string) string {
		t.Helper()
		m := refLine.FindStringSubmatch(stdout)
		if m == nil {
			t.Fatalf("stdout = %q", stdout)
		}
		return m[2]
	}

	out, stderr, code := sp(nil, "pack", "-t", "app:1", "--annotation", "org.opencontainers.image.source=https://example.com/app", "--oci-layout", dir, amd64)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	first := digestOf(out)
	lp0, _ := layout.FromPath(dir)
	ii0, _ := lp0.ImageIndex()
	h0, _ := ii0.IndexManifest()
	img0, err := ii0.Image(h0.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	m0, _ := img0.Manifest()
	if m0.Annotations["org.opencontainers.image.source"] != "https://example.com/app" {
		t.Errorf("manifest annotations = %v", m0.Annotations)
	}
	if got := entries(); got["app:1"] != first || len(got) != 1 {
		t.Errorf("layout entries %v, want app:1 => %s", got, first)
	}
	if _, stderr, code := sp(nil, "sbom", dir+":app:1"); code != 0 {
		t.Errorf("no SBOM attached in the layout: %s", stderr)
	}

	// A second tag adds an entry; the index digest for two platforms.
	out, stderr, code = sp(nil, "pack", "-t", "app:multi", "--oci-layout", dir, amd64, arm64)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	multi := digestOf(out)
	lp, _ := layout.FromPath(dir)
	ii, err := lp.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	h, _ := ii.IndexManifest()
	var platforms []string
	for _, d := range h.Manifests {
		if d.Digest.String() != multi {
			continue
		}
		child, err := ii.ImageIndex(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cm, _ := child.IndexManifest()
		for _, c := range cm.Manifests {
			platforms = append(platforms, c.Platform.String())
		}
	}
	if strings.Join(platforms, " ") != "linux/amd64 linux/arm64/v8" {
		t.Errorf("index platforms = %v", platforms)
	}

	// Packing a tag again replaces its entry.
	if _, stderr, code = sp(map[string]string{"SOURCE_DATE_EPOCH": "99"}, "pack", "-t", "app:1", "--oci-layout", dir, amd64); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := entries(); len(got) != 2 || got["app:1"] == first || got["app:multi"] != multi {
		t.Errorf("after re-packing app:1: entries %v", got)
	}

	// Another repository's tag of the same name is another entry, and
	// each is read back by its name (or by its tag, while that is unique).
	if _, stderr, code = sp(nil, "pack", "-t", "other:1", "--oci-layout", dir, amd64); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := entries(); len(got) != 3 || got["app:1"] == "" || got["other:1"] == "" {
		t.Errorf("after packing other:1: entries %v", got)
	}
	for ref, want := range map[string]int{"app:1": 0, "other:1": 0, "multi": 0, "1": 1} {
		if _, stderr, code := sp(nil, "inspect", dir+":"+ref); code != want {
			t.Errorf("inspect %s:%s: exit %d, want %d (%s)", dir, ref, code, want, stderr)
		}
	}
}

// TestLayoutConcurrentWriters packs 16 tags into one new layout at once:
// every tag is there afterwards, and the layout is readable by others
// (0755 directories, 0644 files).
func TestLayoutConcurrentWriters(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "layout")
	const writers = 16
	var wg sync.WaitGroup
	errs := make([]string, writers)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, stderr, code := sp(nil, "pack", "-t", fmt.Sprintf("app:%d", i), "--oci-layout", dir, "../../testdata/elf/musl-static")
			if code != 0 {
				errs[i] = stderr
			}
		}()
	}
	wg.Wait()
	for i, e := range errs {
		if e != "" {
			t.Errorf("writer %d: %s", i, e)
		}
	}
	lp, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	ii, _ := lp.ImageIndex()
	im, err := ii.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]bool{}
	for _, d := range im.Manifests {
		if n := d.Annotations[transport.AnnotationRefName]; !strings.Contains(n, ":sha256-") {
			tags[n] = true
		}
	}
	if len(tags) != writers {
		t.Errorf("%d tags in index.json, want %d: %v", len(tags), writers, tags)
	}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, _ := d.Info()
		want := fs.FileMode(0o644)
		if d.IsDir() {
			want = 0o755
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode().Perm(), want)
		}
		return nil
	})
	if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 1 {
		t.Errorf("left %d entries beside the layout, want none", len(entries)-1)
	}
}

// TestPackReleaseNames packs cross-compiled binaries named for their
// platforms: one index, one entrypoint, and a default name without the
// suffix; binaries whose names differ otherwise are refused.
func TestPackReleaseNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, arch := range []string{"amd64", "arm64"} {
		b, err := os.ReadFile(goProgram(t, "hello-go", arch))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "app-"+arch), b, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	lay := filepath.Join(t.TempDir(), "layout")
	stdout, stderr, code := sp(nil, "pack", "--oci-layout", lay, filepath.Join(dir, "app-amd64"), filepath.Join(dir, "app-arm64"))
	if code != 0 || !strings.HasPrefix(stdout, "scratchpack.local/app:latest@sha256:") {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	out, _, _ := sp(nil, "inspect", "--json", lay)
	if n := strings.Count(out, `"entrypoint":["/usr/local/bin/app"]`); n != 2 {
		t.Errorf("%d of 2 images have entrypoint /usr/local/bin/app:\n%s", n, out)
	}
	if err := os.Rename(filepath.Join(dir, "app-arm64"), filepath.Join(dir, "other-arm64")); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = sp(nil, "pack", "--oci-layout", lay, filepath.Join(dir, "app-amd64"), filepath.Join(dir, "other-arm64"))
	if code != 1 || !strings.Contains(stderr, "one index has one entrypoint") {
		t.Errorf("differing names: exit %d, stderr %q", code, stderr)
	}
}
