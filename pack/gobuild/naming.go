package gobuild

import (
	"crypto/md5" // ko's names use it; not for security
	"encoding/hex"
	"fmt"
	"path"
	"strings"
)

// Naming is how an import path becomes a repository under the base
// repository, as ko names images.
type Naming int

const (
	// MD5 is ko's default: BASE/LAST-ELEMENT-MD5(IMPORTPATH).
	MD5 Naming = iota
	// BaseImportPaths (-B): BASE/LAST-ELEMENT.
	BaseImportPaths
	// PreserveImportPaths (-P): BASE/IMPORTPATH.
	PreserveImportPaths
	// Bare (--bare): BASE itself.
	Bare
)

// Name returns the repository for importPath under base. The import path
// is lower-cased first, as ko does, since repositories are lower case.
func (n Naming) Name(base, importPath string) string {
	p := strings.ToLower(importPath)
	switch n {
	case BaseImportPaths:
		return path.Join(base, path.Base(p))
	case PreserveImportPaths:
		return path.Join(base, p)
	case Bare:
		return base
	}
	sum := md5.Sum([]byte(p))
	return path.Join(base, path.Base(p)+"-"+hex.EncodeToString(sum[:]))
}

// ParseNaming picks the naming of ko's flags; at most one may be set.
func ParseNaming(bare, base, preserve bool) (Naming, error) {
	n, set := MD5, 0
	for _, f := range []struct {
		on bool
		n  Naming
	}{{bare, Bare}, {base, BaseImportPaths}, {preserve, PreserveImportPaths}} {
		if f.on {
			n, set = f.n, set+1
		}
	}
	if set > 1 {
		return MD5, fmt.Errorf("--bare, -B and -P each name images differently; give one")
	}
	return n, nil
}
