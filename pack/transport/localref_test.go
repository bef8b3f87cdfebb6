package transport

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/scratchpack/scratchpack/pack/imageref"
)

// TestLocalReferencesStayLocal: a reference written as a path, as a
// tarball's name, or as oci:DIR, that names nothing is said to be
// missing, with no registry asked (a lookup would say "dial tcp" or
// suggest docker.io); oci:DIR[:NAME] and DIR@DIGEST open a layout's
// image as DIR[:NAME] does.
func TestLocalReferencesStayLocal(t *testing.T) {
	dir := t.TempDir()
	for _, src := range []string{"./nothere.tar", "../nothere", "/nothere/x.tar", "~/x.tar", "nothere.tar", "oci:" + filepath.Join(dir, "none"), "oci:./nothere:app:1"} {
		r, err := imageref.Parse(src)
		if err == nil {
			_, err = Open(t.Context(), r, Options{})
		}
		if err == nil || !strings.Contains(err.Error(), "no such file or directory") || strings.Contains(err.Error(), "dial") || strings.Contains(err.Error(), "docker.io") {
			t.Errorf("Open(%s) = %v; want it named as missing, locally", src, err)
		}
	}
	lp := filepath.Join(dir, "layout")
	p, err := layout.Write(lp, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(empty.Image, layout.WithAnnotations(map[string]string{AnnotationRefName: "app:1"})); err != nil {
		t.Fatal(err)
	}
	d, err := empty.Image.Digest()
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []string{lp + ":app:1", "oci:" + lp + ":app:1", "oci:" + lp, lp, lp + ":1", lp + "@" + d.String(), "oci:" + lp + "@" + d.String()} {
		a, err := Open(t.Context(), parseRef(t, src), Options{})
		if err != nil {
			t.Errorf("Open(%s): %v", src, err)
			continue
		}
		if got, err := a.Digest(); err != nil || got != d {
			t.Errorf("Open(%s) = %v (%v), want %v", src, got, err, d)
		}
	}
}
