package pkgdb

import (
	"sync"

	"github.com/scratchpack/scratchpack/elfscan"
)

// DBs reads each root's package database once, for all the images of a
// call; it is safe for concurrent use. The zero value is ready to use.
type DBs struct {
	mu    sync.Mutex
	roots []*elfscan.Root // the roots read, each once (Root.Same)
	dbs   []*DB
}

// For returns root's database, reading it the first time it is asked
// for.
func (d *DBs) For(root *elfscan.Root) (*DB, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, r := range d.roots {
		if r.Same(root) {
			return d.dbs[i], nil
		}
	}
	db, err := Read(root)
	if err != nil {
		return nil, err
	}
	d.roots, d.dbs = append(d.roots, root), append(d.dbs, db)
	return db, nil
}
