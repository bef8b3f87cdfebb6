package e2e

import (
	"encoding/json"
	"maps"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// syft runs the pinned Syft that setup.sh built, and returns what its
// JSON says of target: each package by type, name and version, and the
// distribution.
func syft(t *testing.T, args ...string) syftResult {
	t.Helper()
	bin := h.env["SYFT"]
	if bin == "" {
		t.Fatal("setup.sh gave no SYFT")
	}
	env := []string{"SYFT_CHECK_FOR_APP_UPDATE=false", "SYFT_REGISTRY_INSECURE_USE_HTTP=true"}
	out := must(t, env, bin, append(args, "-q", "-o", "json")...)
	var d struct {
		Artifacts []struct{ Name, Version, Type, PURL string }
		Distro    struct{ ID, VersionID string }
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("syft %s: %v", strings.Join(args, " "), err)
	}
	r := syftResult{pkgs: map[string]map[string]string{}, distro: d.Distro.ID + " " + d.Distro.VersionID}
	for _, a := range d.Artifacts {
		if r.pkgs[a.Type] == nil {
			r.pkgs[a.Type] = map[string]string{}
		}
		r.pkgs[a.Type][a.Name] = a.Version
	}
	return r
}

type syftResult struct {
	pkgs   map[string]map[string]string // by type, then name: the version
	distro string                       // "debian 12.11"
}

// imageFiles are the regular files of the image in a layout, as
// scratchpack inspect lists them.
func imageFiles(t *testing.T, ref string) []string {
	t.Helper()
	var d struct {
		Layers []struct{ Files []struct{ Path, Mode string } }
	}
	if err := json.Unmarshal([]byte(scratchpack(t, "inspect", "--json", ref)), &d); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range d.Layers[0].Files {
		if strings.HasPrefix(f.Mode, "-") {
			out = append(out, f.Path)
		}
	}
	return out
}

// dpkgOwners are the packages dpkg-query says own the files (each at
// source, its path on the host), at the versions dpkg-query -W prints;
// with dpkg's options, such as --admindir=ROOT/var/lib/dpkg for another
// root's database.
func dpkgOwners(t *testing.T, files []string, source map[string]string, dpkg ...string) map[string]string {
	t.Helper()
	want := map[string]string{}
	for _, p := range files {
		if strings.HasPrefix(p, "/var/lib/dpkg/") {
			continue // the database scratchpack writes, no package's
		}
		if s, ok := source[p]; ok {
			p = s
		}
		out, err := exec.Command("dpkg-query", append(dpkg, "-S", p)...).Output()
		if rest, ok := strings.CutPrefix(p, "/usr"); err != nil && ok { // dpkg lists /lib/..., merged into /usr/lib
			out, err = exec.Command("dpkg-query", append(dpkg, "-S", rest)...).Output()
		}
		if err != nil {
			continue // no package's: a file scratchpack generates
		}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			pkgs, _, _ := strings.Cut(l, ": ")
			if strings.HasPrefix(l, "diversion ") {
				continue
			}
			for _, pkg := range strings.Split(pkgs, ", ") {
				pkg, _, _ = strings.Cut(pkg, ":") // libc6:amd64
				v, err := exec.Command("dpkg-query", append(dpkg, "-W", "-f", "${Version}", pkg)...).Output()
				if err != nil {
					t.Fatalf("dpkg-query -W %s: %v", pkg, err)
				}
				want[pkg] = string(v)
			}
		}
	}
	return want
}

// diff lists how got differs from want, a line each.
func diff(got, want map[string]string) []string {
	var out []string
	for k, v := range want {
		if got[k] != v {
			out = append(out, k+": "+got[k]+", want "+v)
		}
	}
	for k, v := range got {
		if _, ok := want[k]; !ok {
			out = append(out, k+": "+v+", which owns no file of the image")
		}
	}
	sort.Strings(out)
	return out
}

// TestSyftReadsDebianCurl packs the host's Debian curl with --dpkg-status
// as a tarball, into an OCI layout with its SBOM, and to the registry.
// Syft, on each, lists exactly the Debian packages dpkg-query names for
// the image's files, at dpkg-query's versions, with the distribution
// debian 12; curl, which keeps its own path /usr/bin/curl, is its
// package's and not a second, generic binary package; and Syft reads the same
// packages from the SPDX and the CycloneDX documents. The layout holds an
// SBOM index beside the image, so oci-dir: must choose the image by its
// platform.
func TestSyftReadsDebianCurl(t *testing.T) {
	need(t)
	dir := t.TempDir()
	tarball, lay, sbomDir := filepath.Join(dir, "curl.tar"), filepath.Join(dir, "layout"), filepath.Join(dir, "sbom")
	ref := h.registry + "/scanners/curl:1"
	scratchpack(t, "pack", "-q", "--dpkg-status", "-t", ref, "-o", tarball, "--oci-layout", lay, "--sbom-dir", sbomDir, "--push", "/usr/bin/curl")
	cdxLayout := filepath.Join(dir, "layout-cdx")
	scratchpack(t, "pack", "-q", "--dpkg-status", "--sbom", "cyclonedx", "-t", "curl:1", "--oci-layout", cdxLayout, "--sbom-dir", sbomDir, "/usr/bin/curl")

	files := imageFiles(t, lay)
	want := dpkgOwners(t, files, nil)
	for _, p := range []string{"curl", "libcurl4", "libc6", "libssl3", "base-files"} {
		if want[p] == "" {
			t.Fatalf("dpkg-query names no %s for the image's files %v: this test needs Debian's curl", p, files)
		}
	}
	docs, _ := filepath.Glob(filepath.Join(sbomDir, "*"))
	if len(docs) != 2 {
		t.Fatalf("--sbom-dir holds %v, want an SPDX and a CycloneDX document", docs)
	}
	for _, target := range append([]string{"docker-archive:" + tarball, "oci-dir:" + lay, "registry:" + ref}, docs...) {
		var r syftResult
		if strings.HasPrefix(target, dir+"/sbom") {
			r = syft(t, "convert", target)
		} else {
			r = syft(t, "scan", target)
			if !strings.HasPrefix(r.distro, "debian 12") {
				t.Errorf("syft scan %s: distribution %q, want debian 12", target, r.distro)
			}
			if v, ok := r.pkgs["binary"]["curl"]; ok {
				t.Errorf("syft scan %s: a generic binary curl %s beside Debian's package", target, v)
			}
		}
		if d := diff(r.pkgs["deb"], want); len(d) > 0 {
			t.Errorf("syft on %s, against dpkg-query:\n%s", target, strings.Join(d, "\n"))
		}
	}
}

// TestScannersReadProgramsFromDebianImage packs curl and nginx --from a
// real Debian image with --dpkg-status and both SBOMs: Syft, on each
// tarball, lists exactly the packages the image's own dpkg database names
// for the image's files, at its versions, with no generic binary package
// beside them; Trivy, offline, on the tarball and on each document,
// finds Debian 12, the same packages, and exactly the made-up advisories
// (written for the image's sources) that apply.
func TestScannersReadProgramsFromDebianImage(t *testing.T) {
	need(t)
	base, _, _ := debianImages(t)
	root := t.TempDir()
	must(t, nil, "tar", "-xf", h.env["DEBIAN_ROOT_AMD64"], "-C", root, "./var/lib/dpkg", "./etc/os-release", "./usr/lib/os-release")
	admin := "--admindir=" + filepath.Join(root, "var/lib/dpkg")
	dir := t.TempDir()
	env := []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	for _, prog := range []string{"/usr/bin/curl", "/usr/sbin/nginx"} {
		short := filepath.Base(prog)
		tarball, lay, sbomDir := filepath.Join(dir, short+".tar"), filepath.Join(dir, short+"-layout"), filepath.Join(dir, short+"-sbom")
		must(t, env, h.bin, "pack", "-q", "--from", base, "--dpkg-status", "-t", "e2e/"+short+":1", "-o", tarball, "--oci-layout", lay, "--sbom-dir", sbomDir, prog)
		must(t, env, h.bin, "pack", "-q", "--from", base, "--dpkg-status", "--sbom", "cyclonedx", "-t", "e2e/"+short+":1", "--sbom-dir", sbomDir, "--oci-layout", lay+"-cdx", prog)
		files := imageFiles(t, lay)
		want := dpkgOwners(t, files, nil, admin)
		if want["libc6"] == "" || want["base-files"] == "" {
			t.Fatalf("%s: the image's dpkg names no libc6 or base-files for the files %v", prog, files)
		}
		r := syft(t, "scan", "docker-archive:"+tarball)
		if d := diff(r.pkgs["deb"], want); len(d) > 0 {
			t.Errorf("syft on %s packed --from %s, against the image's dpkg-query:\n%s", prog, base, strings.Join(d, "\n"))
		}
		if !strings.HasPrefix(r.distro, "debian 12") {
			t.Errorf("syft on %s: distribution %q, want debian 12", prog, r.distro)
		}
		if v, ok := r.pkgs["binary"][short]; ok {
			t.Errorf("syft on %s: a generic binary %s %s beside Debian's package", prog, short, v)
		}
		cache := filepath.Join(dir, short+"-trivy")
		matches := trivyDB(t, cache, want, nil, admin)
		docs := sbomDocs(t, sbomDir)
		trivyScans(t, cache, trivyWant{"debian 12", want, matches},
			[]string{"image", "--input", tarball}, []string{"sbom", docs[0]}, []string{"sbom", docs[1]})
	}
}

// TestSyftReadsAGoProgram packs scratchpack itself, a cgo Go program
// (dynamic, with libc), with --dpkg-status and an SBOM: Syft, on the
// tarball and on the SPDX document, lists as Go modules exactly the
// modules go version -m prints, at its versions, and stdlib at its Go
// version; on the tarball, the Debian packages are dpkg-query's for the
// image's files.
func TestSyftReadsAGoProgram(t *testing.T) {
	need(t)
	if !strings.Contains(must(t, nil, "file", h.bin), "dynamically linked") {
		t.Fatalf("%s is not a cgo program, linked against libc", h.bin)
	}
	info := goVersionM(t, h.bin)
	want := maps.Clone(info.deps)
	want["stdlib"] = "go" + info.goVersion
	main := info.main
	dir := t.TempDir()
	tarball, lay, sbomDir := filepath.Join(dir, "sp.tar"), filepath.Join(dir, "layout"), filepath.Join(dir, "sbom")
	scratchpack(t, "pack", "-q", "--dpkg-status", "-t", "sp:1", "-o", tarball, "--oci-layout", lay, "--sbom-dir", sbomDir, h.bin)
	docs, _ := filepath.Glob(filepath.Join(sbomDir, "*"))
	if len(docs) != 1 {
		t.Fatalf("--sbom-dir holds %v", docs)
	}
	debs := dpkgOwners(t, imageFiles(t, lay), nil)
	for _, c := range []struct{ name, args string }{{"the tarball", "scan docker-archive:" + tarball}, {"the SPDX document", "convert " + docs[0]}} {
		r := syft(t, strings.Fields(c.args)...)
		got := map[string]string{}
		for n, v := range r.pkgs["go-module"] {
			if n != main {
				got[n] = v
			}
		}
		if d := diff(got, want); len(d) > 0 {
			t.Errorf("syft on %s, Go modules against go version -m:\n%s", c.name, strings.Join(d, "\n"))
		}
		if c.name == "the tarball" {
			if d := diff(r.pkgs["deb"], debs); len(d) > 0 || debs["libc6"] == "" {
				t.Errorf("syft on %s, Debian packages against dpkg-query:\n%s", c.name, strings.Join(d, "\n"))
			}
		}
	}
}
