package main

import (
	"archive/tar"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// layerOf packs bin into a new layout with args and returns the regular
// files of its image's layer, by path, and the SBOM written to
// --sbom-dir.
func layerOf(t *testing.T, bin string, args ...string) (map[string][]byte, []byte) {
	t.Helper()
	dir := t.TempDir()
	lay, sbomDir := filepath.Join(dir, "layout"), filepath.Join(dir, "sbom")
	args = append(append([]string{"pack", "-q", "-t", "app:1", "--oci-layout", lay, "--sbom-dir", sbomDir}, args...), bin)
	if _, stderr, code := sp(nil, args...); code != 0 {
		t.Fatalf("pack: exit %d: %s", code, stderr)
	}
	docs, _ := filepath.Glob(filepath.Join(sbomDir, "*"))
	if len(docs) != 1 {
		t.Fatalf("--sbom-dir holds %v", docs)
	}
	doc, err := os.ReadFile(docs[0])
	if err != nil {
		t.Fatal(err)
	}
	idx, err := layout.ImageIndexFromPath(lay)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("layers %d: %v", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			files["/"+strings.TrimPrefix(h.Name, "./")] = b
		}
	}
	return files, doc
}

// TestDpkgStatusAgreesWithTheImage packs the host's curl, moved with
// --path to /usr/local/bin, with --dpkg-status: every md5sums line of status.d
// names a file the image has, with that file's md5 (so curl's names
// /usr/local/bin/curl, where a scanner finds the program, and no package
// claims a path the image lacks); every package of the shipped files is
// there at dpkg-query's version; /etc/debian_version is the host's, and
// base-files, which owns it, is in status.d and the SBOM.
func TestDpkgStatusAgreesWithTheImage(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "curl", "dpkg-query")
	files, doc := layerOf(t, "/usr/bin/curl", "--dpkg-status", "--path", "/usr/local/bin/curl")
	if _, ok := files["/usr/local/bin/curl"]; !ok {
		t.Fatal("curl is not at /usr/local/bin/curl; this test needs it moved")
	}
	host, err := os.ReadFile("/etc/debian_version")
	if err != nil {
		t.Fatal(err)
	}
	if string(files["/etc/debian_version"]) != string(host) {
		t.Errorf("/etc/debian_version %q, the host's is %q", files["/etc/debian_version"], host)
	}
	claimed := map[string]bool{}
	pkgs := map[string]string{}
	for p, b := range files {
		name, ok := strings.CutPrefix(p, "/var/lib/dpkg/status.d/")
		if !ok {
			continue
		}
		if name, ok := strings.CutSuffix(name, ".md5sums"); ok {
			for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
				sum, file, _ := strings.Cut(l, "  ")
				got, ok := files["/"+file]
				if !ok {
					t.Errorf("%s.md5sums claims /%s, which the image lacks", name, file)
					continue
				}
				if h := md5.Sum(got); hex.EncodeToString(h[:]) != sum {
					t.Errorf("%s.md5sums: /%s has md5 %x, the line says %s", name, file, h, sum)
				}
				claimed["/"+file] = true
			}
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "Version: "); ok {
				pkgs[name] = v
			}
		}
	}
	if !claimed["/usr/local/bin/curl"] {
		t.Error("no md5sums line claims /usr/local/bin/curl: a scanner reports the program as an unpackaged binary")
	}
	// dpkg-query asked once for every file (a dpkg-query per file took
	// most of a minute for an image with its data): it prints "pkg: path"
	// for each path some package lists, and the others on stderr.
	var ask []string
	for p := range files {
		if strings.HasPrefix(p, "/var/lib/dpkg/") {
			continue
		}
		src := p
		if p == "/usr/local/bin/curl" {
			src = "/usr/bin/curl"
		}
		ask = append(ask, src)
		if rest, ok := strings.CutPrefix(src, "/usr"); ok { // dpkg lists /lib/..., merged into /usr/lib
			ask = append(ask, rest)
		}
	}
	out, _ := exec.Command("dpkg-query", append([]string{"-S"}, ask...)...).Output() // exit 1: some path is nobody's
	owners := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkgs, _, ok := strings.Cut(l, ": ")
		if !ok || strings.HasPrefix(l, "diversion ") {
			continue
		}
		if strings.Contains(pkgs, ",") { // a diversion's or a shared directory's
			continue
		}
		pkg, _, _ := strings.Cut(pkgs, ":")
		owners[pkg] = true
	}
	want := map[string]string{}
	for pkg := range owners {
		v, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", pkg).Output()
		if err != nil {
			t.Fatal(err)
		}
		want[pkg] = string(v)
	}
	if want["base-files"] == "" || want["libcurl4"] == "" {
		t.Fatalf("dpkg-query names no base-files or libcurl4 for the image's files: %v", want)
	}
	for pkg, v := range want {
		if pkgs[pkg] != v {
			t.Errorf("%s: status.d version %q, dpkg-query %q", pkg, pkgs[pkg], v)
		}
	}
	for pkg := range pkgs {
		if want[pkg] == "" {
			t.Errorf("status.d has %s, which owns none of the image's files", pkg)
		}
	}
	var d spdx
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	inSBOM := map[string]string{}
	for _, p := range d.Packages {
		inSBOM[p.Name] = p.VersionInfo
	}
	for pkg, v := range want {
		if inSBOM[pkg] != v {
			t.Errorf("%s: SBOM version %q, dpkg-query %q", pkg, inSBOM[pkg], v)
		}
	}
}

// TestCycloneDXOfDebianCurlIsValid packs the host's curl with a
// CycloneDX SBOM: the document validates against the official CycloneDX
// 1.5 and 1.6 JSON schemas, and names the operating system debian at
// the host's VERSION_ID.
func TestCycloneDXOfDebianCurlIsValid(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "curl", "dpkg-query")
	_, doc := layerOf(t, "/usr/bin/curl", "--sbom", "cyclonedx")
	for _, v := range []string{"1.5", "1.6"} {
		if err := testtool.ValidateCycloneDX(t, doc, v); err != nil {
			t.Errorf("not valid CycloneDX %s: %v", v, err)
		}
	}
	var bom struct {
		Components []struct{ Type, Name, Version string }
	}
	if err := json.Unmarshal(doc, &bom); err != nil {
		t.Fatal(err)
	}
	rel, err := os.ReadFile("/etc/os-release")
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, l := range strings.Split(string(rel), "\n") {
		if v, ok := strings.CutPrefix(l, "VERSION_ID="); ok {
			want = strings.Trim(v, `"`)
		}
	}
	var systems []string
	for _, c := range bom.Components {
		if c.Type == "operating-system" {
			systems = append(systems, c.Name+" "+c.Version)
		}
	}
	if len(systems) != 1 || systems[0] != "debian "+want {
		t.Errorf("operating systems %v, want debian %s", systems, want)
	}
}
