package pkgdb

import (
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

// indexOf is Index; the caller holds db.mu. It reads the lists Owners
// has not read.
func (db *DB) indexOf(root *elfscan.Root) *Index {
	db.readIn(root)
	if db.index != nil {
		return db.index
	}
	for li := range db.lists {
		db.readList(root, li, func(string, *Package) {})
	}
	for p, pkg := range db.owners { // the database's own (apk), before the lists
		db.known[p] = pkg
	}
	db.index = &Index{root: root, paths: db.known}
	return db.index
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
