package imagefs

import (
	"archive/tar"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
)

// Docker's whiteout names (the AUFS convention the OCI image spec took).
const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
	opaqueXattr    = "SCHILY.xattr.trusted.overlay.opaque"
)

// unpacker builds one layer's own tree the way Debian's dockerd 20.10
// with overlay2 unpacks a layer: into an empty directory of its own,
// inside a chroot to it, the entries in order (see the tests, which run
// the same layers in Docker). That is:
//
//   - A name is cleaned and placed under the root; "/etc/x", "etc/x" and
//     "./etc//x" are one place. Two entries whose raw names clean to the
//     same string refuse the layer, as Docker's pull does ("duplicates of
//     file paths not supported"); names that differ only by a leading "/"
//     are not duplicates to Docker, and the later one wins.
//   - A missing parent is made, mode 0755, and the entry replaces what is
//     at its name unless both are directories (then the entry's metadata
//     is the directory's, its children stay).
//   - .wh.NAME makes a whiteout of NAME (a character device 0:0, as
//     overlayfs wants); NAME already made by this layer refuses it, as
//     Docker's mknod fails. .wh..wh..opq marks its directory opaque, as
//     does the xattr trusted.overlay.opaque=y.
//   - A hard link's target must be an earlier non-directory entry of this
//     same layer (Docker's link(2) in the layer's own directory fails
//     otherwise); the link shares it, as it was at that moment, and the
//     link's owner and mode are applied to both.
//   - Symlinks in the layer are followed inside its root for the parents
//     of later entries, as the kernel does in the chroot. A symlink of a
//     lower layer is not there to follow: an entry beneath it makes a real
//     directory in this layer, and that directory hides the lower symlink
//     once the layers are stacked (merge.go). This is what Docker does; we
//     match it rather than refuse: the result is well defined, and
//     refusing would turn away images that Docker runs.
//
// Two rules are ours. A name (or hard link target) that climbs above the
// root with ".." refuses the layer, where Docker's chroot quietly makes
// "../x" into "/x". A GNU sparse entry refuses it too (tarbound, checked
// before any content is copied), where Docker writes every hole out as
// zeros: keeping holes as holes would need a sparse temporary file and a
// sparse layer out of pack, a terabyte file of holes would still be a
// terabyte once packed, and no image builder writes sparse entries, so
// refusing turns away no image that Docker runs sensibly.
type unpacker struct {
	root *node
	seen map[string]bool // raw names, cleaned as Docker's tar-split does
	src  *os.File        // where regular files' contents are, or nil for the temporary file
}

func newUnpacker() *unpacker {
	return &unpacker{root: newNode(implicitDir(), 0), seen: map[string]bool{}}
}

// add applies one entry; its content, for a regular file, is at off in
// the temporary file.
func (u *unpacker) add(hdr *tar.Header, off int64) error {
	key := path.Clean(hdr.Name)
	if u.seen[key] {
		return errors.New("is a second entry of that name; Docker refuses a layer with duplicate paths")
	}
	u.seen[key] = true
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	p, err := cleanName(hdr.Name)
	if err != nil {
		return err
	}
	if p == "/" {
		if hdr.Typeflag != tar.TypeDir {
			return errors.New("names the root, and is not a directory")
		}
		u.root.ino = &inode{hdr: trim(hdr)}
		return nil
	}
	dir, base := path.Split(p)
	parent, err := u.parent(dir)
	if err != nil {
		return err
	}
	old := parent.kids[base]
	if old != nil && old.isDir() && hdr.Typeflag == tar.TypeDir {
		if strings.HasPrefix(base, whiteoutPrefix) {
			return u.whiteout(parent, base)
		}
		old.ino = &inode{hdr: trim(hdr)}
		old.opaque = old.opaque || hdr.PAXRecords[opaqueXattr] == "y"
		return nil
	}
	delete(parent.kids, base) // with any subtree, before a link is resolved
	if strings.HasPrefix(base, whiteoutPrefix) {
		return u.whiteout(parent, base)
	}
	var n *node
	switch hdr.Typeflag {
	case tar.TypeReg, tar.TypeDir, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		n = newNode(trim(hdr), off)
		n.ino.src = u.src
		n.opaque = hdr.Typeflag == tar.TypeDir && hdr.PAXRecords[opaqueXattr] == "y"
	case tar.TypeLink:
		if n, err = u.link(hdr); err != nil {
			return err
		}
	default:
		return fmt.Errorf("has tar type %q, which Docker does not extract", hdr.Typeflag)
	}
	parent.kids[base] = n
	return nil
}

// parent returns the directory an entry in dir goes into, making it and
// its missing parents as Docker does (os.MkdirAll after an Lstat).
func (u *unpacker) parent(dir string) (*node, error) {
	if _, err := resolve(u.root, dir, false); errors.Is(err, errNotExist) {
		if err := u.mkdirAll(path.Clean(dir)); err != nil {
			return nil, fmt.Errorf("cannot be made: making its parent %q: %w", path.Clean(dir), err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("cannot be made: its parent %q: %w", path.Clean(dir), err)
	}
	parent, err := resolve(u.root, dir, true)
	switch {
	case err != nil:
		return nil, fmt.Errorf("cannot be made: its parent %q: %w", path.Clean(dir), err)
	case !parent.isDir():
		return nil, fmt.Errorf("cannot be made: its parent %q: %w", path.Clean(dir), errNotDir)
	}
	return parent, nil
}

// mkdirAll is os.MkdirAll in the layer's tree: symlinks are followed, and
// a name that exists as anything but a directory is an error.
func (u *unpacker) mkdirAll(p string) error {
	if n, err := resolve(u.root, p, true); err == nil {
		if n.isDir() {
			return nil
		}
		return errNotDir
	}
	dir, base := path.Split(p)
	if dir != "/" {
		if err := u.mkdirAll(path.Clean(dir)); err != nil {
			return err
		}
	}
	parent, err := resolve(u.root, dir, true)
	if err != nil {
		return err
	}
	if !parent.isDir() {
		return errNotDir
	}
	if parent.kids[base] != nil {
		return errors.New("file exists") // a dangling symlink, say
	}
	parent.kids[base] = newNode(implicitDir(), 0)
	return nil
}

// whiteout applies .wh.NAME or .wh..wh..opq in parent.
func (u *unpacker) whiteout(parent *node, base string) error {
	if base == opaqueMarker {
		parent.opaque = true
		return nil
	}
	name := strings.TrimPrefix(base, whiteoutPrefix)
	if name == "" {
		return errors.New("is a whiteout of no name; Docker refuses it (mknod of its directory: file exists)")
	}
	if parent.kids[name] != nil {
		return errors.New("is a whiteout of a name this layer already made; Docker refuses it (mknod: file exists)")
	}
	parent.kids[name] = newNode(&tar.Header{Typeflag: tar.TypeChar}, 0)
	return nil
}

// link makes a hard link's node: it shares its target's inode.
func (u *unpacker) link(hdr *tar.Header) (*node, error) {
	target, err := cleanName(hdr.Linkname)
	if err != nil {
		return nil, fmt.Errorf("is a hard link whose target %q %v", hdr.Linkname, err)
	}
	t, err := resolve(u.root, target, false)
	switch {
	case errors.Is(err, errNotExist):
		return nil, fmt.Errorf("is a hard link to %q, which is not an earlier entry of the same layer; Docker refuses it", hdr.Linkname)
	case err != nil:
		return nil, fmt.Errorf("is a hard link to %q: %w", hdr.Linkname, err)
	case t.isDir():
		return nil, fmt.Errorf("is a hard link to the directory %q; Docker refuses it", hdr.Linkname)
	}
	h := t.ino.hdr
	h.Uid, h.Gid = hdr.Uid, hdr.Gid
	if h.Typeflag != tar.TypeSymlink {
		h.Mode = h.Mode&^0o7777 | hdr.Mode&0o7777
		h.ModTime = hdr.ModTime
	}
	return &node{ino: t.ino}, nil
}

// trim keeps what the image's file system needs of a header, so that
// memory holds no PAX records or names beyond the node's own.
func trim(h *tar.Header) *tar.Header {
	t := &tar.Header{
		Typeflag: h.Typeflag, Linkname: h.Linkname, Size: h.Size, Mode: h.Mode,
		Uid: h.Uid, Gid: h.Gid, Uname: h.Uname, Gname: h.Gname, ModTime: h.ModTime,
		Devmajor: h.Devmajor, Devminor: h.Devminor,
	}
	if t.Typeflag != tar.TypeReg {
		t.Size = 0
	}
	return t
}
