package pkgdb

import (
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
)

// release is what a root's os-release says of its distribution.
type release struct {
	ID        string // debian, ubuntu, alpine; "" without an os-release
	VersionID string // 12, 3.19.1; "" for one without (Debian's testing)
}

// osRelease reads the root's os-release.
func osRelease(root *elfscan.Root) release {
	var r release
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		b, err := root.ReadFile(p)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "ID="); ok {
				r.ID = strings.Trim(v, `"'`)
			}
			if v, ok := strings.CutPrefix(l, "VERSION_ID="); ok {
				r.VersionID = strings.Trim(v, `"'`)
			}
		}
		return r
	}
	return r
}
