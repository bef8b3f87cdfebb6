package plan

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
)

// Addition is an extra file or directory for the image (--add).
type Addition struct {
	Root   *elfscan.Root // where Source is; nil for the host
	Source string        // a path in Root; on the host, absolute or relative to the working directory
	Dest   string        // absolute image path
	Mode   fs.FileMode   // permission bits for the file, or for every file under a directory; 0 keeps the host's
	Why    string        // the evidence for every entry of the tree; "" says "--add SOURCE"
}

// ParseAddition parses SRC:DST[:MODE], MODE in octal.
func ParseAddition(s string) (Addition, error) {
	parts := strings.Split(s, ":")
	var a Addition
	switch {
	case len(parts) >= 3 && isOctal(parts[len(parts)-1]):
		m, _ := strconv.ParseUint(parts[len(parts)-1], 8, 32)
		switch {
		case m > 0o7777:
			return a, fmt.Errorf("mode %s: want an octal mode from 0 to 7777", parts[len(parts)-1])
		case m&0o6000 != 0:
			return a, fmt.Errorf("mode %s sets setuid or setgid, which scratchpack never ships; give the mode without them", parts[len(parts)-1])
		}
		a.Mode = fs.FileMode(m) & fs.ModePerm
		if m&0o1000 != 0 {
			a.Mode |= fs.ModeSticky
		}
		parts = parts[:len(parts)-1]
	case len(parts) < 2:
		return a, errors.New("want SRC:DST[:MODE]")
	}
	a.Source = strings.Join(parts[:len(parts)-1], ":")
	dst, err := CleanPath(parts[len(parts)-1])
	if err != nil {
		return a, err
	}
	a.Dest = dst
	if a.Source == "" {
		return a, errors.New("empty source; want SRC:DST[:MODE]")
	}
	return a, nil
}

func isOctal(s string) bool {
	_, err := strconv.ParseUint(s, 8, 32)
	return err == nil && s != ""
}

// AddTree puts a file, or a directory tree, into the plan, less what the
// plan excludes (Exclude). Files and directories keep their permission
// bits (less setuid and setgid) unless a.Mode is set; symlinks are kept as
// symlinks; everything is root-owned.
func (p *Plan) AddTree(a Addition) error {
	return p.AddTreeContext(context.Background(), a)
}

// AddTreeContext is AddTree, stopping when ctx is done.
func (p *Plan) AddTreeContext(ctx context.Context, a Addition) error {
	return p.addTree(ctx, a, nil)
}

// placed is an entry a tree added and the path in its root it came from.
type placed struct {
	src   string
	entry Entry // its Path where the plan put it, its parents' symlinks followed
}

// addTree is AddTree, stopping when ctx is done. When added is set, each
// entry the plan did not hold before is appended to it.
func (p *Plan) addTree(ctx context.Context, a Addition, added *[]placed) error {
	root, src := a.Root, a.Source
	if root == nil {
		abs, err := filepath.Abs(src)
		if err != nil {
			return fmt.Errorf("adding %s: %w", a.Source, err)
		}
		root, src = elfscan.HostRoot(), abs
	}
	fail := func(name string, err error) error {
		return fmt.Errorf("adding %s: %w", path.Join(src, name), unwrapPathErr(err))
	}
	why := a.Why
	if why == "" {
		why = "--add " + a.Source
	}
	put := func(from string, e Entry) error {
		e.Why = why
		final, err := p.Resolve(e.Path)
		if added == nil || err != nil {
			return p.Add(e) // which says what is wrong with the path
		}
		_, had := p.entries[final]
		if err := p.Add(e); err != nil || had {
			return err
		}
		e.Path = final
		*added = append(*added, placed{from, e})
		return nil
	}
	if p.Excluded(a.Dest) {
		return nil
	}
	fi, err := root.Stat(src)
	if err != nil {
		return fail("", err)
	}
	if !fi.IsDir() {
		return p.addFile(root, src, a.Dest, fi, a.Mode, put)
	}
	top := strings.TrimPrefix(path.Clean(src), "/")
	return fs.WalkDir(root, top, func(name string, d fs.DirEntry, err error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(name, top), "/")
		if err != nil {
			return fail(rel, err)
		}
		dst := path.Join(a.Dest, rel)
		if p.Excluded(dst) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return fail(rel, err)
		}
		switch {
		case d.IsDir():
			return put("/"+name, Entry{Path: dst, Type: TypeDir, Mode: info.Mode().Perm()})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := root.ReadLink("/" + name)
			if err != nil {
				return fail(rel, err)
			}
			return put("/"+name, Entry{Path: dst, Type: TypeSymlink, Mode: 0o777, Linkname: target})
		case d.Type().IsRegular():
			return p.addFile(root, "/"+name, dst, info, a.Mode, put)
		}
		return fail(rel, errors.New("not a regular file, directory or symlink"))
	})
}

func (p *Plan) addFile(root *elfscan.Root, src, dst string, fi fs.FileInfo, mode fs.FileMode, put func(string, Entry) error) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("adding %s: not a regular file or directory", src)
	}
	if mode == 0 {
		mode = fi.Mode().Perm()
	}
	if err := put(src, Entry{Path: dst, Type: TypeFile, Mode: mode, Root: root, Source: src, Stamp: StampOf(fi)}); err != nil {
		return fmt.Errorf("adding %s: %w", src, err)
	}
	return nil
}
