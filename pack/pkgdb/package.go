package pkgdb

import (
	"net/url"
	"strings"
)

// Package is one installed package of a root's database.
type Package struct {
	Type   string // deb or apk
	Distro string // the os-release ID of its root: debian, ubuntu, alpine
	// DistroVersion is the os-release VERSION_ID of its root: 12, 3.19.1;
	// "" when it has none.
	DistroVersion string
	Name          string
	Version       string
	Arch          string // amd64, all (Debian), x86_64, noarch (Alpine)
	Source        string // the source package; "" when it is the same as Name
	// SourceVersion is the source package's version when it differs.
	SourceVersion string
	License       string // as the database says it; "" when it says nothing
	Maintainer    string
	// Essential is Debian's Essential: yes, a package every system has.
	Essential bool
	// Depends are the installed packages this one depends on (Debian's
	// Depends and Pre-Depends, Alpine's D), by name: of alternatives
	// (a | b) the first that is installed, a virtual package as the
	// installed package that provides it; what is not installed is left
	// out.
	Depends []string
	// Conffiles are the configuration files the package lists (Debian's
	// Conffiles; none for Alpine).
	Conffiles []string
	// Stanza is the package's paragraph in the database, as it is there.
	Stanza string

	lists    []fileList // where its files are listed (dpkg)
	files    []string   // its files, when the database itself lists them (apk)
	depends  [][]string // the alternatives of each dependency, as written
	provides []string   // the virtual names it provides
}

// DataOnly reports whether the package holds no architecture-specific
// code: Debian's Architecture all, Alpine's noarch.
func (p *Package) DataOnly() bool { return p.Arch == "all" || p.Arch == "noarch" }

// PURL is the package URL, as the purl spec and Syft write it:
// pkg:deb/debian/libcurl4@7.88.1-10%2Bdeb12u8?arch=amd64&distro=debian-12&upstream=curl.
// distro is the os-release ID and VERSION_ID; upstream is the source
// package, with its version after an @ when that differs from the
// package's (a binNMU: upstream=glibc@2.36-9).
func (p *Package) PURL() string {
	q := url.Values{}
	if p.Arch != "" {
		q.Set("arch", p.Arch)
	}
	if p.Distro != "" && p.DistroVersion != "" {
		q.Set("distro", p.Distro+"-"+p.DistroVersion)
	}
	switch {
	case p.Source != "" && p.SourceVersion != "" && p.SourceVersion != p.Version:
		q.Set("upstream", p.Source+"@"+p.SourceVersion)
	case p.Source != "" && p.Source != p.Name:
		q.Set("upstream", p.Source)
	}
	s := "pkg:" + p.Type + "/" + purlSegment(p.Distro) + "/" + purlSegment(p.Name) + "@" + purlSegment(p.Version)
	if len(q) > 0 {
		s += "?" + q.Encode() // keys sorted, values percent-encoded (+ as %2B), as the spec has them
	}
	return s
}

// SourceName is the source package's name: Source, or Name when the
// database names none.
func (p *Package) SourceName() string {
	if p.Source != "" {
		return p.Source
	}
	return p.Name
}

// SourceVersionOrVersion is the source package's version: SourceVersion,
// or Version when the database names none (they are the same).
func (p *Package) SourceVersionOrVersion() string {
	if p.SourceVersion != "" {
		return p.SourceVersion
	}
	return p.Version
}

// purlSegment percent-encodes a purl's namespace, name or version: what
// a path segment must escape, and + (which some decoders read as a space),
// @ (which ends a name) and : (an epoch's), as the purl spec says and
// Syft writes them.
func purlSegment(s string) string {
	return strings.NewReplacer("+", "%2B", "@", "%40", ":", "%3A").Replace(url.PathEscape(s))
}
