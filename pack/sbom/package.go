package sbom

import (
	"net/url"
	"sort"
	"strings"
)

// purlSegment percent-encodes a purl's version as pkgdb.Package.PURL
// does: what a path segment must escape, and +, @ and :.
func purlSegment(s string) string {
	return strings.NewReplacer("+", "%2B", "@", "%40", ":", "%3A").Replace(url.PathEscape(s))
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
