package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/scratchpack/scratchpack/pack/transport"
)

// TestCountsInEnglish: one library is "1 library" in pack's note and in
// verify's report, and one problem is "1 problem"; never "1 libraries".
func TestCountsInEnglish(t *testing.T) {
	t.Parallel()
	lay := filepath.Join(t.TempDir(), "layout")
	_, stderr, code := sp(nil, "pack", "-t", "one:1", "--sysroot", fakeGlibcRoot(t), "--oci-layout", lay, "../../testdata/elf/glibc-dynamic")
	if code != 0 || !strings.Contains(stderr, "dynamic linux/amd64, 1 library, at ") {
		t.Fatalf("pack: exit %d, stderr %q; want a note of 1 library", code, stderr)
	}
	out, stderr, code := sp(nil, "verify", lay+":one:1")
	if code != 0 || !strings.Contains(out, ", dynamic, 1 library\n") {
		t.Errorf("verify: exit %d, stdout %q, stderr %q; want 1 library", code, out, stderr)
	}
	art, err := openRef(t, lay+":one:1")
	if err != nil {
		t.Fatal(err)
	}
	good := art.(v1.Image)
	cf, _ := good.ConfigFile()
	cf = cf.DeepCopy()
	cf.Config.User = "www-data"
	stranger, err := mutate.ConfigFile(good, cf)
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag("stranger:1")
	if err := transport.WriteLayout(t.Context(), lay, stranger, []name.Tag{tag}); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = sp(nil, "verify", lay+":stranger:1")
	if code != 1 || !strings.Contains(stderr, ": 1 problem; it would not run") {
		t.Errorf("verify of one problem: exit %d, stderr %q", code, stderr)
	}
	for _, s := range []string{stderr, out} {
		if strings.Contains(s, "1 libraries") || strings.Contains(s, "1 problems") {
			t.Errorf("a count of one in the plural: %q", s)
		}
	}
}
