package transport

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// TestLocalReferencesStayLocal: a reference written as a path, or as
// oci:DIR, that names nothing is said to be missing, with no registry
// asked (a lookup would say "dial tcp"); oci:DIR[:NAME] opens a layout
// as DIR[:NAME] does.
func TestLocalReferencesStayLocal(t *testing.T) {
	dir := t.TempDir()
	for _, src := range []string{"./nothere.tar", "../nothere", "/nothere/x.tar", "~/x.tar", ".", "oci:" + filepath.Join(dir, "none"), "oci:./nothere:app:1"} {
		_, err := Open(t.Context(), src, Options{})
		if err == nil || strings.Contains(err.Error(), "dial") || strings.Contains(err.Error(), "docker.io") {
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
	for _, src := range []string{lp + ":app:1", "oci:" + lp + ":app:1", "oci:" + lp} {
		if _, err := Open(t.Context(), src, Options{}); err != nil {
			t.Errorf("Open(%s): %v", src, err)
		}
	}
}
