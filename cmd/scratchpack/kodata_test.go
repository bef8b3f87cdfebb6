package main

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// koModule writes a module example.com/app with a main package at
// cmd/app whose kodata holds a file, a subdirectory, an empty directory,
// a link to a file and a link to a directory elsewhere in the module.
func koModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/app\n\ngo 1.21\n")
	write("cmd/app/main.go", "package main\n\nimport \"os\"\n\nfunc main() { b, _ := os.ReadFile(os.Getenv(\"KO_DATA_PATH\") + \"/kenobi\"); os.Stdout.Write(b) }\n")
	write("cmd/app/kodata/kenobi", "Hello there\n")
	write("cmd/app/kodata/sub/file.txt", "in sub\n")
	write("shared/migrations/001.sql", "create table t;\n")
	write("LICENSE", "license text\n")
	for _, err := range []error{
		os.Mkdir(filepath.Join(dir, "cmd/app/kodata/empty"), 0o755),
		os.Symlink("../../../LICENSE", filepath.Join(dir, "cmd/app/kodata/LICENSE")),
		os.Symlink("../../../shared/migrations", filepath.Join(dir, "cmd/app/kodata/migrations")),
		os.Mkdir(filepath.Join(dir, ".git"), 0o755), // the checkout bounds where links may point
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// layoutFiles returns the regular files (with content and mode) and the
// directories of the one image in a layout, and its config.
func layoutFiles(t *testing.T, lay string) (map[string]string, map[string]int64, *v1.ConfigFile) {
	t.Helper()
	lp, err := layout.FromPath(lay)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := lp.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var images []v1.Descriptor // the image, not its SBOM
	for _, m := range im.Manifests {
		if n := m.Annotations["org.opencontainers.image.ref.name"]; n != "" && !strings.Contains(n, ":sha256-") {
			images = append(images, m)
		}
	}
	if len(images) != 1 {
		t.Fatalf("layout: %d named images in %+v", len(images), im.Manifests)
	}
	d := images[0]
	if d.MediaType.IsIndex() { // one platform's index
		if idx, err = idx.ImageIndex(d.Digest); err != nil {
			t.Fatal(err)
		}
		if im, err = idx.IndexManifest(); err != nil || len(im.Manifests) != 1 {
			t.Fatalf("index: %v, %d manifests", err, len(im.Manifests))
		}
		d = im.Manifests[0]
	}
	img, err := idx.Image(d.Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	files, modes := map[string]string{}, map[string]int64{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		name := "/" + strings.TrimPrefix(strings.TrimSuffix(h.Name, "/"), "/")
		modes[name] = h.Mode
		if h.Typeflag == tar.TypeReg {
			b, _ := io.ReadAll(tr)
			files[name] = string(b)
		}
	}
	return files, modes, cf
}

// TestBuildKodata builds a package with kodata as ko ships it: every file
// at /var/run/ko with links followed, KO_DATA_PATH set, the binary at
// /ko-app/NAME on the PATH, and each kodata file in -v and the SBOM.
func TestBuildKodata(t *testing.T) {
	t.Parallel() // its runs work in a directory: each in a process of its own (see spIn)
	mod := koModule(t)
	lay, sboms := filepath.Join(t.TempDir(), "layout"), t.TempDir()
	_, stderr, code := spIn(mod, map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}, "build", "-v", "--push=false", "--sbom-dir", sboms, "--oci-layout-path", lay, "./cmd/app")
	if code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	files, modes, cf := layoutFiles(t, lay)
	want := map[string]string{
		"/var/run/ko/kenobi":             "Hello there\n",
		"/var/run/ko/sub/file.txt":       "in sub\n",
		"/var/run/ko/LICENSE":            "license text\n",
		"/var/run/ko/migrations/001.sql": "create table t;\n",
	}
	for p, body := range want {
		if files[p] != body {
			t.Errorf("%s: %q, want %q", p, files[p], body)
		}
		if modes[p]&0o777 != 0o555 {
			t.Errorf("%s: mode %o, want 555 as ko writes it", p, modes[p])
		}
		if !strings.Contains(stderr, p) {
			t.Errorf("-v does not name %s:\n%s", p, stderr)
		}
	}
	if _, ok := modes["/var/run/ko/empty"]; !ok {
		t.Errorf("the empty kodata directory is missing")
	}
	if _, ok := files["/ko-app/app"]; !ok {
		t.Errorf("no /ko-app/app; files: %v", keys(files))
	}
	if strings.Join(cf.Config.Entrypoint, " ") != "/ko-app/app" {
		t.Errorf("entrypoint %q, want /ko-app/app", cf.Config.Entrypoint)
	}
	env := strings.Join(cf.Config.Env, "\n")
	if !strings.Contains(env, "KO_DATA_PATH=/var/run/ko") || !strings.Contains("\n"+env+"\n", "\nPATH=/usr/local/bin:/usr/bin:/bin:/ko-app\n") {
		t.Errorf("env %q, want KO_DATA_PATH=/var/run/ko and a PATH ending in /ko-app", cf.Config.Env)
	}
	ents, _ := os.ReadDir(sboms)
	if len(ents) == 0 {
		t.Fatal("no SBOM written")
	}
	b, err := os.ReadFile(filepath.Join(sboms, ents[0].Name()))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Files []struct{ FileName string }
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, f := range doc.Files {
		listed = append(listed, "/"+strings.TrimPrefix(strings.TrimPrefix(f.FileName, "."), "/"))
	}
	for p := range want {
		found := false
		for _, l := range listed {
			found = found || l == p
		}
		if !found {
			t.Errorf("the SBOM does not list %s: %v", p, listed)
		}
	}
}

// TestBuildKodataRefusesEscapingLink refuses a kodata link that leaves
// the checkout, naming the link and the way out, and writes nothing.
func TestBuildKodataRefusesEscapingLink(t *testing.T) {
	t.Parallel() // its runs work in a directory: each in a process of its own (see spIn)
	mod := koModule(t)
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(mod, "cmd/app/kodata/leak")); err != nil {
		t.Fatal(err)
	}
	lay := filepath.Join(t.TempDir(), "layout")
	_, stderr, code := spIn(mod, nil, "build", "--push=false", "--oci-layout-path", lay, "./cmd/app")
	if code == 0 || !strings.Contains(stderr, "kodata/leak") || !strings.Contains(stderr, "KO_DATA_PATH_ALLOWED_ROOT") {
		t.Errorf("exit %d, stderr %q; want a failure naming the link and KO_DATA_PATH_ALLOWED_ROOT", code, stderr)
	}
	if _, err := os.Stat(lay); err == nil {
		t.Errorf("a layout was written")
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
