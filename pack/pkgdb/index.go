package pkgdb

import (
	"bytes"

	"github.com/scratchpack/scratchpack/elfscan"
)

// Index is every path root's database lists, with its package: for
// evidence that asks of many paths in turn whether a package owns them
// (Owners reads the lists once for the paths of one call; an Index reads
// them all once, for any number of calls).
type Index struct {
	root  *elfscan.Root
	paths map[string]*Package
}

// Index reads every list of the database once.
func (db *DB) Index(root *elfscan.Root) *Index {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.indexOf(root)
}

// indexOf is Index; the caller holds db.mu.
func (db *DB) indexOf(root *elfscan.Root) *Index {
	ix := &Index{root: root, paths: map[string]*Package{}}
	for p, pkg := range db.owners {
		ix.paths[p] = pkg
	}
	lists := db.listReader(root)
	for _, l := range db.lists {
		b, ok := lists.read(l.file)
		for len(b) > 0 && ok {
			var line []byte
			line, b, _ = bytes.Cut(b, []byte("\n"))
			if l.md5sums {
				if line = md5sumsPath(line); line == nil {
					continue
				}
			}
			if _, ok := ix.paths[string(line)]; !ok && len(line) > 0 {
				if k := string(line); !unlisted(k) { // as Owners, which does not look for it
					ix.paths[k] = l.pkg
				}
			}
		}
	}
	return ix
}

// Owner returns the package that owns the file at p (as it is named, at
// its real path, or on the other side of a merged /usr), or nil.
func (ix *Index) Owner(p string) *Package {
	cs := []string{p}
	if real, _, err := ix.root.Eval(p); err == nil && real != p {
		cs = append(cs, real)
	}
	for _, c := range cs {
		for _, a := range UsrAliases(c) {
			if pkg := ix.paths[a]; pkg != nil {
				return pkg
			}
		}
	}
	return nil
}
