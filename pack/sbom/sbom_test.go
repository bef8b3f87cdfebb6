package sbom

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/textproto"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/testtool"
	"github.com/scratchpack/scratchpack/pack/statusd"
)

// tree writes files into a new directory and returns it as a root.
func tree(t *testing.T, files map[string]string) *elfscan.Root {
	return elfscan.DirRoot(testtool.WriteTree(t, files))
}

const dpkgStatusText = `Package: libc6
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Depends: libgcc-s1
Conffiles:
 /etc/ld.so.conf.d/x86_64-linux-gnu.conf d4e7a7b88a71b5ffd9e2644e71a0cfab
Description: GNU C Library: Shared libraries
 Contains the standard libraries.

Package: removed
Status: deinstall ok config-files
Version: 1.0

Package: zlib1g
Status: install ok installed
Architecture: amd64
Source: zlib (1:1.2.13.dfsg-1)
Version: 1:1.2.13.dfsg-1
`

func TestDpkgOwners(t *testing.T) {
	root := tree(t, map[string]string{
		"etc/os-release":                        "PRETTY_NAME=\"Debian\"\nID=debian\nVERSION_ID=\"12\"\n",
		"var/lib/dpkg/status":                   dpkgStatusText,
		"var/lib/dpkg/info/libc6:amd64.list":    "/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\n",
		"var/lib/dpkg/info/libc6:amd64.md5sums": "0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libc.so.6\nfedcba9876543210fedcba9876543210  lib/x86_64-linux-gnu/libm.so.6\n",
		"var/lib/dpkg/info/zlib1g:amd64.list":   "/usr/lib/x86_64-linux-gnu/libz.so.1.2.13\n",
		"usr/lib/x86_64-linux-gnu/libc.so.6":    "libc",
	})
	db, err := ReadDB(root)
	if err != nil {
		t.Fatal(err)
	}
	if db.Kind != "dpkg" || len(db.Packages) != 2 {
		t.Fatalf("db %s with %d packages, want dpkg with libc6 and zlib1g", db.Kind, len(db.Packages))
	}
	libc := db.Owner(root, "/usr/lib/x86_64-linux-gnu/libc.so.6") // listed as /lib/...: merged /usr
	if libc == nil || libc.Name != "libc6" || libc.Source != "glibc" {
		t.Fatalf("owner of libc.so.6: %+v", libc)
	}
	if got, want := libc.PURL(), "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc"; got != want {
		t.Errorf("purl %s, want %s", got, want)
	}
	z := db.Owner(root, "/lib/x86_64-linux-gnu/libz.so.1.2.13")
	if z == nil || z.Source != "zlib" || z.SourceVersion != "1:1.2.13.dfsg-1" {
		t.Errorf("owner of libz: %+v", z)
	}
	if db.Owner(root, "/usr/local/bin/app") != nil {
		t.Error("a file no package lists has an owner")
	}

	// status.d as distroless writes it, parsed as Trivy parses it: one
	// MIME header per package, Package and Version required, Status not
	// deinstall or purge; md5sums only for the files shipped.
	st := statusd.Paragraph(libc)
	h, err := textproto.NewReader(bufio.NewReader(strings.NewReader(st + "\n"))).ReadMIMEHeader()
	if err != nil {
		t.Fatal(err)
	}
	if h.Get("Package") != "libc6" || h.Get("Version") != "2.36-9+deb12u4" || h.Get("Source") != "glibc" ||
		!strings.Contains(h.Get("Status"), "installed") || h.Get("Conffiles") != "" || h.Get("Depends") != "" {
		t.Errorf("status.d entry:\n%s", st)
	}
	// The image has libc at /usr/lib (Debian lists it at /lib), and libm
	// moved to /opt/lib: each line names the image's path, and libm's
	// line is not there when libm is not shipped.
	for _, c := range []struct {
		files []statusd.Shipped
		want  string
	}{
		{[]statusd.Shipped{{Path: "/usr/lib/x86_64-linux-gnu/libc.so.6", Source: "/usr/lib/x86_64-linux-gnu/libc.so.6"}},
			"0123456789abcdef0123456789abcdef  usr/lib/x86_64-linux-gnu/libc.so.6\n"},
		{[]statusd.Shipped{{Path: "/lib/x86_64-linux-gnu/libc.so.6", Source: "/usr/lib/x86_64-linux-gnu/libc.so.6"}, {Path: "/opt/lib/libm.so.6", Source: "/lib/x86_64-linux-gnu/libm.so.6"}},
			"0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libc.so.6\nfedcba9876543210fedcba9876543210  opt/lib/libm.so.6\n"},
	} {
		if sums := statusd.MD5Sums(root, libc, c.files); string(sums) != c.want {
			t.Errorf("md5sums of %v:\n%s\nwant\n%s", c.files, sums, c.want)
		}
	}
}

func TestApkAndStatusD(t *testing.T) {
	root := tree(t, map[string]string{
		"etc/os-release": "ID=alpine\n",
		"lib/apk/db/installed": `C:Q1abc=
P:musl
V:1.2.4-r2
A:x86_64
L:MIT
o:musl
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
R:libc.musl-x86_64.so.1

P:zlib
V:1.3.1-r0
A:x86_64
L:Zlib
F:usr/lib
R:libz.so.1.3.1
`,
	})
	db, err := ReadDB(root)
	if err != nil {
		t.Fatal(err)
	}
	musl := db.Owner(root, "/lib/libc.musl-x86_64.so.1")
	if db.Kind != "apk" || musl == nil || musl.Name != "musl" || musl.License != "MIT" || musl.PURL() != "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64" {
		t.Fatalf("apk db %s, owner %+v", db.Kind, musl)
	}
	if z := db.Owner(root, "/usr/lib/libz.so.1.3.1"); z == nil || z.Name != "zlib" {
		t.Errorf("zlib owner %+v", z)
	}

	distroless := tree(t, map[string]string{
		"var/lib/dpkg/status.d/libssl3":               "Package: libssl3\nVersion: 3.0.11-1~deb12u2\nArchitecture: amd64\nSource: openssl\n",
		"var/lib/dpkg/status.d/libssl3.md5sums":       "00000000000000000000000000000000  usr/lib/x86_64-linux-gnu/libssl.so.3\n",
		"var/lib/dpkg/status.d/libldap-2.5-0":         "Package: libldap-2.5-0\nVersion: 2.5.13+dfsg-5\nArchitecture: amd64\nSource: openldap\n",
		"var/lib/dpkg/status.d/libldap-2.5-0.md5sums": "00000000000000000000000000000000  usr/lib/x86_64-linux-gnu/libldap-2.5.so.0\n",
		"var/lib/dpkg/status.d/libldap-2.5-0.preinst": "#!/bin/sh\nset -e\n",
	})
	db, err = ReadDB(distroless)
	if err != nil {
		t.Fatal(err)
	}
	if p := db.Owner(distroless, "/usr/lib/x86_64-linux-gnu/libssl.so.3"); p == nil || p.Name != "libssl3" || p.Distro != "debian" {
		t.Errorf("status.d owner %+v", p)
	}
	if p := db.Owner(distroless, "/usr/lib/x86_64-linux-gnu/libldap-2.5.so.0"); p == nil || p.Name != "libldap-2.5-0" {
		t.Errorf("status.d owner of a package whose name has dots: %+v", p)
	}
	if len(db.Packages) != 2 {
		t.Errorf("status.d packages %d, want 2 (a maintainer script is no package)", len(db.Packages))
	}
	// Packed again from the distroless root, its md5sums come from
	// status.d.
	ssl := db.Owner(distroless, "/usr/lib/x86_64-linux-gnu/libssl.so.3")
	if sums := statusd.MD5Sums(distroless, ssl, []statusd.Shipped{{Path: "/usr/lib/x86_64-linux-gnu/libssl.so.3", Source: "/usr/lib/x86_64-linux-gnu/libssl.so.3"}}); string(sums) != "00000000000000000000000000000000  usr/lib/x86_64-linux-gnu/libssl.so.3\n" {
		t.Errorf("md5sums from a distroless root: %q", sums)
	}
}

// sample is an image with a Go program, a library a package owns, and
// a file no package owns.
func sample() *Image {
	pkg := &Package{Type: "deb", Distro: "debian", DistroVersion: "12", Name: "libc6", Version: "2.36-9+deb12u4", Arch: "amd64", Source: "glibc", Maintainer: "GNU Libc Maintainers <debian-glibc@lists.debian.org>"}
	return &Image{
		Name: "ghcr.io/me/app", Digest: "sha256:" + strings.Repeat("ab", 32), Platform: "linux/amd64",
		Created: time.Unix(1700000000, 0), Tool: "scratchpack-v1.0.0", Program: "/usr/local/bin/app",
		Go: &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "example.com/app", Version: "v1.2.3"},
			Deps:     []*debug.Module{{Path: "golang.org/x/text", Version: "v0.14.0", Sum: "h1:abc="}},
			Settings: []debug.BuildSetting{{Key: "CGO_ENABLED", Value: "1"}}},
		Files: []File{
			{Path: "/etc/passwd", SHA1: strings.Repeat("1", 40), SHA256: strings.Repeat("2", 64), Kind: KindFile},
			{Path: "/lib/x86_64-linux-gnu/libc.so.6", SHA1: strings.Repeat("3", 40), SHA256: strings.Repeat("4", 64), Kind: KindLibrary, Package: pkg},
			{Path: "/usr/local/bin/app", SHA1: strings.Repeat("5", 40), SHA256: strings.Repeat("6", 64), Kind: KindProgram},
		},
	}
}

func TestSPDX(t *testing.T) {
	var b bytes.Buffer
	if err := WriteSPDX(&b, sample()); err != nil {
		t.Fatal(err)
	}
	if err := testtool.ValidateSPDX(t, b.Bytes()); err != nil {
		t.Errorf("not valid SPDX 2.3: %v", err)
	}
	broken := bytes.Replace(b.Bytes(), []byte(`"SPDXID": "SPDXRef-File-1"`), []byte(`"SPDXID": 1`), 1)
	if testtool.ValidateSPDX(t, broken) == nil {
		t.Error("the schema accepts a file whose SPDXID is a number")
	}
	var d spdxDoc
	if err := json.Unmarshal(b.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	has := func(a, typ, c string) bool {
		for _, r := range d.Relationships {
			if r.Element == a && r.Type == typ && r.Related == c {
				return true
			}
		}
		return false
	}
	libcID, fileID := "SPDXRef-Package-deb-libc6-amd64", "SPDXRef-File-2"
	for _, r := range [][3]string{
		{"SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image"},
		{"SPDXRef-Image", "DESCRIBES", "SPDXRef-Program"},
		{"SPDXRef-Program", "DEPENDS_ON", fileID},
		{"SPDXRef-Program", "DEPENDS_ON", "SPDXRef-Go-golang.org-x-text-v0.14.0"},
		{libcID, "CONTAINS", fileID},
		{"SPDXRef-Image", "CONTAINS", "SPDXRef-File-1"},
		{"SPDXRef-Image", "CONTAINS", "SPDXRef-OperatingSystem-debian-12"},
		{"SPDXRef-OperatingSystem-debian-12", "CONTAINS", libcID},
		{"SPDXRef-Program", "DEPENDS_ON", "SPDXRef-Go-stdlib-go1.26.8"},
	} {
		if !has(r[0], r[1], r[2]) {
			t.Errorf("no relationship %v", r)
		}
	}
	pkgs := map[string]spdxPackage{}
	for _, p := range d.Packages {
		pkgs[p.SPDXID] = p
	}
	if os := pkgs["SPDXRef-OperatingSystem-debian-12"]; os.Name != "debian" || os.VersionInfo != "12" || os.PrimaryPackagePurpose != "OPERATING_SYSTEM" {
		t.Errorf("operating system %+v, want debian 12", os)
	}
	if std := pkgs["SPDXRef-Go-stdlib-go1.26.8"]; std.Name != "stdlib" || std.VersionInfo != "go1.26.8" || len(std.ExternalRefs) != 1 || std.ExternalRefs[0].ReferenceLocator != "pkg:golang/stdlib@1.26.8" {
		t.Errorf("stdlib %+v", std)
	}
	if libc := pkgs[libcID]; libc.SourceInfo != "built package from: glibc 2.36-9+deb12u4" {
		t.Errorf("libc6's source %q, want Trivy's \"built package from: glibc 2.36-9+deb12u4\"", libc.SourceInfo)
	}
	if !strings.Contains(b.String(), "pkg:golang/golang.org/x/text@v0.14.0") || !strings.Contains(b.String(), `"comment": "file; owned by no package"`) {
		t.Errorf("document:\n%s", b.String())
	}
	var again bytes.Buffer
	if err := WriteSPDX(&again, sample()); err != nil || !bytes.Equal(b.Bytes(), again.Bytes()) {
		t.Error("the same image gave two different documents")
	}
}

func TestCycloneDX(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCycloneDX(&b, sample()); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1.5", "1.6"} {
		if err := testtool.ValidateCycloneDX(t, b.Bytes(), v); err != nil {
			t.Errorf("not valid CycloneDX %s: %v", v, err)
		}
	}
	broken := bytes.Replace(b.Bytes(), []byte(`"type": "operating-system"`), []byte(`"type": "distribution"`), 1)
	if bytes.Equal(broken, b.Bytes()) || testtool.ValidateCycloneDX(t, broken, "1.5") == nil {
		t.Error("the 1.5 schema accepts a component of type distribution")
	}
	var bom struct {
		BOMFormat, SpecVersion, SerialNumber string
		Components                           []struct {
			Type, Name, Version, PURL string
			BOMRef                    string `json:"bom-ref"`
			Components                []struct{ Name string }
			Properties                []struct{ Name, Value string }
		}
		Dependencies []struct {
			Ref       string
			DependsOn []string
		}
	}
	if err := json.Unmarshal(b.Bytes(), &bom); err != nil {
		t.Fatal(err)
	}
	if bom.BOMFormat != "CycloneDX" || bom.SpecVersion != "1.5" || !strings.HasPrefix(bom.SerialNumber, "urn:uuid:") || len(bom.SerialNumber) != 45 {
		t.Errorf("header %s %s %s", bom.BOMFormat, bom.SpecVersion, bom.SerialNumber)
	}
	comps := map[string]int{}
	for i, c := range bom.Components {
		comps[c.BOMRef] = i
	}
	libcPURL := "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc"
	if i, ok := comps[libcPURL]; !ok || len(bom.Components[i].Components) != 1 || bom.Components[i].Components[0].Name != "/lib/x86_64-linux-gnu/libc.so.6" {
		t.Errorf("no libc6 component %s holding its file", libcPURL)
	} else {
		props := map[string]string{}
		for _, p := range bom.Components[i].Properties {
			props[p.Name] = p.Value
		}
		if props["aquasecurity:trivy:SrcName"] != "glibc" || props["aquasecurity:trivy:SrcVersion"] != "2.36" || props["aquasecurity:trivy:SrcRelease"] != "9+deb12u4" {
			t.Errorf("libc6's source properties %v", props)
		}
	}
	if i, ok := comps["os:debian-12"]; !ok || bom.Components[i].Type != "operating-system" || bom.Components[i].Name != "debian" || bom.Components[i].Version != "12" {
		t.Error("no operating-system component debian 12")
	}
	if i, ok := comps["pkg:golang/stdlib@1.26.8"]; !ok || bom.Components[i].Name != "stdlib" || bom.Components[i].Version != "go1.26.8" {
		t.Error("no stdlib component pkg:golang/stdlib@1.26.8")
	}
	deps := map[string][]string{}
	for _, d := range bom.Dependencies {
		deps[d.Ref] = d.DependsOn
		for _, r := range append([]string{d.Ref}, d.DependsOn...) {
			if _, ok := comps[r]; !ok && r != "image" && !strings.HasPrefix(r, "file:") {
				t.Errorf("dependency on %s, which no component is", r)
			}
		}
	}
	for ref, want := range map[string][]string{
		"image":        {"program", "os:debian-12"},
		"os:debian-12": {libcPURL},
		"program":      {"pkg:golang/golang.org/x/text@v0.14.0", "pkg:golang/stdlib@1.26.8", "file:/lib/x86_64-linux-gnu/libc.so.6"},
	} {
		if !slices.Equal(deps[ref], want) {
			t.Errorf("%s depends on %v, want %v", ref, deps[ref], want)
		}
	}
}

// TestPURL writes packages' URLs as the purl spec and Syft do: + in a
// version percent-encoded, the distribution and its version, the source
// package, with its version when a binNMU's differs, and an epoch kept.
func TestPURL(t *testing.T) {
	for _, c := range []struct {
		p    Package
		want string
	}{
		{Package{Type: "deb", Distro: "debian", DistroVersion: "12", Name: "libcurl4", Version: "7.88.1-10+deb12u8", Arch: "amd64", Source: "curl"},
			"pkg:deb/debian/libcurl4@7.88.1-10%2Bdeb12u8?arch=amd64&distro=debian-12&upstream=curl"},
		{Package{Type: "deb", Distro: "debian", DistroVersion: "12", Name: "libgnutls30", Version: "3.7.9-2+deb12u3+b1", Arch: "amd64", Source: "gnutls28", SourceVersion: "3.7.9-2+deb12u3"},
			"pkg:deb/debian/libgnutls30@3.7.9-2%2Bdeb12u3%2Bb1?arch=amd64&distro=debian-12&upstream=gnutls28%403.7.9-2%2Bdeb12u3"},
		{Package{Type: "deb", Distro: "debian", DistroVersion: "12", Name: "curl", Version: "7.88.1-10+b1", Arch: "amd64", Source: "curl", SourceVersion: "7.88.1-10"},
			"pkg:deb/debian/curl@7.88.1-10%2Bb1?arch=amd64&distro=debian-12&upstream=curl%407.88.1-10"},
		{Package{Type: "deb", Distro: "debian", DistroVersion: "12", Name: "zlib1g", Version: "1:1.2.13.dfsg-1", Arch: "amd64", Source: "zlib"},
			"pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib"},
		{Package{Type: "deb", Distro: "debian", Name: "libstdc++6", Version: "14.2.0-19", Arch: "amd64", Source: "gcc-14"},
			"pkg:deb/debian/libstdc%2B%2B6@14.2.0-19?arch=amd64&upstream=gcc-14"},
		{Package{Type: "apk", Distro: "alpine", DistroVersion: "3.19.1", Name: "musl", Version: "1.2.4_git20230717-r4", Arch: "x86_64", Source: "musl"},
			"pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1"},
	} {
		if got := c.p.PURL(); got != c.want {
			t.Errorf("%s %s:\n got %s\nwant %s", c.p.Name, c.p.Version, got, c.want)
		}
	}
}
