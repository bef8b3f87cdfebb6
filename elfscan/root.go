package elfscan

import (
	"io/fs"
	"os"
	"path/filepath"

	"github.com/scratchpack/scratchpack/internal/symlink"
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

// eval follows every symlink in the absolute root path p, the way the
// kernel would inside a chroot to the root, and returns the real path with
// the symlinks it went through.
func (r root) eval(p string) (string, []Link, error) {
	real, steps, err := symlink.Resolve(p, func(next string) (string, bool, error) {
		fi, err := os.Lstat(r.host(next))
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return "", false, err
		}
		target, err := os.Readlink(r.host(next))
		return target, err == nil, err
	})
	if err != nil {
		return "", nil, err
	}
	links := make([]Link, len(steps))
	for i, s := range steps {
		links[i] = Link(s)
	}
	return real, links, nil
}
