package statusd

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// Owners finds the package that owns the source of each file of the
// plan that has one, by its image path: for each root, the database is
// asked once for all its files.
func Owners(dbs *pkgdb.DBs, p *plan.Plan) (map[string]*pkgdb.Package, error) {
	type group struct {
		root        *elfscan.Root
		srcs, paths []string
	}
	var groups []*group
	for _, e := range p.Entries() {
		if e.Type != plan.TypeFile || e.Source == "" {
			continue
		}
		root, src := e.SourceRoot()
		i := slices.IndexFunc(groups, func(g *group) bool { return g.root.Same(root) })
		if i < 0 {
			groups, i = append(groups, &group{root: root}), len(groups)
		}
		groups[i].srcs, groups[i].paths = append(groups[i].srcs, src), append(groups[i].paths, e.Path)
	}
	out := map[string]*pkgdb.Package{}
	for _, g := range groups {
		db, err := dbs.For(g.root)
		if err != nil {
			return nil, err
		}
		for i, pkg := range db.Owners(g.root, g.srcs) {
			out[g.paths[i]] = pkg
		}
	}
	return out, nil
}

// Add writes, for the plan's files that a package database
// owns (owners, by image path), the database scanners read, pruned to
// the packages and files shipped, and the files by which they recognise
// the distribution, each read from the root:
//
//   - Debian: each package's paragraph in /var/lib/dpkg/status.d/NAME and
//     the md5sums of its shipped files in NAME.md5sums, as distroless
//     does; /etc/os-release and /etc/debian_version (Trivy knows Debian
//     by the latter), which bring base-files, their owner, as distroless
//     has it; for Ubuntu, /etc/lsb-release too.
//   - Alpine: /lib/apk/db/installed with the shipped packages and files,
//     /etc/os-release and /etc/alpine-release.
//
// The release files' owners are added to owners, so the SBOM names them.
// A root with no package database gets nothing.
func Add(p *plan.Plan, dbs *pkgdb.DBs, owners map[string]*pkgdb.Package) error {
	s, err := shippedPackages(p, owners)
	if err != nil || len(s.order) == 0 {
		return err
	}
	first := s.byPkg[s.order[0]]
	kind := s.order[0].Type
	releases := []string{"/etc/os-release", "/etc/debian_version"}
	switch {
	case kind == "apk":
		releases = []string{"/etc/os-release", "/etc/alpine-release"}
	case s.order[0].Distro == "ubuntu":
		releases = append(releases, "/etc/lsb-release") // Trivy knows Ubuntu by it, Debian by debian_version
	}
	if err := addReleaseFiles(p, dbs, first.root, first.entryRoot, releases, owners); err != nil {
		return err
	}
	if s, err = shippedPackages(p, owners); err != nil {
		return err
	}
	if kind == "apk" {
		var db strings.Builder
		for _, pkg := range s.order {
			if pkg.Type == "apk" {
				db.WriteString(ApkInstalled(pkg, s.byPkg[pkg].files) + "\n")
			}
		}
		return p.Add(plan.Entry{Path: "/lib/apk/db/installed", Type: plan.TypeFile, Mode: 0o644, Data: []byte(db.String())})
	}
	for _, pkg := range s.order {
		if pkg.Type != "deb" {
			continue
		}
		sh := s.byPkg[pkg]
		dir := "/var/lib/dpkg/status.d/"
		if err := p.Add(plan.Entry{Path: dir + pkg.Name, Type: plan.TypeFile, Mode: 0o644, Data: []byte(Paragraph(pkg))}); err != nil {
			return err
		}
		if sums := MD5Sums(sh.root, pkg, sh.files); len(sums) > 0 {
			if err := p.Add(plan.Entry{Path: dir + pkg.Name + ".md5sums", Type: plan.TypeFile, Mode: 0o644, Data: sums}); err != nil {
				return err
			}
		}
	}
	return nil
}

// shipped are the files of one package in a plan.
type shipped struct {
	root      *elfscan.Root // the root they come from
	entryRoot *elfscan.Root // as the plan's entries name it: nil for the host
	files     []Shipped
}

// shippedSet is each package of a plan's files, in the plan's order.
type shippedSet struct {
	order []*pkgdb.Package
	byPkg map[*pkgdb.Package]*shipped
}

// shippedPackages groups the plan's files by the package that owns them.
// A plan whose files come from two kinds of database (a Debian sysroot
// and an Alpine one) cannot have one database written for it.
func shippedPackages(p *plan.Plan, owners map[string]*pkgdb.Package) (shippedSet, error) {
	s := shippedSet{byPkg: map[*pkgdb.Package]*shipped{}}
	for _, e := range p.Entries() {
		pkg := owners[e.Path]
		if pkg == nil || e.Source == "" {
			continue
		}
		if len(s.order) > 0 && pkg.Type != s.order[0].Type {
			return s, fmt.Errorf("--dpkg-status: the image's files come from two kinds of package database, %s (%s) and %s (%s); pack them from one root", s.order[0].Type, quote.Name(s.order[0].Name), pkg.Type, quote.Name(pkg.Name))
		}
		sh := s.byPkg[pkg]
		root, src := e.SourceRoot()
		if sh == nil {
			sh = &shipped{root: root, entryRoot: e.Root}
			s.byPkg[pkg] = sh
			s.order = append(s.order, pkg)
		}
		sh.files = append(sh.files, Shipped{Path: e.Path, Source: src})
	}
	return s, nil
}

// addReleaseFiles copies each of paths that root has (following its
// symlinks inside the root) to the same path in the plan, unless the plan
// has one, and records the package that owns it in owners.
func addReleaseFiles(p *plan.Plan, dbs *pkgdb.DBs, root, entryRoot *elfscan.Root, paths []string, owners map[string]*pkgdb.Package) error {
	db, err := dbs.For(root)
	if err != nil {
		return err
	}
	for _, dst := range paths {
		if _, ok := p.Lookup(dst); ok {
			continue
		}
		src := dst
		if dst == "/etc/os-release" {
			if _, err := root.Stat(src); notExist(err) {
				src = "/usr/lib/os-release"
			}
		}
		real, _, err := root.Eval(src)
		if notExist(err) {
			continue
		} else if err != nil {
			return fmt.Errorf("%s in %s: %w", src, root, err)
		}
		fi, err := root.Stat(real)
		if notExist(err) {
			continue
		} else if err != nil {
			return fmt.Errorf("%s in %s: %w", src, root, err)
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s in %s: not a regular file", src, root)
		}
		if err := p.Add(plan.Entry{Path: dst, Type: plan.TypeFile, Mode: 0o644, Root: entryRoot, Source: real, Stamp: plan.StampOf(fi)}); err != nil {
			return err
		}
		if pkg := db.Owner(root, real); pkg != nil {
			owners[dst] = pkg
		}
	}
	return nil
}

func notExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
