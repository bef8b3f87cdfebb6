package sbom

import (
	"net/url"
	"sort"
	"strings"
)

// Package is a distro package that owns shipped files.
type Package struct {
	Type    string // deb or apk
	Distro  string // the os-release ID of its root: debian, ubuntu, alpine
	Name    string
	Version string
	Arch    string
	Source  string // the source package; "" when it is the same as Name
	// SourceVersion is the source package's version when it differs.
	SourceVersion string
	License       string // as the database says it; "" when it says nothing
	Maintainer    string
	// Stanza is the package's paragraph in the database, for
	// WriteStatusD.
	Stanza string
}

// PURL is the package URL, as scanners and the purl spec write it:
// pkg:deb/debian/libcurl4@7.88.1-10+deb12u8?arch=amd64.
func (p *Package) PURL() string {
	q := url.Values{}
	if p.Arch != "" {
		q.Set("arch", p.Arch)
	}
	if p.Source != "" && p.Source != p.Name {
		q.Set("upstream", p.Source)
	}
	s := "pkg:" + p.Type + "/" + url.PathEscape(p.Distro) + "/" + url.PathEscape(p.Name) + "@" + purlVersion(p.Version)
	if len(q) > 0 {
		s += "?" + q.Encode()
	}
	return s
}

// purlVersion escapes a version for a purl: only what would break it.
func purlVersion(v string) string {
	return strings.NewReplacer("%", "%25", "?", "%3F", "#", "%23", "@", "%40").Replace(v)
}

// sortPackages orders packages by type, name and architecture.
func sortPackages(ps []*Package) {
	sort.Slice(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Arch < b.Arch
	})
}
