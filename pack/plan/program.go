package plan

import (
	"fmt"
	"maps"
	"path"

	"github.com/scratchpack/scratchpack/elfscan"
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
	return p.Add(Entry{Path: imagePath, Type: TypeFile, Mode: 0o755, Root: r.Root, Source: r.File, Stamp: StampOf(fi), Why: "the program " + r.Path})
}

// setXattrs gives the file at imagePath, which AddProgram placed, the
// extended attributes x.
func (p *Plan) SetXattrs(imagePath string, x map[string]string) error {
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
