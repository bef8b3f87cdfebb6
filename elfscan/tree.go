package elfscan

import "io/fs"

// A tree is what a Root reads. Each operation of a Root reads it through
// one handle, taken when it starts and released when it ends.
type tree interface {
	handle() (handle, error)
}

// A handle reads a tree. Every path it is given is a clean absolute path
// whose parents Root.Eval found to be directories, so that a handle need
// not follow any symlink, and one that reads a host directory must
// refuse to (see dirFS).
type handle interface {
	// lstat describes p itself, and gives its target when it is a
	// symlink.
	lstat(p string) (fs.FileInfo, string, error)
	// open opens p, which lstat described as fi, a regular file or a
	// directory, and describes what it opened.
	open(p string, fi fs.FileInfo) (fs.File, fs.FileInfo, error)
	// readDir lists the directory p, sorted by name.
	readDir(p string) ([]fs.DirEntry, error)
	release()
}

// fsTree is the tree of an fs.ReadLinkFS, such as an image's extracted
// file system, which cannot lead to the host. It is its own handle.
type fsTree struct{ fsys fs.ReadLinkFS }

func (t fsTree) handle() (handle, error) { return t, nil }

func (t fsTree) release() {}

func (t fsTree) lstat(p string) (fs.FileInfo, string, error) {
	fi, err := t.fsys.Lstat(fsName(p))
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return fi, "", err
	}
	target, err := t.fsys.ReadLink(fsName(p))
	return fi, target, err
}

func (t fsTree) open(p string, fi fs.FileInfo) (fs.File, fs.FileInfo, error) {
	f, err := t.fsys.Open(fsName(p))
	return f, fi, err
}

func (t fsTree) readDir(p string) ([]fs.DirEntry, error) { return fs.ReadDir(t.fsys, fsName(p)) }
