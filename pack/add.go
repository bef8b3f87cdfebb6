package pack

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// Addition is an extra host file or directory for the image (--add).
type Addition struct {
	Source string      // host path
	Dest   string      // absolute image path
	Mode   fs.FileMode // permission bits for the file, or for every file under a directory; 0 keeps the host's
}

// ParseAddition parses SRC:DST[:MODE], MODE in octal.
func ParseAddition(s string) (Addition, error) {
	parts := strings.Split(s, ":")
	var a Addition
	switch {
	case len(parts) >= 3 && isOctal(parts[len(parts)-1]):
		m, _ := strconv.ParseUint(parts[len(parts)-1], 8, 32)
		a.Mode = fs.FileMode(m) & fs.ModePerm
		parts = parts[:len(parts)-1]
	case len(parts) < 2:
		return a, fmt.Errorf("--add %q: want SRC:DST[:MODE]", s)
	}
	a.Source = strings.Join(parts[:len(parts)-1], ":")
	dst, err := CleanPath(parts[len(parts)-1])
	if err != nil {
		return a, fmt.Errorf("--add %q: %v", s, err)
	}
	a.Dest = dst
	if a.Source == "" {
		return a, fmt.Errorf("--add %q: empty source", s)
	}
	return a, nil
}

func isOctal(s string) bool {
	_, err := strconv.ParseUint(s, 8, 32)
	return err == nil && s != ""
}

// AddHost puts a host file, or a directory tree, into the plan. Files and
// directories keep their permission bits (less setuid and setgid) unless
// a.Mode is set; symlinks are kept as symlinks; everything is root-owned.
func (p *Plan) AddHost(a Addition) error {
	fi, err := os.Stat(a.Source)
	if err != nil {
		return fmt.Errorf("--add %s: %w", a.Source, unwrapPathErr(err))
	}
	if !fi.IsDir() {
		return p.addHostFile(a.Source, a.Dest, fi, a.Mode)
	}
	return filepath.WalkDir(a.Source, func(src string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("--add %s: %w", src, unwrapPathErr(err))
		}
		rel, _ := filepath.Rel(a.Source, src)
		dst := path.Join(a.Dest, filepath.ToSlash(rel))
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("--add %s: %w", src, unwrapPathErr(err))
		}
		switch {
		case d.IsDir():
			return p.Add(Entry{Path: dst, Type: TypeDir, Mode: info.Mode().Perm()})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(src)
			if err != nil {
				return fmt.Errorf("--add %s: %w", src, unwrapPathErr(err))
			}
			return p.Add(Entry{Path: dst, Type: TypeSymlink, Mode: 0o777, Linkname: target})
		case d.Type().IsRegular():
			return p.addHostFile(src, dst, info, a.Mode)
		}
		return fmt.Errorf("--add %s: not a regular file, directory or symlink", src)
	})
}

func (p *Plan) addHostFile(src, dst string, fi fs.FileInfo, mode fs.FileMode) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("--add %s: not a regular file or directory", src)
	}
	if mode == 0 {
		mode = fi.Mode().Perm()
	}
	if err := p.Add(Entry{Path: dst, Type: TypeFile, Mode: mode, Source: src}); err != nil {
		return fmt.Errorf("--add %s: %w", src, err)
	}
	return nil
}
