package plan

import (
	"path"
	"slices"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
)

// ProgramName is the name a program goes by in the image: its file name,
// less a suffix naming its own platform, which cross-compiled release
// binaries carry (app-arm64, app_linux_amd64, app.x86_64, app-armv7), so
// that every platform's image of one program has the same entrypoint. A
// suffix naming another platform is kept: it is then part of the name.
func ProgramName(r *elfscan.Report) string {
	base := path.Base(r.Path)
	lower := strings.ToLower(base)
	for _, s := range platformSuffixes(r.Platform) {
		if strings.HasSuffix(lower, s) && len(lower) > len(s) {
			return base[:len(base)-len(s)]
		}
	}
	return base
}

// platformSuffixes lists the suffixes that name p, longest first.
func platformSuffixes(p elfscan.Platform) []string {
	var out []string
	for _, sep := range []string{"-", "_", "."} {
		var arches []string
		for _, n := range archNames(p.Architecture) {
			arches = append(arches, n)
			if p.Variant != "" {
				arches = append(arches, n+p.Variant, n+sep+p.Variant)
			}
		}
		for _, a := range arches {
			out = append(out, sep+"linux"+sep+a, sep+a)
		}
	}
	// Longest first, so that app-linux-arm64 loses "-linux-arm64", not "-arm64".
	slices.SortStableFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}

// archNames are the names release binaries use for an architecture.
func archNames(arch string) []string {
	switch arch {
	case "amd64":
		return []string{"amd64", "x86_64", "x86-64", "x64"}
	case "arm64":
		return []string{"arm64", "aarch64"}
	case "386":
		return []string{"386", "i386", "i686", "x86"}
	case "arm":
		return []string{"arm", "armhf", "armel"}
	}
	return []string{arch}
}
