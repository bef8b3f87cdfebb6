package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scratchpack/scratchpack/internal/testtool"
)

// spdx is what the tests read of an SPDX document.
type spdx struct {
	Packages []struct {
		SPDXID, Name, VersionInfo string
		ExternalRefs              []struct{ ReferenceLocator string }
	}
	Files []struct {
		FileName  string
		Checksums []struct{ Algorithm, ChecksumValue string }
	}
}

// packSBOM packs bin into a new layout with args and returns the SBOM
// written to --sbom-dir, after checking that sbom prints the same
// document from the layout, and the layout.
func packSBOM(t *testing.T, bin string, args ...string) (doc []byte, layout string) {
	t.Helper()
	dir := t.TempDir()
	lay, sbomDir := filepath.Join(dir, "layout"), filepath.Join(dir, "sbom")
	args = append(append([]string{"pack", "-q", "-t", "app:1", "--oci-layout", lay, "--sbom-dir", sbomDir}, args...), bin)
	if _, stderr, code := sp(map[string]string{"SOURCE_DATE_EPOCH": "1700000000"}, args...); code != 0 {
		t.Fatalf("pack: exit %d: %s", code, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(sbomDir, "*"))
	if len(files) != 1 || !strings.HasSuffix(files[0], "app-linux-amd64.spdx.json") {
		t.Fatalf("--sbom-dir holds %v, want app-linux-amd64.spdx.json", files)
	}
	doc, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	printed, stderr, code := sp(nil, "sbom", lay+":app:1")
	if code != 0 || printed != string(doc) {
		t.Errorf("sbom %s: exit %d, %s; printed a different document", lay, code, stderr)
	}
	if err := testtool.ValidateSPDX(t, doc); err != nil {
		t.Errorf("not valid SPDX 2.3: %v", err)
	}
	return doc, lay
}

// TestSBOMOfDebianCurl packs the host's curl: the SBOM names the Debian
// packages of its libraries with the versions dpkg-query prints, and the
// sha256 of each library shipped; two packs give the same bytes;
// --dpkg-status puts the packages where scanners look.
func TestSBOMOfDebianCurl(t *testing.T) {
	t.Parallel()
	testtool.Need(t, "curl", "dpkg-query")
	doc, lay := packSBOM(t, "/usr/bin/curl", "--dpkg-status")
	var d spdx
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	versions := map[string]string{}
	for _, p := range d.Packages {
		versions[p.Name] = p.VersionInfo
	}
	for _, pkg := range []string{"curl", "libcurl4", "libssl3", "libc6", "zlib1g", "libnghttp2-14"} {
		want, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", pkg).Output()
		if err != nil {
			t.Fatalf("dpkg-query %s: %v", pkg, err)
		}
		if versions[pkg] != string(want) {
			t.Errorf("%s: version %q in the SBOM, dpkg-query says %q", pkg, versions[pkg], want)
		}
	}
	libs := 0
	for _, f := range d.Files {
		if !strings.Contains(f.FileName, "/lib/") || !strings.Contains(f.FileName, ".so") {
			continue
		}
		libs++
		b, err := os.ReadFile(strings.TrimPrefix(f.FileName, ".")) // the host's file, at the same path
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if i := slices.IndexFunc(f.Checksums, func(c struct{ Algorithm, ChecksumValue string }) bool { return c.Algorithm == "SHA256" }); i < 0 || f.Checksums[i].ChecksumValue != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: checksums %v, want sha256 %x", f.FileName, f.Checksums, sum)
		}
	}
	if libs < 10 {
		t.Errorf("%d libraries in the SBOM; curl needs more", libs)
	}
	if again, _ := packSBOM(t, "/usr/bin/curl", "--dpkg-status"); !bytes.Equal(doc, again) {
		t.Error("two packs of the same inputs gave different SBOMs")
	}
	_, _, files := layoutListing(t, lay)
	for _, want := range []string{"-rw-r--r-- /var/lib/dpkg/status.d/libcurl4", "-rw-r--r-- /var/lib/dpkg/status.d/libcurl4.md5sums", "-rw-r--r-- /etc/os-release"} {
		if !slices.Contains(files, want) {
			t.Errorf("--dpkg-status: no %s in\n%s", want, strings.Join(files, "\n"))
		}
	}
}

// TestSBOMOfGoProgram packs a Go program with dependencies (scratchpack
// itself): the SBOM's Go modules are those go version -m lists, and the
// standard library is a package stdlib at the Go version it prints, with
// the purl Syft and Trivy write.
func TestSBOMOfGoProgram(t *testing.T) {
	t.Parallel()
	bin := testtool.GoBuild(t, "../scratchpack", "amd64", []string{"-trimpath"})
	var d spdx
	doc, _ := packSBOM(t, bin)
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	var got, want []string
	var stdlib []string
	for _, p := range d.Packages {
		switch {
		case p.Name == "stdlib":
			stdlib = append(stdlib, p.VersionInfo)
			for _, r := range p.ExternalRefs {
				stdlib = append(stdlib, r.ReferenceLocator)
			}
		case strings.HasPrefix(p.SPDXID, "SPDXRef-Go-"):
			got = append(got, p.Name+"@"+p.VersionInfo)
		}
	}
	out, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	first := strings.Fields(strings.SplitN(string(out), "\n", 2)[0]) // BIN: go1.26.8
	if v := first[len(first)-1]; !slices.Equal(stdlib, []string{v, "pkg:golang/stdlib@" + strings.TrimPrefix(v, "go")}) {
		t.Errorf("stdlib in the SBOM: %v; go version -m says %s", stdlib, v)
	}
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) >= 3 && f[0] == "dep":
			want = append(want, f[1]+"@"+f[2])
		case len(f) >= 3 && f[0] == "=>": // a replacement stands for the dep before it
			want[len(want)-1] = f[1] + "@" + f[2]
		}
	}
	if len(want) < 3 || !slices.Equal(got, want) {
		t.Errorf("Go modules in the SBOM:\n%s\ngo version -m:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
