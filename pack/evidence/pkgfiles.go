package evidence

import (
	"context"
	"io/fs"
	"sync"

	"github.com/scratchpack/scratchpack/pack/pkgdb"
)

// pkgFiles are the files of packages that package evidence may ship,
// each package's found once: the files its list names that the data
// filter of one environment keeps (all of them that may be shipped, for
// --packages, and its conffiles), and that its root holds as a regular
// file, a symlink or a directory. A bulk scan asks it for the same
// packages (libc's neighbours, libssl3, libgcc-s1) for every program;
// which of those files a plan takes (--exclude, what the plan holds
// already) is its own, asked by addPackage each time. Like an
// elfscan.Cache, it assumes the root's files do not change while it
// lives. It is safe for concurrent use.
type pkgFiles struct {
	keep func(p string, all bool) bool
	mu   sync.Mutex
	pkgs map[pkgFilesKey][]pkgFile
}

// pkgFilesKey names one package's files: a package of one database,
// hence of one root, its data or all of it.
type pkgFilesKey struct {
	pkg *pkgdb.Package
	all bool
}

// pkgFile is a file a package lists, as its root holds it.
type pkgFile struct {
	path string
	fi   fs.FileInfo
}

// newPkgFiles returns the package files of an image with environment env
// (its LANG chooses the translations kept).
func newPkgFiles(env []string) *pkgFiles {
	return &pkgFiles{keep: dataFilter(env), pkgs: map[pkgFilesKey][]pkgFile{}}
}

// of returns the files of ev's package that may be shipped, in the order
// its database lists them. The slice is shared: callers must not change it.
func (c *pkgFiles) of(ctx context.Context, ev pkgEvidence) ([]pkgFile, error) {
	k := pkgFilesKey{ev.pkg, ev.all}
	c.mu.Lock()
	got, ok := c.pkgs[k]
	c.mu.Unlock()
	if ok {
		return got, nil
	}
	files, err := ev.db.Files(ev.root, ev.pkg)
	if err != nil {
		return nil, err
	}
	conf := map[string]bool{}
	for _, f := range ev.pkg.Conffiles {
		conf[f] = true
	}
	got = []pkgFile{}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !c.keep(f, ev.all || conf[f]) {
			continue
		}
		fi, err := ev.root.Lstat(f)
		if err != nil {
			continue // listed, but removed from the root
		}
		switch {
		case fi.Mode().IsRegular(), fi.Mode()&fs.ModeSymlink != 0, fi.IsDir(): // a directory listed is kept, empty or not
		default:
			continue // a device, a socket
		}
		got = append(got, pkgFile{f, fi})
	}
	c.mu.Lock()
	c.pkgs[k] = got
	c.mu.Unlock()
	return got, nil
}
