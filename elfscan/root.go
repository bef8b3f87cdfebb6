package elfscan

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Link is one symlink met on the way from a path to the file it names.
type Link struct {
	Path   string `json:"path"`   // the symlink, an absolute path in its root
	Target string `json:"target"` // what it points to, as written
}

// root is a directory tree seen as "/": the host root, or a --sysroot.
// Absolute symlink targets resolve inside it, never outside.
type root struct {
	dir string // host directory; "/" for the host root
}

func newRoot(dir string) root {
	if dir == "" {
		return root{dir: "/"}
	}
	return root{dir: filepath.Clean(dir)}
}

// host maps an absolute path in the root to a host path.
func (r root) host(p string) string {
	if r.dir == "/" {
		return p
	}
	return filepath.Join(r.dir, p)
}

// errLoop is returned for too many symlinks, as the kernel's ELOOP.
var errLoop = errors.New("too many levels of symbolic links")

// eval follows every symlink in the absolute root path p, the way the
// kernel would inside a chroot to the root, and returns the real path with
// the symlinks it went through.
func (r root) eval(p string) (string, []Link, error) {
	var links []Link
	resolved := "/"
	rest := strings.Split(path.Clean("/"+p), "/")
	for hops := 0; len(rest) > 0; {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			resolved = path.Dir(resolved)
			continue
		}
		next := path.Join(resolved, c)
		fi, err := os.Lstat(r.host(next))
		if err != nil {
			return "", nil, err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if hops++; hops > 40 {
			return "", nil, errLoop
		}
		target, err := os.Readlink(r.host(next))
		if err != nil {
			return "", nil, err
		}
		links = append(links, Link{Path: next, Target: target})
		if path.IsAbs(target) {
			resolved = "/"
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return resolved, links, nil
}
