package sbom

import (
	"bufio"
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
)

// DB is the package database of one root: which package owns a path.
type DB struct {
	Kind     string              // dpkg, apk, or "" when the root has none
	owners   map[string]*Package // by the paths the database lists
	Packages []*Package
}

// ReadDB reads the package database of root: dpkg's status and file
// lists, distroless's status.d, or apk's installed database. A root with
// none gives an empty DB; a database that cannot be parsed is an error.
func ReadDB(root *elfscan.Root) (*DB, error) {
	distro := osRelease(root)
	for _, read := range []func(*elfscan.Root, string) (*DB, error){readDpkg, readStatusD, readApk} {
		db, err := read(root, distro)
		if err != nil || db != nil {
			return db, err
		}
	}
	return &DB{owners: map[string]*Package{}}, nil
}

// Owner returns the package that owns the file at p (in the root),
// trying also its real path and the other side of a merged /usr, since
// databases list /lib/x/libc.so.6 where the file is /usr/lib/x/libc.so.6.
func (db *DB) Owner(root *elfscan.Root, p string) *Package {
	cands := []string{p}
	if real, _, err := root.Eval(p); err == nil && real != p {
		cands = append(cands, real)
	}
	for _, c := range cands {
		for _, alias := range usrAliases(c) {
			if pkg := db.owners[alias]; pkg != nil {
				return pkg
			}
		}
	}
	return nil
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

// osRelease is the ID in the root's os-release, or "" without one.
func osRelease(root *elfscan.Root) string {
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		b, err := root.ReadFile(p)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "ID="); ok {
				return strings.Trim(v, `"'`)
			}
		}
	}
	return ""
}

// paragraphs splits an RFC 822 style database (dpkg status, apk
// installed) into its paragraphs, each a map of fields (continuation
// lines joined) kept with its raw text.
func paragraphs(b []byte) []paragraph {
	var out []paragraph
	sc := bufio.NewScanner(strings.NewReader(string(b)))
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
