package essentials

import (
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// ErrNoZoneInfo means a program needs zone data and none was found.
var ErrNoZoneInfo = errors.New("no time zone data")

// zoneSource is where an image's zone data comes from: a zoneinfo
// directory, or a Go zoneinfo.zip, in a root.
type ZoneInfo struct {
	root *elfscan.Root
	path string // absolute, in root
	Zip  bool
}

func (z ZoneInfo) String() string {
	if h := z.root.HostPath(z.path); h != "" {
		return h
	}
	return z.path + " in " + z.root.String()
}

// why is the evidence for the zone data's entries.
func (z ZoneInfo) why() string { return "zone data from " + z.String() + " (--tzdata)" }

// findZoneInfo looks for /usr/share/zoneinfo in root (the host when nil),
// then for goroot's lib/time/zoneinfo.zip on the host (goroot being the
// installation of the go command on PATH when empty).
func findZoneInfo(root *elfscan.Root, goroot string) (*ZoneInfo, error) {
	if root == nil {
		root = elfscan.HostRoot()
	}
	const dir = "/usr/share/zoneinfo"
	if fi, err := root.Stat(dir); err == nil && fi.IsDir() {
		return &ZoneInfo{root: root, path: dir}, nil
	}
	if goroot == "" {
		goroot = goRootOfPath()
	}
	if goroot != "" {
		if zip, err := filepath.Abs(filepath.Join(goroot, "lib", "time", "zoneinfo.zip")); err == nil {
			host := elfscan.HostRoot()
			if fi, err := host.Stat(zip); err == nil && fi.Mode().IsRegular() {
				return &ZoneInfo{root: host, path: zip, Zip: true}, nil
			}
		}
	}
	return nil, fmt.Errorf("%w: no %s in %s, and no Go zoneinfo.zip", ErrNoZoneInfo, dir, root)
}

// goRootOfPath is the installation of the go command on PATH (its
// bin/go's grandparent, symlinks followed), or "".
func goRootOfPath() string {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return ""
	}
	real, err := filepath.EvalSymlinks(goTool)
	if err != nil {
		return ""
	}
	return filepath.Dir(filepath.Dir(real))
}

// addZoneInfo copies a zoneinfo directory (less its right/ and posix/
// variants, which only duplicate the zones), or a zoneinfo.zip beside it
// with ZONEINFO pointing at it.
func addZoneInfo(p *plan.Plan, z ZoneInfo) ([]string, error) {
	if z.Zip {
		const dst = "/usr/share/zoneinfo.zip"
		if err := p.Add(plan.Entry{Path: dst, Type: plan.TypeFile, Mode: 0o644, Root: z.root, Source: z.path, Why: z.why()}); err != nil {
			return nil, err
		}
		return []string{"ZONEINFO=" + dst}, nil
	}
	top := strings.TrimPrefix(z.path, "/")
	err := fs.WalkDir(z.root, top, func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(name, top), "/")
		if first, _, _ := strings.Cut(rel, "/"); first == "right" || first == "posix" {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		dst := path.Join("/usr/share/zoneinfo", rel)
		switch {
		case d.IsDir():
			return p.Add(plan.Entry{Path: dst, Type: plan.TypeDir, Mode: 0o755, Why: z.why()})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := z.root.ReadLink("/" + name)
			if err != nil {
				return err
			}
			return p.Add(plan.Entry{Path: dst, Type: plan.TypeSymlink, Mode: 0o777, Linkname: target, Why: z.why()})
		case d.Type().IsRegular():
			return p.Add(plan.Entry{Path: dst, Type: plan.TypeFile, Mode: 0o644, Root: z.root, Source: "/" + name, Why: z.why()})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("time zone data %s: %w", z, unwrapPathErr(err))
	}
	return nil, nil
}

// unwrapPathErr drops the path from an *fs.PathError, which the caller
// names in its own terms.
func unwrapPathErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
