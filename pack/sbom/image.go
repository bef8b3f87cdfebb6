package sbom

import (
	"runtime/debug"
	"time"
)

// Image is what an SBOM describes: one image and every regular file in
// it.
type Image struct {
	Name     string // the image's repository, or the program's name
	Digest   string // the image manifest's digest, sha256:...
	Platform string // os/arch[/variant]
	Created  time.Time
	Tool     string // the tool and version that made it, e.g. scratchpack-v1.2.0
	Program  string // the program's path in the image
	// Go is the program's build info when it is a Go program.
	Go    *debug.BuildInfo
	Files []File // sorted by path
}

// File kinds: what resolution says a shipped file is.
const (
	KindProgram = "program"
	KindLoader  = "loader"
	KindLibrary = "library"
	KindData    = "data" // a file the program or a library loads by path at run time
	KindFile    = "file" // anything else: an added, included or essential file
)

// File is one regular file of the image.
type File struct {
	Path         string // in the image
	SHA1, SHA256 string // hex
	Kind         string
	Package      *Package // the distro package that owns it; nil when none does
}

// packages are the distinct packages that own the files, by name.
func (img *Image) packages() []*Package {
	var out []*Package
	seen := map[*Package]bool{}
	for _, f := range img.Files {
		if f.Package != nil && !seen[f.Package] {
			seen[f.Package] = true
			out = append(out, f.Package)
		}
	}
	sortPackages(out)
	return out
}
