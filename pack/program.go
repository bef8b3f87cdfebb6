package pack

import (
	"fmt"
	"maps"
	"path"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/sbom"
)

// DefaultDir is where a program goes in the image unless told otherwise.
const DefaultDir = "/usr/local/bin"

// ProgramPath is the default image path of a scanned program:
// DefaultDir/ProgramName.
func ProgramPath(r *elfscan.Report) string {
	return path.Join(DefaultDir, ProgramName(r))
}

// AddProgram puts the scanned program into the plan at imagePath,
// root-owned and mode 0755 (setuid and setgid bits are never carried
// over). Only programs can be added: a shared library is refused.
func (p *Plan) AddProgram(r *elfscan.Report, imagePath string) error {
	switch r.Kind {
	case elfscan.Static, elfscan.StaticPIE, elfscan.Dynamic:
	default:
		return fmt.Errorf("%s: is a shared library, not a program; pack the program that loads it", r.Path)
	}
	fi := r.Info // the file the scan read: the layer refuses another
	if fi == nil {
		var err error
		if fi, err = r.Root.Stat(r.File); err != nil {
			return fmt.Errorf("%s: %w", r.Path, unwrapPathErr(err))
		}
	}
	return p.Add(Entry{Path: imagePath, Type: TypeFile, Mode: 0o755, Root: r.Root, Source: r.File, Stamp: stampOf(fi), Why: "the program " + r.Path})
}

// ownPath is the default image path of a scanned program: its own path
// in its root, as it was named (/usr/bin/python3, a link to python3.11,
// stays /usr/bin/python3, so that a program that looks at its argv[0]
// sees the same name), when the program comes from an image (fromImage,
// --from) or when the root's package database owns it, since an
// interpreter computes its prefix from it and scanners match the
// package's file lists by it; DefaultDir/NAME (ProgramPath) for a
// program nobody owns.
func ownPath(dbs *sbom.DBs, r *elfscan.Report, fromImage bool) (string, error) {
	if r.Root == nil || r.File == "" {
		return ProgramPath(r), nil
	}
	own := r.Path
	if !path.IsAbs(own) {
		own = r.File // ./file, run in /usr/bin
	}
	own = path.Clean(own)
	if _, err := CleanPath(own); err != nil {
		return ProgramPath(r), nil
	}
	if fromImage {
		return own, nil
	}
	if !packaged(r.File) {
		return ProgramPath(r), nil
	}
	db, err := dbs.For(r.Root)
	if err != nil {
		return "", err
	}
	if db.Owner(r.Root, r.File) != nil {
		return own, nil
	}
	return ProgramPath(r), nil
}

// setXattrs gives the file at imagePath, which AddProgram placed, the
// extended attributes x.
func (p *Plan) setXattrs(imagePath string, x map[string]string) error {
	dir, err := p.resolveDir(path.Dir(path.Clean(imagePath)))
	if err != nil {
		return err
	}
	e, ok := p.entries[path.Join(dir, path.Base(imagePath))]
	if !ok || e.Type != TypeFile {
		return fmt.Errorf("%s: no program there to give extended attributes", imagePath)
	}
	e.Xattrs = maps.Clone(x)
	p.entries[e.Path] = e
	return nil
}
