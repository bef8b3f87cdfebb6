package sbom

import (
	"runtime/debug"
	"sync"
	"time"

	"github.com/scratchpack/scratchpack/elfscan"
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

// DBs reads each root's package database once, for all the images of a
// call; it is safe for concurrent use.
type DBs struct {
	mu    sync.Mutex
	roots []*elfscan.Root // the roots read, each once (Root.Same)
	dbs   []*DB
}

// For returns root's database.
func (d *DBs) For(root *elfscan.Root) (*DB, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, r := range d.roots {
		if r.Same(root) {
			return d.dbs[i], nil
		}
	}
	db, err := ReadDB(root)
	if err != nil {
		return nil, err
	}
	d.roots, d.dbs = append(d.roots, root), append(d.dbs, db)
	return db, nil
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
