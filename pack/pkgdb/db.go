package pkgdb

import (
	"bytes"
	"errors"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/scratchpack/scratchpack/elfscan"
)

// DB is the package database of one root: its installed packages, and
// which of them owns a path.
type DB struct {
	Kind     string // dpkg, apk, or "" when the root has none
	Packages []*Package
	owners   map[string]*Package   // by the paths the database lists in itself (apk)
	lists    []fileList            // the files that list the others' paths (dpkg), read when asked
	byName   map[string][]*Package // by name, each name's packages sorted by architecture
	provides map[string][]*Package // by the virtual names they provide

	mu        sync.Mutex            // guards what follows
	reader    *listReader           // the lists' directories, listed once
	files     map[*Package][]string // Files' answers, each list read once
	knownRoot *elfscan.Root         // the root whose lists follow
	known     map[string]*Package   // the paths of the lists read so far, each with its package
	read      []bool                // which of lists are read into known
	index     *Index                // known, once every list is read (Index)
}

// listReader returns the reader of root's file lists, made once: a
// dpkg info directory holds thousands of entries, and listing it for
// each question made a bulk scan take minutes. The caller holds db.mu.
func (db *DB) listReader(root *elfscan.Root) *listReader {
	if db.reader == nil || !db.reader.root.Same(root) {
		db.reader = newListReader(root)
	}
	return db.reader
}

// fileList is a file of a dpkg database that lists a package's files:
// info/NAME.list (absolute paths), or status.d/NAME.md5sums ("SUM  path").
type fileList struct {
	pkg     *Package
	file    string
	md5sums bool
}

// Read reads the package database of root: dpkg's status and file
// lists, distroless's status.d, or apk's installed database. A root with
// none gives an empty DB; a database that cannot be parsed is an error.
func Read(root *elfscan.Root) (*DB, error) {
	rel := osRelease(root)
	for _, read := range []func(*elfscan.Root, release) (*DB, error){readDpkg, readStatusD, readApk} {
		db, err := read(root, rel)
		if err != nil || db != nil {
			return db, err
		}
	}
	return &DB{}, nil
}

// Present reports whether root has something Read would read as a
// package database (dpkg's status or status.d, apk's installed), telling
// so without reading it.
func Present(root *elfscan.Root) bool {
	for _, p := range []string{dpkgStatus, statusD, apkInstalled} {
		if _, err := root.Lstat(p); !notExist(err) {
			return true // there, or not to be told: Read says which
		}
	}
	return false
}

// Package returns the installed package called name, or nil. A name may
// carry a Debian architecture (libc6:amd64); without one, of the
// packages of that name (a multiarch system's libc6:amd64 and
// libc6:i386) the first by architecture is returned.
func (db *DB) Package(name string) *Package {
	n, arch, _ := strings.Cut(name, ":")
	for _, p := range db.byName[n] {
		if arch == "" || arch == "any" || p.Arch == arch {
			return p
		}
	}
	return nil
}

// Owner returns the package that owns the file at p in root, or nil.
func (db *DB) Owner(root *elfscan.Root, p string) *Package {
	return db.Owners(root, []string{p})[0]
}

// Owners returns the package that owns each file of paths in root (nil
// for one no package owns), trying also its real path and the other side
// of a merged /usr, since databases list /lib/x/libc.so.6 where the file
// is /usr/lib/x/libc.so.6. A dpkg database's file lists are read until
// every path has an owner, those of the packages named like a library
// asked for first (libc6's for libc.so.6), and each list is read once
// for all the calls: what it names is kept. A system's lists name a
// hundred thousand files: a pack asks of a few (the program, its
// libraries: a dozen lists), a bulk scan of each program's closure in
// turn (in the end, every list once).
func (db *DB) Owners(root *elfscan.Root, paths []string) []*Package {
	db.mu.Lock()
	defer db.mu.Unlock()
	out := make([]*Package, len(paths))
	if !slices.ContainsFunc(paths, func(p string) bool { return !unlisted(p) || realListed(root, p) }) {
		return out // not a question for the lists
	}
	db.readIn(root)
	wanted := map[string][]int{} // each name not known yet: the paths it may be
	left := 0
	for i, p := range paths {
		cs := []string{p}
		if real, _, err := root.Eval(p); err == nil && real != p {
			cs = append(cs, real)
		}
		var cands []string
		listed := false // whether a file list could name it
		for _, c := range cs {
			for _, a := range UsrAliases(c) {
				cands = append(cands, a)
				listed = listed || !unlisted(a)
			}
		}
		if out[i] = db.lookup(cands); out[i] == nil && listed {
			left++
			for _, a := range cands {
				wanted[a] = append(wanted[a], i)
			}
		}
	}
	// Each path takes the first list read that names any of its names.
	for _, li := range db.likelyFirst(paths) {
		if left == 0 {
			break
		}
		db.readList(root, li, func(line string, pkg *Package) {
			for _, i := range wanted[line] {
				if out[i] == nil {
					out[i] = pkg
					left--
				}
			}
		})
	}
	return out
}

// readIn makes root the root whose lists are read and known; the caller
// holds db.mu.
func (db *DB) readIn(root *elfscan.Root) {
	if db.known == nil || !db.knownRoot.Same(root) {
		db.known, db.knownRoot, db.read, db.index = map[string]*Package{}, root, make([]bool, len(db.lists)), nil
	}
}

// lookup is the package of the first of names that the database or a
// list read so far names; the caller holds db.mu.
func (db *DB) lookup(names []string) *Package {
	for _, n := range names {
		if pkg := db.owners[n]; pkg != nil {
			return pkg
		}
		if pkg := db.known[n]; pkg != nil {
			return pkg
		}
	}
	return nil
}

// readList reads list li of the database in db.knownRoot, unless it was
// read already, into db.known (a path a list read before names keeps
// that list's package) and hands each path it names to found. The caller
// holds db.mu.
func (db *DB) readList(root *elfscan.Root, li int, found func(string, *Package)) {
	if db.read[li] {
		return
	}
	db.read[li] = true
	l := db.lists[li]
	b, ok := db.listReader(root).read(l.file)
	for len(b) > 0 && ok {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte("\n"))
		if l.md5sums {
			if line = md5sumsPath(line); line == nil {
				continue
			}
		}
		if _, ok := db.known[string(line)]; ok || len(line) == 0 {
			continue
		}
		if k := string(line); !unlisted(k) { // as Owners, which does not look for it
			db.known[k] = l.pkg
			found(k, l.pkg)
		}
	}
}

// unlisted reports whether a file at p is one no Debian package lists:
// one in /tmp, /var/tmp, /home or /root, where policy lets no package
// install a file. A program built there (go build's output, a user's
// checkout) would otherwise have every one of a system's thousands of
// file lists read in vain, a third of a second of a build.
func unlisted(p string) bool {
	for _, d := range []string{"/tmp/", "/var/tmp/", "/home/", "/root/"} {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// realListed reports whether the real path of the file at p, a link's
// target, is one a list could name.
func realListed(root *elfscan.Root, p string) bool {
	real, _, err := root.Eval(p)
	return err == nil && real != p && !unlisted(real)
}

// likelyFirst is the indexes of the database's lists, those of packages
// whose names start as a library's of paths does (libc for libc.so.6,
// libssl for libssl.so.3), or as a program's name (containerd for
// /usr/bin/containerd), first, in the database's order.
func (db *DB) likelyFirst(paths []string) []int {
	var stems []string
	for _, p := range paths {
		if stem, _, _ := strings.Cut(path.Base(p), ".so"); len(stem) > 3 {
			stems = append(stems, stem)
		}
	}
	first := make([]int, 0, len(db.lists))
	var rest []int
	for i, l := range db.lists {
		likely := false
		for _, s := range stems {
			likely = likely || strings.HasPrefix(l.pkg.Name, s)
		}
		if likely {
			first = append(first, i)
		} else {
			rest = append(rest, i)
		}
	}
	return append(first, rest...)
}

// Files returns every path pkg lists in root's database, clean and
// absolute, in the order listed: directories, files and symlinks from
// dpkg's info/NAME.list and Alpine's database, the regular files alone
// from a distroless md5sums list. A package whose list is missing lists
// nothing.
func (db *DB) Files(root *elfscan.Root, pkg *Package) ([]string, error) {
	if pkg.lists == nil {
		return pkg.files, nil
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if files, ok := db.files[pkg]; ok {
		return files, nil
	}
	if db.files == nil {
		db.files = map[*Package][]string{}
	}
	lists := db.listReader(root)
	for _, l := range pkg.lists {
		b, ok := lists.read(l.file)
		if !ok {
			continue
		}
		var out []string
		for len(b) > 0 {
			var line []byte
			line, b, _ = bytes.Cut(b, []byte("\n"))
			if l.md5sums {
				line = md5sumsPath(line)
			}
			if len(line) == 0 || line[0] != '/' {
				continue
			}
			if p := path.Clean(string(line)); p != "/" {
				out = append(out, p)
			}
		}
		db.files[pkg] = out
		return out, nil
	}
	db.files[pkg] = nil
	return nil, nil
}

// md5sumsPath is the absolute path a line of an md5sums file names
// ("SUM  usr/bin/x"), or nil for a line that names none.
func md5sumsPath(line []byte) []byte {
	_, p, _ := bytes.Cut(line, []byte("  "))
	if len(p) == 0 || p[0] == '/' {
		return nil
	}
	return append([]byte("/"), p...)
}

// listReader reads the file lists of a database's directories: each
// directory's symlinks are followed in the root once, its entries listed
// once, and only its regular files read, straight from the root's file
// system (a system has hundreds of lists).
type listReader struct {
	root *elfscan.Root
	dirs map[string]*listDir
}

type listDir struct {
	real  string          // the directory's real path in the root
	files map[string]bool // its regular files
}

func newListReader(root *elfscan.Root) *listReader {
	return &listReader{root: root, dirs: map[string]*listDir{}}
}

// read returns the content of the list at p, and whether there is one.
func (r *listReader) read(p string) ([]byte, bool) {
	dir, name := path.Split(p)
	d := r.dirs[dir]
	if d == nil {
		d = &listDir{files: map[string]bool{}}
		r.dirs[dir] = d
		if real, _, err := r.root.Eval(path.Clean(dir)); err == nil {
			d.real = real
			ents, _ := r.root.ReadDir(real)
			for _, e := range ents {
				if e.Type().IsRegular() {
					d.files[e.Name()] = true
				}
			}
		}
	}
	if !d.files[name] {
		return nil, false
	}
	b, err := r.root.ReadFile(path.Join(d.real, name))
	return b, err == nil
}

// UsrAliases are p and its name on the other side of a merged /usr:
// /lib/x/libc.so.6 and /usr/lib/x/libc.so.6.
func UsrAliases(p string) []string {
	for _, d := range []string{"/bin/", "/sbin/", "/lib/", "/lib32/", "/lib64/", "/libx32/"} {
		if strings.HasPrefix(p, d) {
			return []string{p, "/usr" + p}
		}
		if strings.HasPrefix(p, "/usr"+d) {
			return []string{p, strings.TrimPrefix(p, "/usr")}
		}
	}
	return []string{p}
}

// add records pkg as the owner of each path.
func (db *DB) add(pkg *Package, paths []string) {
	db.Packages = append(db.Packages, pkg)
	for _, p := range paths {
		p = path.Clean("/" + p)
		pkg.files = append(pkg.files, p)
		if _, ok := db.owners[p]; !ok {
			db.owners[p] = pkg
		}
	}
}

// finish sorts the packages, indexes them by name and by what they
// provide, and resolves each one's dependencies to installed packages.
func (db *DB) finish() {
	sort.SliceStable(db.Packages, func(i, j int) bool {
		a, b := db.Packages[i], db.Packages[j]
		return a.Name < b.Name || a.Name == b.Name && a.Arch < b.Arch
	})
	db.byName, db.provides = map[string][]*Package{}, map[string][]*Package{}
	for _, p := range db.Packages {
		db.byName[p.Name] = append(db.byName[p.Name], p)
		for _, v := range p.provides {
			db.provides[v] = append(db.provides[v], p)
		}
	}
	for _, p := range db.Packages {
		p.Depends = nil
		for _, alts := range p.depends {
			for _, a := range alts {
				if dep := db.installed(a, p.Arch); dep != nil {
					// A package depends on a few dozen at most: a
					// list is searched faster than a map is made.
					if dep.Name != p.Name && !slices.Contains(p.Depends, dep.Name) {
						p.Depends = append(p.Depends, dep.Name)
					}
					break
				}
			}
		}
	}
}

// installed is the installed package a dependency's name means, for a
// package of arch: one of that name (of arch, or all, when there are
// several), else one that provides it.
func (db *DB) installed(name, arch string) *Package {
	for _, ps := range [][]*Package{db.byName[name], db.provides[name]} {
		for _, p := range ps {
			if p.Arch == arch || p.DataOnly() {
				return p
			}
		}
		if len(ps) > 0 {
			return ps[0]
		}
	}
	return nil
}

func notExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
