package pack

import (
	"bytes"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/scratchpack/scratchpack/pack/plan"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
	"github.com/scratchpack/scratchpack/pack/sbom"
)

// entryRoot is the root an entry's source is read from, and the source's
// absolute path in it.
func entryRoot(e plan.Entry) (*elfscan.Root, string) {
	if e.Root != nil {
		return e.Root, e.Source
	}
	abs, err := filepath.Abs(e.Source)
	if err != nil {
		abs = e.Source
	}
	return elfscan.HostRoot(), abs
}

// source is where a planned file is read from.
type source struct {
	root *elfscan.Root
	path string
}

// kinds says what resolution found each source to be.
func kinds(r *elfscan.Report) map[source]string {
	out := map[source]string{}
	if r.Loader != nil {
		out[source{r.Loader.Root, r.Loader.RealPath}] = sbom.KindLoader
	}
	for _, l := range r.Libraries {
		out[source{l.Root, l.RealPath}] = sbom.KindLibrary
	}
	for _, d := range r.DataFiles {
		out[source{d.Root, d.RealPath}] = sbom.KindData
	}
	return out
}

// SBOM describes b's image for an SBOM named name, made by tool: every
// regular file of the layer with its checksums (the layer must have been
// built with HashFiles), what each is, and the package that owns it in
// the root it came from.
func (b *Built) SBOM(name, tool string) (*sbom.Image, error) {
	if b.Layer.Files == nil || b.owners == nil {
		return nil, fmt.Errorf("the layer was built without file checksums (LayerOptions.HashFiles)")
	}
	digest, err := b.Image.Digest()
	if err != nil {
		return nil, err
	}
	cf, err := b.Image.ConfigFile()
	if err != nil {
		return nil, err
	}
	img := &sbom.Image{Name: name, Digest: digest.String(), Platform: b.Platform.OS + "/" + b.Platform.Architecture, Created: cf.Created.Time, Tool: tool, Program: b.ImagePath}
	if b.Platform.Variant != "" {
		img.Platform += "/" + b.Platform.Variant
	}
	img.Go = goBuildInfo(b.Report)
	k := kinds(b.Report)
	owners, err := b.owners()
	if err != nil {
		return nil, err
	}
	for _, e := range b.Plan.Entries() {
		if e.Type != plan.TypeFile {
			continue
		}
		sums := b.Layer.Files[e.Path]
		f := sbom.File{Path: e.Path, SHA1: sums.SHA1, SHA256: sums.SHA256, Kind: sbom.KindFile}
		if e.Source != "" {
			if e.Path == b.ImagePath {
				f.Kind = sbom.KindProgram
			} else if kind, ok := k[source{e.Root, e.Source}]; ok {
				f.Kind = kind
			}
			f.Package = owners[e.Path]
		}
		img.Files = append(img.Files, f)
	}
	return img, nil
}

// planOwners finds the package that owns the source of each file of the
// plan that has one, by its image path: for each root, the database is
// asked once for all its files.
func planOwners(dbs *sbom.DBs, p *plan.Plan) (map[string]*pkgdb.Package, error) {
	type group struct {
		root        *elfscan.Root
		srcs, paths []string
	}
	var groups []*group
	for _, e := range p.Entries() {
		if e.Type != plan.TypeFile || e.Source == "" {
			continue
		}
		root, src := entryRoot(e)
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

// goBuildInfo reads a Go program's build info, or nil for another
// program.
func goBuildInfo(r *elfscan.Report) *debug.BuildInfo {
	if r.Root == nil {
		bi, err := buildinfo.ReadFile(r.Path)
		if err != nil {
			return nil
		}
		return bi
	}
	f, _, err := r.Root.OpenFile(r.File)
	if err != nil {
		return nil
	}
	defer f.Close()
	ra, ok := f.(io.ReaderAt)
	if !ok {
		b, err := io.ReadAll(f)
		if err != nil {
			return nil
		}
		ra = bytes.NewReader(b)
	}
	bi, err := buildinfo.Read(ra)
	if err != nil {
		return nil
	}
	return bi
}

// addDpkgStatus writes, for the plan's files that a package database
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
func addDpkgStatus(p *plan.Plan, dbs *sbom.DBs, owners map[string]*pkgdb.Package) error {
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
				db.WriteString(sbom.ApkInstalled(pkg, s.byPkg[pkg].files) + "\n")
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
		if err := p.Add(plan.Entry{Path: dir + pkg.Name, Type: plan.TypeFile, Mode: 0o644, Data: []byte(sbom.StatusD(pkg))}); err != nil {
			return err
		}
		if sums := sbom.MD5Sums(sh.root, pkg, sh.files); len(sums) > 0 {
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
	files     []sbom.Shipped
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
		root, src := entryRoot(e)
		if sh == nil {
			sh = &shipped{root: root, entryRoot: e.Root}
			s.byPkg[pkg] = sh
			s.order = append(s.order, pkg)
		}
		sh.files = append(sh.files, sbom.Shipped{Path: e.Path, Source: src})
	}
	return s, nil
}

// addReleaseFiles copies each of paths that root has (following its
// symlinks inside the root) to the same path in the plan, unless the plan
// has one, and records the package that owns it in owners.
func addReleaseFiles(p *plan.Plan, dbs *sbom.DBs, root, entryRoot *elfscan.Root, paths []string, owners map[string]*pkgdb.Package) error {
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
