package pack

import (
	"path"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/evidence"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// ownPath is the default image path of a scanned program: its own path
// in its root, as it was named (/usr/bin/python3, a link to python3.11,
// stays /usr/bin/python3, so that a program that looks at its argv[0]
// sees the same name), when the program comes from an image (fromImage,
// --from) or when the root's package database owns it, since an
// interpreter computes its prefix from it and scanners match the
// package's file lists by it; DefaultDir/NAME (ProgramPath) for a
// program nobody owns.
func ownPath(dbs *pkgdb.DBs, r *elfscan.Report, fromImage bool) (string, error) {
	if r.Root == nil || r.File == "" {
		return plan.ProgramPath(r), nil
	}
	own := r.Path
	if !path.IsAbs(own) {
		own = r.File // ./file, run in /usr/bin
	}
	own = path.Clean(own)
	if _, err := plan.CleanPath(own); err != nil {
		return plan.ProgramPath(r), nil
	}
	if fromImage {
		return own, nil
	}
	if !evidence.Packaged(r.File) {
		return plan.ProgramPath(r), nil
	}
	db, err := dbs.For(r.Root)
	if err != nil {
		return "", err
	}
	if db.Owner(r.Root, r.File) != nil {
		return own, nil
	}
	return plan.ProgramPath(r), nil
}
