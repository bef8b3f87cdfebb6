package pkgdb

import (
	"fmt"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
)

const (
	dpkgStatus = "/var/lib/dpkg/status"
	statusD    = "/var/lib/dpkg/status.d"
)

// readDpkg reads Debian's database: the installed packages of
// /var/lib/dpkg/status and the files each lists in info/NAME[:ARCH].list.
func readDpkg(root *elfscan.Root, rel release) (*DB, error) {
	b, err := root.ReadFile(dpkgStatus)
	if notExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("%s in %s: %w", dpkgStatus, root, err)
	}
	db := &DB{Kind: "dpkg"}
	for _, para := range paragraphs(b) {
		f := para.fields
		if !strings.HasSuffix(f.get("Status"), " installed") || f.get("Package") == "" {
			continue
		}
		pkg := debPackage(para, rel)
		db.Packages = append(db.Packages, pkg)
		for _, name := range []string{f.get("Package") + ":" + f.get("Architecture"), f.get("Package")} {
			l := fileList{pkg: pkg, file: "/var/lib/dpkg/info/" + name + ".list"}
			db.lists = append(db.lists, l)
			pkg.lists = append(pkg.lists, l)
		}
	}
	db.finish()
	return db, nil
}

// readStatusD reads distroless's database: one paragraph per package in
// /var/lib/dpkg/status.d/NAME, its files in NAME.md5sums.
func readStatusD(root *elfscan.Root, rel release) (*DB, error) {
	const dir = statusD
	ents, err := root.ReadDir(dir)
	if notExist(err) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("%s in %s: %w", dir, root, err)
	}
	db := &DB{Kind: "dpkg"}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".md5sums") || !e.Type().IsRegular() {
			continue // a package's paragraph is in NAME, which may hold dots (libldap-2.5-0)
		}
		b, err := root.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("%s/%s in %s: %w", dir, e.Name(), root, err)
		}
		for _, para := range paragraphs(b) {
			if para.fields.get("Package") == "" || para.fields.get("Version") == "" {
				continue // not a package's paragraph, as Trivy reads status.d
			}
			pkg := debPackage(para, rel)
			db.Packages = append(db.Packages, pkg)
			l := fileList{pkg: pkg, file: dir + "/" + e.Name() + ".md5sums", md5sums: true}
			db.lists = append(db.lists, l)
			pkg.lists = append(pkg.lists, l)
		}
	}
	db.finish()
	return db, nil
}

// debPackage is one paragraph of a dpkg database.
func debPackage(para paragraph, rel release) *Package {
	f := para.fields
	pkg := &Package{Type: "deb", Distro: rel.ID, DistroVersion: rel.VersionID, Name: f.get("Package"), Version: f.get("Version"), Arch: f.get("Architecture"), Maintainer: f.get("Maintainer"), Stanza: para.raw}
	if pkg.Distro == "" {
		pkg.Distro = "debian"
	}
	if s := f.get("Source"); s != "" {
		pkg.Source, pkg.SourceVersion = sourceOf(s)
	}
	pkg.Essential = f.get("Essential") == "yes"
	for _, k := range []string{"Pre-Depends", "Depends"} {
		pkg.depends = append(pkg.depends, debRelations(f.get(k))...)
	}
	for _, alts := range debRelations(f.get("Provides")) {
		pkg.provides = append(pkg.provides, alts...)
	}
	for l := range strings.SplitSeq(f.get("Conffiles"), "\n") {
		if p, _, _ := strings.Cut(strings.TrimSpace(l), " "); strings.HasPrefix(p, "/") {
			pkg.Conffiles = append(pkg.Conffiles, p)
		}
	}
	return pkg
}

// debRelations parses a relationship field (Depends: "libc6 (>= 2.34),
// libmagic-mgc (= 1:5.44-3), debconf | debconf-2.0") into the names of
// each relation's alternatives, versions, architecture qualifiers
// (python3:any) and restrictions dropped.
func debRelations(s string) [][]string {
	var out [][]string
	for rel := range strings.SplitSeq(s, ",") {
		var alts []string
		for a := range strings.SplitSeq(rel, "|") {
			name := strings.TrimSpace(a)
			if i := strings.IndexAny(name, " \t\n(["); i >= 0 {
				name = name[:i]
			}
			name, _, _ = strings.Cut(name, ":") // python3:any, libc6:amd64
			if name != "" {
				alts = append(alts, name)
			}
		}
		if len(alts) > 0 {
			out = append(out, alts)
		}
	}
	return out
}

// sourceOf splits dpkg's "Source: name (version)".
func sourceOf(s string) (name, version string) {
	name, rest, ok := strings.Cut(s, " (")
	if ok {
		version = strings.TrimSuffix(rest, ")")
	}
	return name, version
}
