package sbom

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
)

// DB is the package database of one root: which package owns a path.
type DB struct {
	Kind     string // dpkg, apk, or "" when the root has none
	Packages []*Package
	owners   map[string]*Package // by the paths the database lists in itself (apk)
	lists    []fileList          // the files that list the others' paths (dpkg), read when asked
}

// fileList is a file of a dpkg database that lists a package's files:
// info/NAME.list (absolute paths), or status.d/NAME.md5sums ("SUM  path").
type fileList struct {
	pkg     *Package
	file    string
	md5sums bool
}

// ReadDB reads the package database of root: dpkg's status and file
// lists, distroless's status.d, or apk's installed database. A root with
// none gives an empty DB; a database that cannot be parsed is an error.
func ReadDB(root *elfscan.Root) (*DB, error) {
	rel := osRelease(root)
	for _, read := range []func(*elfscan.Root, release) (*DB, error){readDpkg, readStatusD, readApk} {
		db, err := read(root, rel)
		if err != nil || db != nil {
			return db, err
		}
	}
	return &DB{}, nil
}

// Owner returns the package that owns the file at p in root, or nil.
func (db *DB) Owner(root *elfscan.Root, p string) *Package {
	return db.Owners(root, []string{p})[0]
}

// Owners returns the package that owns each file of paths in root (nil
// for one no package owns), trying also its real path and the other side
// of a merged /usr, since databases list /lib/x/libc.so.6 where the file
// is /usr/lib/x/libc.so.6. A dpkg database's file lists are read once
// for all the paths, and only the lines asked for are kept: a system's
// lists name a hundred thousand files.
func (db *DB) Owners(root *elfscan.Root, paths []string) []*Package {
	cands := make([][]string, len(paths))
	wanted := map[string]*Package{}
	for i, p := range paths {
		cs := []string{p}
		if real, _, err := root.Eval(p); err == nil && real != p {
			cs = append(cs, real)
		}
		for _, c := range cs {
			for _, a := range usrAliases(c) {
				cands[i] = append(cands[i], a)
				wanted[a] = db.owners[a]
			}
		}
	}
	left := 0
	for _, pkg := range wanted {
		if pkg == nil {
			left++
		}
	}
	lists := newListReader(root)
	for _, l := range db.lists {
		if left == 0 {
			break
		}
		b, ok := lists.read(l.file)
		for len(b) > 0 && ok {
			var line []byte
			line, b, _ = bytes.Cut(b, []byte("\n"))
			if l.md5sums {
				_, line, _ = bytes.Cut(line, []byte("  "))
				if len(line) == 0 || line[0] == '/' {
					continue
				}
				line = append([]byte("/"), line...)
			}
			if pkg, ok := wanted[string(line)]; ok && pkg == nil {
				wanted[string(line)] = l.pkg
				left--
			}
		}
	}
	out := make([]*Package, len(paths))
	for i := range paths {
		for _, c := range cands[i] {
			if pkg := wanted[c]; pkg != nil {
				out[i] = pkg
				break
			}
		}
	}
	return out
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

// usrAliases are p and its name on the other side of a merged /usr.
func usrAliases(p string) []string {
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

// release is what a root's os-release says of its distribution.
type release struct {
	ID        string // debian, ubuntu, alpine; "" without an os-release
	VersionID string // 12, 3.19.1; "" for one without (Debian's testing)
}

// osRelease reads the root's os-release.
func osRelease(root *elfscan.Root) release {
	var r release
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		b, err := root.ReadFile(p)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "ID="); ok {
				r.ID = strings.Trim(v, `"'`)
			}
			if v, ok := strings.CutPrefix(l, "VERSION_ID="); ok {
				r.VersionID = strings.Trim(v, `"'`)
			}
		}
		return r
	}
	return r
}

// paragraphs splits an RFC 822 style database (dpkg status, apk
// installed) into its paragraphs, each a map of fields (continuation
// lines joined) kept with its raw text.
func paragraphs(b []byte) []paragraph {
	var out []paragraph
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	cur := paragraph{fields: map[string]string{}}
	var last string
	var raw strings.Builder
	flush := func() {
		if len(cur.fields) > 0 {
			cur.raw = raw.String()
			out = append(out, cur)
		}
		cur, last = paragraph{fields: map[string]string{}}, ""
		raw.Reset()
	}
	for sc.Scan() {
		l := sc.Text()
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		raw.WriteString(l + "\n")
		if (l[0] == ' ' || l[0] == '\t') && last != "" {
			cur.fields[last] += "\n" + l
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		last, v = k, strings.TrimSpace(v)
		cur.fields[k] = v
		cur.lines = append(cur.lines, [2]string{k, v})
	}
	flush()
	return out
}

type paragraph struct {
	fields map[string]string // the last value of each field
	lines  [][2]string       // every field in order, repeats kept (apk's F: and R:)
	raw    string
}

// sourceOf splits dpkg's "Source: name (version)".
func sourceOf(s string) (name, version string) {
	name, rest, ok := strings.Cut(s, " (")
	if ok {
		version = strings.TrimSuffix(rest, ")")
	}
	return name, version
}

// add records pkg as the owner of each path.
func (db *DB) add(pkg *Package, paths []string) {
	db.Packages = append(db.Packages, pkg)
	for _, p := range paths {
		p = path.Clean("/" + p)
		if _, ok := db.owners[p]; !ok {
			db.owners[p] = pkg
		}
	}
}

func (db *DB) sort() {
	sort.Slice(db.Packages, func(i, j int) bool { return db.Packages[i].Name < db.Packages[j].Name })
}

func notExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
