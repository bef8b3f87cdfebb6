package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// trivyResult is what Trivy's JSON says of a target: the distribution,
// the OS packages by name (EPOCH:VERSION-RELEASE, as dpkg writes it), and
// each advisory matched, as "PACKAGE ID"; and the same of language
// packages (Go modules and stdlib).
type trivyResult struct {
	os                   string
	pkgs, langPkgs       map[string]string
	matches, langMatches []string
}

// trivy runs the pinned Trivy that setup.sh built, offline, against the
// database in cache, and returns what it found.
func trivy(t *testing.T, cache string, args ...string) trivyResult {
	t.Helper()
	bin := h.env["TRIVY"]
	if bin == "" {
		t.Fatal("setup.sh gave no TRIVY")
	}
	args = append(args, "--cache-dir", cache, "--skip-db-update", "--skip-java-db-update", "--offline-scan",
		"--scanners", "vuln", "--list-all-pkgs", "--format", "json", "--quiet")
	out := must(t, []string{"TRIVY_NO_PROGRESS=true", "TRIVY_DISABLE_TELEMETRY=true"}, bin, args...)
	var d struct {
		Metadata struct{ OS struct{ Family, Name string } }
		Results  []struct {
			Class    string
			Packages []struct {
				Name, Version, Release string
				Epoch                  int
			}
			Vulnerabilities []struct{ VulnerabilityID, PkgName string }
		}
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("trivy %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	r := trivyResult{os: d.Metadata.OS.Family + " " + d.Metadata.OS.Name, pkgs: map[string]string{}, langPkgs: map[string]string{}}
	for _, res := range d.Results {
		if res.Class == "lang-pkgs" {
			for _, p := range res.Packages {
				r.langPkgs[p.Name] = p.Version
			}
			for _, v := range res.Vulnerabilities {
				r.langMatches = append(r.langMatches, v.PkgName+" "+v.VulnerabilityID)
			}
			continue
		}
		if res.Class != "os-pkgs" {
			continue
		}
		for _, p := range res.Packages {
			v := p.Version
			if p.Release != "" {
				v += "-" + p.Release
			}
			if p.Epoch != 0 {
				v = fmt.Sprintf("%d:%s", p.Epoch, v)
			}
			r.pkgs[p.Name] = v
		}
		for _, v := range res.Vulnerabilities {
			r.matches = append(r.matches, v.PkgName+" "+v.VulnerabilityID)
		}
	}
	sort.Strings(r.matches)
	sort.Strings(r.langMatches)
	return r
}

// advisory is a made-up advisory for e2e/trivydb: against a Debian
// source package, fixed in Fixed; or (Ecosystem go) against a Go module,
// vulnerable below Fixed.
type advisory struct{ Ecosystem, Release, Source, ID, Fixed string }

// trivyDB writes, with trivy-db's API (the trivydb program beside this
// file), a database into cache/db of extra and made-up Debian 12 advisories for
// the source packages of pkgs (binary package => version, read from the
// root with dpkg's options): for each source, one fixed in a later
// version, which applies, and one fixed in 0.0-0, which does not; and one
// for a source no package here has. It returns the matches Trivy must
// report: each binary package with the advisory of its source that
// applies.
func trivyDB(t *testing.T, cache string, pkgs map[string]string, extra []advisory, dpkg ...string) []string {
	t.Helper()
	advs := extra
	var want []string
	ids := map[string]int{}
	for pkg := range pkgs {
		out := must(t, nil, "dpkg-query", append(dpkg, "-W", "-f", "${source:Package} ${source:Version}", pkg)...)
		src, ver, _ := strings.Cut(out, " ")
		if _, ok := ids[src]; !ok {
			ids[src] = len(ids) + 1
			n := ids[src]
			advs = append(advs,
				advisory{"", "12", src, fmt.Sprintf("CVE-2099-%04d1", n), ver + "+scratchpack1"},
				advisory{"", "12", src, fmt.Sprintf("CVE-2099-%04d2", n), "0.0-0"})
		}
		want = append(want, fmt.Sprintf("%s CVE-2099-%04d1", pkg, ids[src]))
	}
	advs = append(advs, advisory{"", "12", "no-such-source-scratchpack", "CVE-2099-99999", "9.9-9"})
	b, err := json.Marshal(advs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(trivydbBinary(t), filepath.Join(cache, "db"))
	cmd.Stdin = strings.NewReader(string(b))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("trivydb: %v\n%s", err, out)
	}
	sort.Strings(want)
	return want
}

// trivydb is the trivydb program, built once for all the tests that
// write a database (it was a go run, a build and a link, for each).
var trivydb struct {
	once sync.Once
	bin  string
	err  error
}

// trivydbBinary builds e2e/trivydb into the harness's directory the
// first time it is called, and returns its path.
func trivydbBinary(t *testing.T) string {
	t.Helper()
	trivydb.once.Do(func() {
		bin := filepath.Join(h.work, "trivydb")
		cmd := exec.Command("go", "build", "-o", bin, ".")
		cmd.Dir = "trivydb"
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			trivydb.err = fmt.Errorf("building e2e/trivydb: %v\n%s", err, out)
			return
		}
		trivydb.bin = bin
	})
	if trivydb.err != nil {
		t.Fatal(trivydb.err)
	}
	return trivydb.bin
}

// trivyWant is what Trivy must find on every target of a test.
type trivyWant struct {
	os      string            // the distribution, a prefix ("debian 12"); "" to leave it unchecked
	pkgs    map[string]string // the OS packages, as dpkg-query names them
	matches []string          // the OS advisories that apply, as trivyDB returns them
}

// trivyScans runs Trivy, offline against the database in cache, on each
// target (the arguments after "trivy"), checks the distribution, the OS
// packages and the advisories matched against want, and returns the
// results in the targets' order, for a test's further checks.
func trivyScans(t *testing.T, cache string, want trivyWant, targets ...[]string) []trivyResult {
	t.Helper()
	var rs []trivyResult
	for _, target := range targets {
		r := trivy(t, cache, target...)
		name := strings.Join(target, " ")
		if !strings.HasPrefix(r.os, want.os) {
			t.Errorf("trivy %s: OS %q, want %s", name, r.os, want.os)
		}
		if d := diff(r.pkgs, want.pkgs); len(d) > 0 {
			t.Errorf("trivy %s, packages against dpkg-query:\n%s", name, strings.Join(d, "\n"))
		}
		if strings.Join(r.matches, "\n") != strings.Join(want.matches, "\n") {
			t.Errorf("trivy %s matched:\n%s\nwant:\n%s", name, strings.Join(r.matches, "\n"), strings.Join(want.matches, "\n"))
		}
		rs = append(rs, r)
	}
	return rs
}

// sbomDocs returns the two documents, SPDX and CycloneDX, that a test's
// two packs wrote to dir with --sbom-dir.
func sbomDocs(t *testing.T, dir string) []string {
	t.Helper()
	docs, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(docs) != 2 {
		t.Fatalf("--sbom-dir holds %v, want an SPDX and a CycloneDX document", docs)
	}
	return docs
}

// goBuildInfo is what go version -m prints of a binary: its Go version
// (without "go"), its main module's path, and each dependency's version,
// a replacement standing for the dependency before it.
type goBuildInfo struct {
	goVersion, main string
	deps            map[string]string
}

func goVersionM(t *testing.T, bin string) goBuildInfo {
	t.Helper()
	out := must(t, nil, "go", "version", "-m", bin)
	info := goBuildInfo{deps: map[string]string{}}
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) == 2 && strings.HasSuffix(f[0], ":"): // BIN: go1.26.8
			info.goVersion = strings.TrimPrefix(f[1], "go")
		case len(f) >= 3 && f[0] == "mod":
			info.main = f[1]
		case len(f) >= 3 && (f[0] == "dep" || f[0] == "=>"):
			info.deps[f[1]] = f[2]
		}
	}
	if info.goVersion == "" || len(info.deps) < 4 {
		t.Fatalf("go version -m %s:\n%s", bin, out)
	}
	return info
}

// TestTrivyScansDebianCurl packs the host's Debian curl with --dpkg-status
// as a tarball, an OCI layout with its SBOM, and to the registry, with an
// SPDX and a CycloneDX document. Trivy, offline against a database of
// made-up advisories for the shipped packages' sources, finds on each
// target (the tarball, the layout, the pushed image, both documents, and
// the pushed image's SBOM through --sbom-sources oci) Debian 12, exactly
// the packages dpkg-query names for the image's files at its versions,
// and exactly the advisories that apply: none fixed before the installed
// version, none for a source the image lacks.
func TestTrivyScansDebianCurl(t *testing.T) {
	need(t)
	dir := t.TempDir()
	tarball, lay, sbomDir := filepath.Join(dir, "curl.tar"), filepath.Join(dir, "layout"), filepath.Join(dir, "sbom")
	ref := h.registry + "/trivy/curl:1"
	scratchpack(t, "pack", "-q", "--dpkg-status", "-t", ref, "-o", tarball, "--oci-layout", lay, "--sbom-dir", sbomDir, "--push", "/usr/bin/curl")
	scratchpack(t, "pack", "-q", "--dpkg-status", "--sbom", "cyclonedx", "-t", "curl:1", "--oci-layout", filepath.Join(dir, "layout-cdx"), "--sbom-dir", sbomDir, "/usr/bin/curl")
	want := dpkgOwners(t, imageFiles(t, lay), nil)
	if want["libcurl4"] == "" || want["base-files"] == "" {
		t.Fatalf("dpkg-query names no libcurl4 or base-files for the image's files")
	}
	cache := filepath.Join(dir, "trivy")
	matches := trivyDB(t, cache, want, nil)
	docs := sbomDocs(t, sbomDir)
	trivyScans(t, cache, trivyWant{"debian 12", want, matches},
		[]string{"image", "--input", tarball},
		[]string{"image", "--input", lay},
		[]string{"image", "--insecure", ref},
		[]string{"image", "--insecure", "--sbom-sources", "oci", "--image-src", "remote", ref},
		[]string{"sbom", docs[0]},
		[]string{"sbom", docs[1]})
}

// TestTrivyScansAGoProgram packs scratchpack itself, a cgo Go program
// linked against the host's libc, with --dpkg-status and both SBOMs.
// Trivy, offline against a database of made-up advisories (for stdlib
// and two of the program's modules, one below each's version that must
// not match and one above it that must; and for the Debian sources),
// finds on the tarball and on each document the Go modules and stdlib of
// go version -m, the Debian packages of dpkg-query, and exactly the
// advisories that apply.
func TestTrivyScansAGoProgram(t *testing.T) {
	need(t)
	info := goVersionM(t, h.bin)
	mods, goVersion := info.deps, info.goVersion
	// Two modules of plain vX.Y.Z versions, in a fixed order.
	var picked []string
	for _, m := range []string{"github.com/spf13/pflag", "golang.org/x/sync", "golang.org/x/sys", "github.com/google/go-containerregistry"} {
		if v := mods[m]; strings.Count(v, ".") == 2 && !strings.Contains(v, "-") && len(picked) < 2 {
			picked = append(picked, m)
		}
	}
	if len(picked) < 2 {
		t.Fatalf("go version -m %s gives too few plainly versioned modules: %v", h.bin, mods)
	}
	extra := []advisory{
		{"go", "", "stdlib", "GO-2099-00011", goVersion + "9"}, // 1.26.89 > 1.26.8
		{"go", "", "stdlib", "GO-2099-00012", "1.0.0"},
	}
	wantLang := []string{"stdlib GO-2099-00011"}
	for i, m := range picked {
		v := mods[m]
		dot := strings.LastIndex(v, ".")
		extra = append(extra,
			advisory{"go", "", m, fmt.Sprintf("GO-2099-%04d1", i+2), v[:dot+1] + "999"},
			advisory{"go", "", m, fmt.Sprintf("GO-2099-%04d2", i+2), "v0.0.1"})
		wantLang = append(wantLang, fmt.Sprintf("%s GO-2099-%04d1", m, i+2))
	}
	sort.Strings(wantLang)

	dir := t.TempDir()
	tarball, lay, sbomDir := filepath.Join(dir, "sp.tar"), filepath.Join(dir, "layout"), filepath.Join(dir, "sbom")
	scratchpack(t, "pack", "-q", "--dpkg-status", "-t", "sp:1", "-o", tarball, "--oci-layout", lay, "--sbom-dir", sbomDir, h.bin)
	scratchpack(t, "pack", "-q", "--dpkg-status", "--sbom", "cyclonedx", "-t", "sp:1", "--oci-layout", filepath.Join(dir, "layout-cdx"), "--sbom-dir", sbomDir, h.bin)
	debs := dpkgOwners(t, imageFiles(t, lay), nil)
	if debs["libc6"] == "" {
		t.Fatalf("%s packed without Debian's libc6: is it a cgo program?", h.bin)
	}
	cache := filepath.Join(dir, "trivy")
	matches := trivyDB(t, cache, debs, extra)
	docs := sbomDocs(t, sbomDir)
	targets := [][]string{{"image", "--input", tarball}, {"sbom", docs[0]}, {"sbom", docs[1]}}
	for i, r := range trivyScans(t, cache, trivyWant{"", debs, matches}, targets...) {
		name := strings.Join(targets[i], " ")
		if v := strings.TrimPrefix(r.langPkgs["stdlib"], "v"); v != goVersion {
			t.Errorf("trivy %s: stdlib %q, go version -m says go%s", name, r.langPkgs["stdlib"], goVersion)
		}
		for m, v := range mods {
			if r.langPkgs[m] != v {
				t.Errorf("trivy %s: %s %q, go version -m says %s", name, m, r.langPkgs[m], v)
			}
		}
		if strings.Join(r.langMatches, "\n") != strings.Join(wantLang, "\n") {
			t.Errorf("trivy %s matched Go advisories:\n%s\nwant:\n%s", name, strings.Join(r.langMatches, "\n"), strings.Join(wantLang, "\n"))
		}
	}
}
