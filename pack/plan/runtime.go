package plan

import (
	"fmt"
	"path"
	"slices"

	"github.com/scratchpack/scratchpack/elfscan"
)

// AddRuntime puts the program's loader and libraries into the plan where
// the loader in the image will find them, the program being at imagePath:
//
//   - the loader at exactly its PT_INTERP path, and a library found through
//     an absolute rpath or a default directory at the path it was found,
//     each with the symlinks met on the way recreated as symlinks;
//   - a library found through $ORIGIN at the same place relative to the
//     program's image path;
//   - a library found only through ld.so.cache, --lib-path or a musl path
//     file, none of which exist in the image, in the first directory the
//     loader searches by default.
//
// Libraries keep their permission bits, less setuid, setgid and write
// for group and others, and are owned by root.
func (p *Plan) AddRuntime(r *elfscan.Report, imagePath string) error {
	if r.Loader != nil {
		if err := p.addResolved(r.Loader.Path, *r.Loader); err != nil {
			return err
		}
	}
	// Libraries at the paths they were found first, so that their
	// symlinked directories (/lib -> usr/lib) exist before anything is
	// placed beneath them.
	var moved []elfscan.Library
	for _, l := range r.Libraries {
		if l.Origin != "" || !stays(l, r.DefaultDirs) {
			moved = append(moved, l)
			continue
		}
		if err := p.addResolved(l.Path, l); err != nil {
			return err
		}
	}
	for _, d := range r.DataFiles { // read by path: they stay where they are
		if err := p.addResolved(d.Path, d); err != nil {
			return err
		}
	}
	for _, l := range moved {
		dst := path.Join(path.Dir(imagePath), l.Origin)
		if l.Origin == "" {
			if len(r.DefaultDirs) == 0 {
				return fmt.Errorf("%s: no default library directory known for %s", r.Path, r.Platform)
			}
			dst = path.Join(r.DefaultDirs[0], l.Name)
		}
		if err := p.addLibraryFile(dst, l); err != nil {
			return err
		}
	}
	return nil
}

// stays reports whether the loader in the image finds l where the host's
// loader did, with no cache, environment or path file to help it.
func stays(l elfscan.Library, defaultDirs []string) bool {
	switch l.Via {
	case elfscan.ViaCache, elfscan.ViaDefault:
		return slices.Contains(defaultDirs, path.Dir(path.Clean(l.Path)))
	case elfscan.ViaLibPath, elfscan.ViaConf:
		return false
	}
	return true // rpath, runpath, or a path in DT_NEEDED: the program says where
}

// addResolved adds the file l.Host at l.RealPath, a symlink for every
// link met on the way from p to it, and every directory the way passes
// through (a ".." leaves some that nothing else implies).
func (p *Plan) addResolved(from string, l elfscan.Library) error {
	for _, link := range l.Links {
		if err := p.Add(Entry{Path: link.Path, Type: TypeSymlink, Mode: 0o777, Linkname: link.Target, Why: libraryWhy(l)}); err != nil {
			return fmt.Errorf("placing %s: %w", from, err)
		}
	}
	if err := p.AddWalked(from); err != nil {
		return fmt.Errorf("placing %s: %w", from, err)
	}
	return p.addLibraryFile(l.RealPath, l)
}

// addLibraryFile adds the file resolution found for l at dst.
func (p *Plan) addLibraryFile(dst string, l elfscan.Library) error {
	fi := l.Info // the file the scan read: the layer refuses another
	if fi == nil {
		var err error
		if fi, err = l.Root.Stat(l.RealPath); err != nil {
			return fmt.Errorf("%s in %s: %w", l.RealPath, l.Root, unwrapPathErr(err))
		}
	}
	return p.Add(Entry{Path: dst, Type: TypeFile, Mode: fi.Mode().Perm() & 0o755, Root: l.Root, Source: l.RealPath, Stamp: StampOf(fi), Why: libraryWhy(l)})
}

// libraryWhy says how resolution found l: as the loader, a library, or
// a file the C library reads.
func libraryWhy(l elfscan.Library) string {
	switch {
	case l.Via == "" && l.NeededBy == "":
		return "the loader " + l.Path
	case l.Name == "" || l.Name == l.Path:
		return fmt.Sprintf("%s, read by %s", l.Path, l.NeededBy)
	case l.RunTime:
		return fmt.Sprintf("library %s, loaded at run time by %s (%s)", l.Name, l.NeededBy, l.Via)
	}
	return fmt.Sprintf("library %s, needed by %s (%s)", l.Name, l.NeededBy, l.Via)
}
