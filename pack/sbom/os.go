package sbom

import (
	"sort"
	"strconv"
	"strings"
)

// system is a distribution the image's packages come from, as an SBOM's
// operating-system element names it: Trivy takes the distribution from
// it (name debian, version 12, from the root's os-release) and scans the
// packages it contains against that distribution's advisories.
type system struct {
	Name, Version string
	Packages      []*Package
}

// ref is the system's identifier in a document.
func (s system) ref() string { return strings.Trim(s.Name+"-"+s.Version, "-") }

// systems are the distributions of the image's packages, by name and
// version.
func (img *Image) systems() []system {
	var out []system
	for _, p := range img.packages() {
		i := 0
		for i < len(out) && (out[i].Name != p.Distro || out[i].Version != p.DistroVersion) {
			i++
		}
		if i == len(out) {
			out = append(out, system{Name: p.Distro, Version: p.DistroVersion})
		}
		out[i].Packages = append(out[i].Packages, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ref() < out[j].ref() })
	return out
}

// sourceFields are the source package's name, version, release and
// epoch as Trivy reads them from an SBOM's properties: a Debian version
// EPOCH:UPSTREAM-REVISION in its parts, an Alpine one whole.
func sourceFields(p *Package) (name, version, release, epoch string) {
	v := p.SourceVersionOrVersion()
	if p.Type == "deb" {
		if e, rest, ok := strings.Cut(v, ":"); ok {
			if _, err := strconv.Atoi(e); err == nil {
				epoch, v = e, rest
			}
		}
		if i := strings.LastIndex(v, "-"); i >= 0 {
			v, release = v[:i], v[i+1:]
		}
	}
	return p.SourceName(), v, release, epoch
}
