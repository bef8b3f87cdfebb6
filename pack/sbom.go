package pack

import (
	"bytes"
	"debug/buildinfo"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"slices"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/sbom"
)

// entryRoot is the root an entry's source is read from, and the source's
// absolute path in it.
func entryRoot(e Entry) (*elfscan.Root, string) {
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
		if e.Type != TypeFile {
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
func planOwners(dbs *sbom.DBs, p *Plan) (map[string]*sbom.Package, error) {
	type group struct {
		root        *elfscan.Root
		srcs, paths []string
	}
	var groups []*group
	for _, e := range p.Entries() {
		if e.Type != TypeFile || e.Source == "" {
			continue
		}
		root, src := entryRoot(e)
		i := slices.IndexFunc(groups, func(g *group) bool { return g.root.Same(root) })
		if i < 0 {
			groups, i = append(groups, &group{root: root}), len(groups)
		}
		groups[i].srcs, groups[i].paths = append(groups[i].srcs, src), append(groups[i].paths, e.Path)
	}
	out := map[string]*sbom.Package{}
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

// addDpkgStatus describes, for the plan's files that a dpkg database
// owns (owners, by image path), each owning package in distroless's format: its paragraph in
// /var/lib/dpkg/status.d/NAME and the md5sums of the files shipped in
// NAME.md5sums, from the package's own list, so that scanners that read
// distroless images (Trivy, Grype, Syft) find the packages and versions.
// The root's /etc/os-release comes along: scanners need the distribution.
func (p *Plan) addDpkgStatus(owners map[string]*sbom.Package) error {
	type shipped struct {
		pkg   *sbom.Package
		root  *elfscan.Root
		paths []string
	}
	var order []*sbom.Package
	byPkg := map[*sbom.Package]*shipped{}
	for _, e := range p.Entries() {
		pkg := owners[e.Path]
		if pkg == nil || pkg.Type != "deb" {
			continue
		}
		s := byPkg[pkg]
		if s == nil {
			root, _ := entryRoot(e)
			s = &shipped{pkg: pkg, root: root}
			byPkg[pkg] = s
			order = append(order, pkg)
		}
		s.paths = append(s.paths, e.Path)
	}
	if len(order) > 0 {
		if err := p.addOSRelease(byPkg[order[0]].root); err != nil {
			return err
		}
	}
	for _, pkg := range order {
		s := byPkg[pkg]
		dir := "/var/lib/dpkg/status.d/"
		if err := p.Add(Entry{Path: dir + pkg.Name, Type: TypeFile, Mode: 0o644, Data: []byte(sbom.StatusD(pkg))}); err != nil {
			return err
		}
		if sums := sbom.MD5Sums(s.root, pkg, s.paths); len(sums) > 0 {
			if err := p.Add(Entry{Path: dir + pkg.Name + ".md5sums", Type: TypeFile, Mode: 0o644, Data: sums}); err != nil {
				return err
			}
		}
	}
	return nil
}

// addOSRelease copies root's os-release to /etc/os-release, unless the
// plan has one.
func (p *Plan) addOSRelease(root *elfscan.Root) error {
	if _, ok := p.entries["/etc/os-release"]; ok {
		return nil
	}
	for _, src := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		if b, err := root.ReadFile(src); err == nil {
			return p.Add(Entry{Path: "/etc/os-release", Type: TypeFile, Mode: 0o644, Data: b})
		}
	}
	return nil
}
