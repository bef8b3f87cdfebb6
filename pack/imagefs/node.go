package imagefs

import (
	"archive/tar"
	"errors"
	"io/fs"
	"os"
	"strings"
)

// node is one name in a tree: the merged image, or one layer's own tree
// as Docker unpacks it (see unpack.go).
type node struct {
	ino    *inode
	kids   map[string]*node // a directory's children, by name
	names  []string         // kids' names, sorted, once the image's tree is sealed
	opaque bool             // a layer's directory that hides the lower layers' children
}

// inode is what a name points at; hard links share one.
type inode struct {
	hdr *tar.Header // a trimmed copy of the entry's header: Name is unused
	off int64       // where a regular file's content starts in src
	src *os.File    // a kept tar stream, or nil for the temporary file
}

func newNode(hdr *tar.Header, off int64) *node {
	n := &node{ino: &inode{hdr: hdr, off: off}}
	if hdr.Typeflag == tar.TypeDir {
		n.kids = map[string]*node{}
	}
	return n
}

func (n *node) isDir() bool     { return n.ino.hdr.Typeflag == tar.TypeDir }
func (n *node) isSymlink() bool { return n.ino.hdr.Typeflag == tar.TypeSymlink }

// isWhiteout reports whether n is what overlayfs takes for a deletion: a
// character device 0:0, which Docker makes of a .wh.NAME entry (and which
// a layer may also hold as such).
func (n *node) isWhiteout() bool {
	h := n.ino.hdr
	return h.Typeflag == tar.TypeChar && h.Devmajor == 0 && h.Devminor == 0
}

// implicitDir is the header of a directory that no entry made: Docker
// creates a missing parent with mode 0755, owned by root.
func implicitDir() *tar.Header {
	return &tar.Header{Typeflag: tar.TypeDir, Mode: 0o755}
}

var (
	errNotExist = fs.ErrNotExist
	errNotDir   = errors.New("not a directory")
	errLoop     = errors.New("too many levels of symbolic links")
)

// maxLinks is how many symlinks one resolution follows, as Linux's.
const maxLinks = 40

// resolve finds the absolute path p in the tree at root as the kernel
// would inside a chroot to it: symlinks in every component but the last
// are followed (the last too when followLast), absolute targets start
// again at the root, and ".." at the root stays there.
func resolve(root *node, p string, followLast bool) (*node, error) {
	stack := []*node{root}
	comps := strings.Split(p, "/")
	links := 0
	for len(comps) > 0 {
		c := comps[0]
		comps = comps[1:]
		cur := stack[len(stack)-1]
		if c == "" || c == "." {
			continue
		}
		if !cur.isDir() {
			return nil, errNotDir
		}
		if c == ".." {
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		n := cur.kids[c]
		if n == nil {
			return nil, errNotExist
		}
		if n.isSymlink() && (followLast || !lastComponent(comps)) {
			if links++; links > maxLinks {
				return nil, errLoop
			}
			target := n.ino.hdr.Linkname
			if strings.HasPrefix(target, "/") {
				stack = stack[:1]
			}
			comps = append(strings.Split(target, "/"), comps...)
			continue
		}
		stack = append(stack, n)
	}
	return stack[len(stack)-1], nil
}

// lastComponent reports whether the components left name nothing more.
func lastComponent(rest []string) bool {
	for _, c := range rest {
		if c != "" && c != "." {
			return false
		}
	}
	return true
}
