package sbom

import (
	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
)

// Package is a distro package that owns shipped files; pkgdb reads it
// from the root's database.
type Package = pkgdb.Package

// DB is the package database of one root (see pkgdb.DB).
type DB = pkgdb.DB

// ReadDB reads the package database of root (see pkgdb.Read).
func ReadDB(root *elfscan.Root) (*DB, error) { return pkgdb.Read(root) }
