package imageref

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestParse: every form parses to its kind and parts, in a directory
// that holds a layout (lay), a tarball (app.tar), a plain directory
// (plain) and a FIFO; what names nothing local is an error naming it as
// missing, and what is left is a registry name.
func TestParse(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Mkdir("lay", 0o755))
	must(os.WriteFile("lay/oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644))
	must(os.WriteFile("app.tar", []byte("x"), 0o644))
	must(os.Mkdir("plain", 0o755))
	must(syscall.Mkfifo("fifo", 0o644))
	abs := filepath.Join(dir, "lay")
	digest := "sha256:" + strings.Repeat("ab", 32)

	type want struct {
		kind                Kind
		path, entry, digest string
		name                string // Name().Name(), the full name
		hosted              bool
	}
	for _, c := range []struct {
		in   string
		want want
	}{
		{"oci:lay", want{kind: Layout, path: "lay"}},
		{"oci:lay:app:1.2", want{kind: Layout, path: "lay", entry: "app:1.2"}},
		{"oci:lay:localhost:5000/app:1.2", want{kind: Layout, path: "lay", entry: "localhost:5000/app:1.2"}},
		{"oci:lay@" + digest, want{kind: Layout, path: "lay", digest: digest}},
		{"oci:" + abs + ":1.2", want{kind: Layout, path: abs, entry: "1.2"}},
		{"lay", want{kind: Layout, path: "lay"}},
		{"./lay", want{kind: Layout, path: "./lay"}},
		{"lay:app:1.2", want{kind: Layout, path: "lay", entry: "app:1.2"}},
		{abs + ":1.2", want{kind: Layout, path: abs, entry: "1.2"}},
		{"lay@" + digest, want{kind: Layout, path: "lay", digest: digest}},
		{"app.tar", want{kind: Archive, path: "app.tar"}},
		{"./app.tar", want{kind: Archive, path: "./app.tar"}},
		{"docker-archive:app.tar", want{kind: Archive, path: "app.tar"}},
		{"oci-archive:app.tar", want{kind: Archive, path: "app.tar"}},
		{"oci-archive:app.tar:app:1.2", want{kind: Archive, path: "app.tar", entry: "app:1.2"}},
		{"docker-archive:./app.tar:app:1", want{kind: Archive, path: "./app.tar", entry: "app:1"}},
		{"docker://app:dev", want{kind: Daemon, name: "index.docker.io/library/app:dev"}},
		{"docker-daemon:app:dev", want{kind: Daemon, name: "index.docker.io/library/app:dev"}},
		{"docker://ghcr.io/me/app:1", want{kind: Daemon, name: "ghcr.io/me/app:1", hosted: true}},
		{"debian:12", want{kind: Registry, name: "index.docker.io/library/debian:12"}},
		{"docker.io/library/debian:12", want{kind: Registry, name: "index.docker.io/library/debian:12", hosted: true}},
		{"localhost:5000/app:1", want{kind: Registry, name: "localhost:5000/app:1", hosted: true}},
		{"localhost/app", want{kind: Registry, name: "localhost/app:latest", hosted: true}},
		{"ghcr.io/me/app@" + digest, want{kind: Registry, name: "ghcr.io/me/app@" + digest, hosted: true}},
		{"ghcr.io/me/app.tar", want{kind: Registry, name: "ghcr.io/me/app.tar:latest", hosted: true}}, // a host: a registry's, whatever its ending
		{"layx:1", want{kind: Registry, name: "index.docker.io/library/layx:1"}},                      // no layout there
	} {
		r, err := Parse(c.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.in, err)
			continue
		}
		got := want{kind: r.Kind(), path: r.Path(), entry: r.Entry(), hosted: r.NamesRegistry()}
		if (r.Digest() != v1.Hash{}) {
			got.digest = r.Digest().String()
		}
		if r.Name() != nil {
			got.name = r.Name().Name()
		}
		if got != c.want || r.String() != c.in || r.IsZero() {
			t.Errorf("Parse(%q) = %+v (%q); want %+v", c.in, got, r.String(), c.want)
		}
	}

	// Errors: each names what is missing or wrong, on one line, and no
	// local-looking reference is taken for a registry name.
	for _, c := range []struct{ in, want string }{
		{"", "no image named"},
		{"./nothere.tar", "./nothere.tar: no such file or directory"},
		{"/tmp/nothere-" + t.Name() + ".tar", "nothere-TestParse.tar: no such file or directory"},
		{"../nothere", "../nothere: no such file or directory"},
		{"~/x.tar", "~/x.tar: no such file or directory"},
		{"nothere.tar", "nothere.tar: no such file or directory"},
		{"nothere.TGZ", "nothere.TGZ: no such file or directory"},
		{"nothere.tar.gz", "nothere.tar.gz: no such file or directory"},
		{"./nothere:app:1", "./nothere:app:1: ./nothere: no such file or directory"},
		{"oci:nodir", "oci:nodir: nodir: no such file or directory"},
		{"oci:nodir:app:1", "oci:nodir:app:1: nodir: no such file or directory"},
		{"oci:" + abs + "/nothere", "no such file or directory"},
		{"oci:plain", "plain is not an OCI layout (it has no oci-layout file)"},
		{"oci:plain:app", "plain is not an OCI layout"},
		{"oci:app.tar", "is a file, not an OCI layout's directory"},
		{"plain", "plain is a directory but not an OCI layout"},
		{"fifo", "fifo is a named pipe, not a tarball or an OCI layout"},
		{"docker-archive:nothere.tar", "docker-archive:nothere.tar: nothere.tar: no such file or directory"},
		{"oci-archive:nothere.tar:app:1", "oci-archive:nothere.tar:app:1: nothere.tar: no such file or directory"},
		{"oci-archive:plain", "not a regular file"},
		{"lay:", "no name after the colon"},
		{"lay@sha256:abc", "is not a digest"},
		{"docker://UPPER", "not an image name"},
		{"Not A Name", "not an image reference"},
	} {
		_, err := Parse(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Parse(%q) = %v; want an error of one line with %q", c.in, err, c.want)
		}
	}
}

// TestZero: the zero Reference is none, and says so.
func TestZero(t *testing.T) {
	var r Reference
	if !r.IsZero() || r.Kind().String() != "no image" || r.Name() != nil {
		t.Errorf("zero Reference: IsZero %v, Kind %v, Name %v", r.IsZero(), r.Kind(), r.Name())
	}
}

// TestWithTag: a layout's and a registry's references have tags beside
// them, in the same layout or repository; a tarball's and the daemon's
// have none.
func TestWithTag(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.tar"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ in, want string }{
		{"oci:" + dir + ":app:1", dir + ":sha256-x.sbom"},
		{"localhost:5000/me/app:1", "localhost:5000/me/app:sha256-x.sbom"},
		{"ghcr.io/me/app@sha256:" + strings.Repeat("0", 64), "ghcr.io/me/app:sha256-x.sbom"},
	} {
		r, err := Parse(c.in)
		if err != nil {
			t.Fatal(err)
		}
		w, err := r.WithTag("sha256-x.sbom")
		if err != nil || w.String() != c.want || w.Kind() != r.Kind() {
			t.Errorf("Parse(%q).WithTag = %q (%v), %v; want %q", c.in, w, w.Kind(), err, c.want)
		}
		if w.Kind() == Layout && (w.Entry() != "sha256-x.sbom" || w.Path() != dir) {
			t.Errorf("layout tag %q: entry %q in %q", w, w.Entry(), w.Path())
		}
	}
	for _, in := range []string{filepath.Join(dir, "app.tar"), "docker://app:1"} {
		r, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if w, err := r.WithTag("x"); err == nil {
			t.Errorf("Parse(%q).WithTag = %v, want an error", in, w)
		}
	}
}
