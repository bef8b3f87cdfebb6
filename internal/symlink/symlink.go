// Package symlink resolves slash paths through symlinks inside a tree seen
// as "/", the way the kernel does inside a chroot: an absolute target
// starts again at the tree's root, and ".." is taken after the links
// before it are followed. elfscan walks real directories with it, pack
// walks its planned tree.
package symlink

import (
	"errors"
	"path"
	"strings"
)

// ErrLoop is returned after 40 links, as the kernel's ELOOP.
var ErrLoop = errors.New("too many levels of symbolic links")

// Link is one symlink met on the way.
type Link struct {
	Path   string // the symlink, with no link among its parents
	Target string // what it points to, as written
}

// Readlink reports whether p, whose parents are all resolved, is a
// symlink, and its target. An error stops the walk.
type Readlink func(p string) (target string, isLink bool, err error)

// Resolve follows every symlink in the absolute path p and returns the
// real path and the links it went through.
func Resolve(p string, readlink Readlink) (string, []Link, error) {
	var links []Link
	resolved := "/"
	rest := strings.Split(p, "/") // not cleaned: ".." is taken after the links before it
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
		target, isLink, err := readlink(next)
		if err != nil {
			return "", nil, err
		}
		if !isLink {
			resolved = next
			continue
		}
		if hops++; hops > 40 {
			return "", nil, ErrLoop
		}
		links = append(links, Link{Path: next, Target: target})
		if path.IsAbs(target) {
			resolved = "/"
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return resolved, links, nil
}
