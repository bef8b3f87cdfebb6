package evidence

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/plural"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// Datum is one entry that evidence added to a plan, and why.
type Datum struct {
	Path string `json:"path"` // where it is in the image
	Why  string `json:"why"`  // the evidence: the string and the file it is in
}

// Evidence is what the path literals of a program and its libraries
// (elfscan.Report.Paths) added to its plan: data files, plugin
// directories, helpers, each with its evidence, and the warnings of the
// bounds and rules that left something out.
type Evidence struct {
	Data     []Datum  `json:"data,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// Owner tells whether the package database of a root lists the file at
// an absolute path, and the package's name. Nil means the root has no
// package database.
type Owner func(path string) (pkg string, ok bool)

// addNamedPathsOf is addNamedPaths in the program's root (the sysroot or
// image resolve names, or r's own), with the root's package database,
// read through dbs, as the Owner.
func addNamedPathsOf(ctx context.Context, p *plan.Plan, dbs *pkgdb.DBs, r *elfscan.Report, resolve elfscan.Options) (*Evidence, error) {
	root := resolve.Root
	if root == nil {
		root = r.Root
	}
	if !pkgdb.Present(root) {
		return addNamedPaths(ctx, p, r, root, resolve, nil)
	}
	// The database is read when a path literal first asks it: most of a
	// small program's literals are settled before (a static Go program's
	// all are), and reading the host's dpkg status was a tenth of its
	// pack. A failure to read it fails the call, as before.
	var failed error
	owner := sync.OnceValue(func() Owner {
		o, err := packageOwner(dbs, root)
		if failed = err; err != nil {
			return func(string) (string, bool) { return "", false }
		}
		return o
	})
	data, err := addNamedPaths(ctx, p, r, root, resolve, func(p string) (string, bool) {
		if o := owner(); o != nil {
			return o(p)
		}
		return "", false
	})
	if failed != nil {
		return nil, failed
	}
	return data, err
}

// withBroughtPaths is r with the path literals of the ELF objects that
// package evidence and run-time data brought (a graphviz plugin, and the
// libfontconfig it needs, which names /etc/fonts) added to its own: what
// they name is evidence as much as what the program's closure names.
func withBroughtPaths(p *plan.Plan, r *elfscan.Report) *elfscan.Report {
	if len(p.Brought()) == 0 {
		return r
	}
	c := *r
	c.Paths = slices.Clone(r.Paths)
	seen := map[elfscan.NamedPath]bool{}
	for _, np := range c.Paths {
		seen[np] = true
	}
	for _, b := range p.Brought() {
		for _, np := range b.Paths {
			if !seen[np] {
				seen[np] = true
				c.Paths = append(c.Paths, np)
			}
		}
	}
	return &c
}

// PackageOwner is the Owner that root's package database answers, or nil
// when root has none (a bare sysroot). Its file lists are read when it is
// first asked.
func PackageOwner(root *elfscan.Root) (Owner, error) { return packageOwner(&pkgdb.DBs{}, root) }

func packageOwner(dbs *pkgdb.DBs, root *elfscan.Root) (Owner, error) {
	db, err := dbs.For(root)
	if err != nil {
		return nil, err
	}
	if db.Kind == "" {
		return nil, nil
	}
	index := sync.OnceValue(func() *pkgdb.Index { return db.Index(root) })
	return func(p string) (string, bool) {
		if pkg := index().Owner(p); pkg != nil {
			return pkg.Name, true
		}
		return "", false
	}, nil
}

// Planner tells, for scanned programs, what their path literals
// would add to their plans: what `scan` shows before anything is packed.
// What one object (a library, say libcrypto) brings is found once, and
// shared by every program that has it in its closure; so the bound on
// all that evidence adds to one image is left to pack, which applies it.
// Its plans run Add's steps in Add's order (addFound, then the path
// literals of the program and of what those brought), with the default
// policy and no flags.
type Planner struct {
	root    *elfscan.Root
	resolve elfscan.Options
	exclude []string
	owner   Owner
	byIn    map[string]*Evidence // by the object holding the literals
	shared  *shared              // ELF objects resolved and directories walked, shared by the plans
	first   *elfscan.Root        // the root of the first program, when root is nil
	dbs     *pkgdb.DBs           // the package databases read, for the package evidence
	files   *pkgFiles            // the packages' files found, for the package evidence
	trees   *treeWalks           // the run-time data trees walked
}

// NewPlanner returns a planner that finds data in root (each
// program's own when nil), resolves ELF objects with resolve, leaves out
// what exclude matches and, when owner is not nil, what no package lists.
func NewPlanner(root *elfscan.Root, resolve elfscan.Options, exclude []string, owner Owner) *Planner {
	if resolve.Cache == nil {
		resolve.Cache = elfscan.NewCache()
	}
	return &Planner{root: root, resolve: resolve, exclude: exclude, owner: owner, byIn: map[string]*Evidence{}, shared: newShared(), dbs: &pkgdb.DBs{}, files: newPkgFiles(nil), trees: &treeWalks{}}
}

// Plan returns what the path literals of r bring to its plan, less what
// the plan of its program and libraries holds already, sorted by path.
func (dp *Planner) Plan(ctx context.Context, r *elfscan.Report) (*Evidence, error) {
	p := plan.NewPlan()
	imagePath := plan.ProgramPath(r)
	if err := p.AddRuntime(r, imagePath); err != nil {
		return nil, err
	}
	if r.Kind != elfscan.SharedObject {
		if err := p.AddProgram(r, imagePath); err != nil {
			return nil, err
		}
	}
	// The package evidence and the run-time data, planned as Build plans
	// them for an image with the default policy and no flags, first: the
	// plugins they bring name paths too. Each tree they bring is then one
	// datum, its entries of the same evidence left out.
	planned := map[string]bool{}
	for _, e := range p.Entries() {
		planned[e.Path] = true
	}
	resolve := dp.resolve
	resolve.Root = dp.root
	if err := addFound(ctx, p, r, Input{Resolve: resolve, DBs: dp.dbs, TZData: essentials.Default().TZData, files: dp.files, trees: dp.trees}); err != nil {
		return nil, err
	}
	var order []string
	paths := map[string][]elfscan.NamedPath{}
	for _, np := range withBroughtPaths(p, r).Paths {
		if _, ok := paths[np.In]; !ok {
			order = append(order, np.In)
		}
		paths[np.In] = append(paths[np.In], np)
	}
	// What is shared is of one root, named by one *Root, so that a plan
	// holds the same entry for a library however it was found: each
	// program Scan found on the host has a Root of its own.
	root, byIn, sh := dp.root, dp.byIn, dp.shared
	if root == nil {
		if dp.first == nil {
			dp.first = r.Root
		}
		root = dp.first
		if !r.Root.Same(root) {
			root, byIn, sh = r.Root, map[string]*Evidence{}, newShared()
		}
	}
	out := &Evidence{}
	seen, warned := map[string]bool{}, map[string]bool{}
	for _, in := range order {
		d, ok := byIn[in]
		if !ok {
			q := plan.NewPlan()
			q.Exclude(dp.exclude...)
			var err error
			d, err = addNamedPathsShared(ctx, q, &elfscan.Report{Path: r.Path, Root: root, File: in, Paths: paths[in]}, root, dp.resolve, dp.owner, sh)
			if err != nil {
				return nil, err
			}
			// The libraries of the plugins and helpers brought are entries
			// of q too, with their evidence: list them beside the data.
			listed := map[string]bool{}
			for _, x := range d.Data {
				listed[x.Path] = true
			}
			for _, e := range q.Entries() {
				if e.Why != "" && e.Type != plan.TypeDir && !listed[e.Path] {
					d.Data = append(d.Data, Datum{Path: e.Path, Why: e.Why})
				}
			}
			byIn[in] = d
		}
		for _, x := range d.Data {
			if _, had := p.Lookup(x.Path); !had && !seen[x.Path] {
				seen[x.Path] = true
				out.Data = append(out.Data, x)
			}
		}
		for _, w := range d.Warnings {
			if !warned[w] {
				warned[w] = true
				out.Warnings = append(out.Warnings, w)
			}
		}
	}
	var tree, treeWhy string // the last directory listed, and its evidence
	for _, e := range p.Entries() {
		if planned[e.Path] || seen[e.Path] || e.Why == "" {
			continue
		}
		if tree != "" && e.Why == treeWhy && inTree(e.Path, tree) {
			continue
		}
		if e.Type == plan.TypeDir {
			tree, treeWhy = e.Path, e.Why
		}
		seen[e.Path] = true
		out.Data = append(out.Data, Datum{Path: e.Path, Why: e.Why})
	}
	out.sortData()
	return out, nil
}

// addNamedPaths adds what the path literals of r name and root holds:
//
//   - a regular file, with the symlinks on the way to it;
//   - a directory, whole, unless it is generic (genericDir); a symlink in
//     it brings its target;
//   - the siblings of a name that extend it by a suffix: libmagic opens
//     "/usr/share/misc/magic" + ".mgc";
//   - the paths that a fontconfig configuration brought names (<include>,
//     <dir>).
//
// Nothing the policy never ships (shippable), nothing the plan excludes,
// no socket, FIFO or device; on a root with a package database (owner
// not nil) only the files it lists. Every ELF object brought is resolved
// like a library, its own path literals followed; one that cannot be
// resolved is left out, with a warning. The bounds of
// namedpaths_policy.go hold, with a warning when one is hit.
func addNamedPaths(ctx context.Context, p *plan.Plan, r *elfscan.Report, root *elfscan.Root, resolve elfscan.Options, owner Owner) (*Evidence, error) {
	return addNamedPathsShared(ctx, p, r, root, resolve, owner, newShared())
}

// shared is what the runs of addNamedPaths on one root, with the same
// exclusions and owner, can share: the ELF objects resolved, the
// directories walked and those listed.
type shared struct {
	elfs  map[string]elfResult
	walks map[string]listing
	dirs  map[string][]fs.DirEntry // listings read for the suffix rule
}

func newShared() *shared {
	return &shared{elfs: map[string]elfResult{}, walks: map[string]listing{}, dirs: map[string][]fs.DirEntry{}}
}

// elfResult is a file's resolution, or why it failed; nil for data.
type elfResult struct {
	r   *elfscan.Report
	err error
}

// addNamedPathsShared is addNamedPaths with the ELF objects resolved so far.
func addNamedPathsShared(ctx context.Context, p *plan.Plan, r *elfscan.Report, root *elfscan.Root, resolve elfscan.Options, owner Owner, sh *shared) (*Evidence, error) {
	if root == nil {
		root = r.Root
	}
	resolve.Root = root
	resolve.CheckSymbols = false // a plugin's undefined symbols are its program's
	if resolve.Cache == nil {
		resolve.Cache = elfscan.NewCache()
	}
	n := &namedPaths{p: p, root: root, owner: owner, resolve: resolve, done: map[string]bool{}, shared: sh, out: &Evidence{}}
	n.queueReport(r)
	for i := 0; i < len(n.queue); i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := n.take(ctx, n.queue[i]); err != nil {
			return nil, err
		}
	}
	if n.unowned > 0 {
		n.warnf("%s named by path literals listed by no package of %s left out (%s the first); add what is needed with --include PATH",
			plural.N(n.unowned, "file", "files"), root, quote.Name(n.firstUnowned))
	}
	return n.out, nil
}

// namedPaths is one run of addNamedPaths.
type namedPaths struct {
	p            *plan.Plan
	root         *elfscan.Root
	owner        Owner
	resolve      elfscan.Options
	queue        []candidate
	done         map[string]bool
	shared       *shared // what plans with the same root, exclusions and owner share
	bytes        int64   // what evidence added so far
	unowned      int
	firstUnowned string
	out          *Evidence
}

// candidate is a path that evidence names.
type candidate struct {
	path    string
	why     string
	literal bool // named by a string: its suffixed siblings come too
	joined  bool // a file name joined to a directory named: never in a generic one
}

func (n *namedPaths) warnf(format string, args ...any) {
	n.out.Warnings = append(n.out.Warnings, fmt.Sprintf(format, args...))
}

// queueReport queues the path literals of a scanned object's report.
func (n *namedPaths) queueReport(r *elfscan.Report) {
	for _, np := range r.Paths {
		s := np.Path
		if np.String != "" {
			s = np.String
		}
		why := fmt.Sprintf("path %s in %s", quote.Name(s), quote.Name(np.In))
		switch {
		case strings.HasPrefix(np.String, "%s/"):
			why = fmt.Sprintf("path %s (%s beside the object) in %s", quote.Name(np.Path), quote.Name(np.String), quote.Name(np.In))
		case np.String != "" && !strings.Contains(np.String, "/"):
			why = fmt.Sprintf("path %s (the file name %s in a directory %s names)", quote.Name(np.Path), quote.Name(np.String), quote.Name(np.In))
		case np.String != "" && !strings.HasPrefix(np.String, "/"):
			why = fmt.Sprintf("path %s (%s under %s's prefix) in %s", quote.Name(np.Path), quote.Name(np.String), quote.Name(path.Base(np.In)), quote.Name(np.In))
		}
		joined := np.String != "" && !strings.Contains(np.String, "/")
		n.queue = append(n.queue, candidate{path: np.Path, why: why, literal: !joined, joined: joined})
	}
}

// take ships what c names, if anything.
func (n *namedPaths) take(ctx context.Context, c candidate) error {
	if n.done[c.path] {
		return nil
	}
	n.done[c.path] = true
	if !shippable(c.path) || n.p.Excluded(c.path) || c.joined && genericDir(path.Dir(c.path)) {
		return nil
	}
	if c.literal {
		n.queueSiblings(c)
	}
	real, links, err := n.root.Eval(c.path)
	if err != nil {
		return nil // not in the root, a loop of links, a name that is no directory: nothing to ship
	}
	for _, l := range links {
		if !shippable(l.Path) || n.p.Excluded(l.Path) {
			return nil
		}
	}
	if !shippable(real) || n.p.Excluded(real) {
		return nil
	}
	fi, err := n.root.Lstat(real)
	if err != nil {
		return nil
	}
	switch {
	case fi.Mode().IsRegular():
		if !n.owned(c.path, real) {
			return nil
		}
		if n.bytes+fi.Size() > maxEvidenceBytes {
			n.warnf("%s (%s) would take the files evidence adds past %d MiB; left out: add it with --include %s", quote.Name(real), c.why, maxEvidenceBytes>>20, quote.Name(real))
			return nil
		}
		if !n.placeLinks(links, c.why) {
			return nil
		}
		return n.addFiles(ctx, []plan.Entry{n.fileEntry(real, real, fi, c.why)}, c.why)
	case fi.IsDir():
		if genericDir(real) || genericDir(c.path) {
			return nil
		}
		entries, ok := n.walk(ctx, real, c)
		if !ok {
			return ctx.Err()
		}
		if !n.placeLinks(links, c.why) {
			return nil
		}
		return n.addFiles(ctx, entries, c.why)
	}
	return nil // a socket, FIFO or device is never shipped
}

// queueSiblings queues the entries beside c.path whose names extend its
// name by a suffix that starts with a dot ("magic" -> "magic.mgc").
func (n *namedPaths) queueSiblings(c candidate) {
	dir, base := path.Split(c.path)
	dir = path.Clean(dir)
	list, ok := n.shared.dirs[dir]
	if !ok {
		list, _ = n.root.ReadDir(dir)
		n.shared.dirs[dir] = list
	}
	for _, e := range list {
		name := e.Name()
		if strings.HasPrefix(name, base+".") {
			n.queue = append(n.queue, candidate{path: path.Join(dir, name), why: fmt.Sprintf("%s, extended by %s", c.why, quote.Name(strings.TrimPrefix(name, base)))})
		}
	}
}

// owned reports whether the package database lists one of the paths,
// counting what it does not list.
func (n *namedPaths) owned(paths ...string) bool {
	if n.owner == nil {
		return true
	}
	for _, p := range paths {
		if n.listed(p) {
			return true
		}
	}
	if n.unowned == 0 {
		n.firstUnowned = paths[len(paths)-1]
	}
	n.unowned++
	return false
}

// listed reports whether the package database lists the file p, or, for
// a file of /usr (not /usr/local), its directory: the caches and indexes
// that maintainer scripts write beside a package's files (graphviz's
// config6a, gio's giomodule.cache) are listed by no package, and a
// package's directory of /usr holds no user's files. Elsewhere (/etc, /opt)
// an unlisted file may be anyone's, and is left out.
func (n *namedPaths) listed(p string) bool {
	if _, ok := n.owner(p); ok {
		return true
	}
	if !inTree(p, "/usr") || inTree(p, "/usr/local") {
		return false
	}
	_, ok := n.owner(path.Dir(p))
	return ok
}

// placeLinks adds the symlinks met on the way to a file evidence ships.
func (n *namedPaths) placeLinks(links []elfscan.Link, why string) bool {
	for _, l := range links {
		if _, ok := n.planned(l.Path); ok {
			continue
		}
		if err := n.p.Add(plan.Entry{Path: l.Path, Type: plan.TypeSymlink, Mode: 0o777, Linkname: l.Target, Why: why}); err != nil {
			n.warnf("%s (%s) is left out: %v", quote.Name(l.Path), why, err)
			return false
		}
		n.out.Data = append(n.out.Data, Datum{Path: l.Path, Why: why})
	}
	return true
}

// planned returns the plan's entry at the image path p, its parents'
// symlinks followed.
func (n *namedPaths) planned(p string) (plan.Entry, bool) {
	final, err := n.p.Resolve(p)
	if err != nil {
		return plan.Entry{}, false
	}
	return n.p.Lookup(final)
}

func (n *namedPaths) fileEntry(dst, src string, fi fs.FileInfo, why string) plan.Entry {
	return plan.Entry{Path: dst, Type: plan.TypeFile, Mode: fi.Mode().Perm(), Root: n.root, Source: src, Stamp: plan.StampOf(fi), Why: why}
}

// walk lists the directory dir for shipping whole, less what the policy,
// the exclusions and the package database leave out. It reports false,
// with a warning, when a bound is hit: then nothing of it is shipped.
// Each symlink whose target is outside dir queues the target.
func (n *namedPaths) walk(ctx context.Context, dir string, c candidate) ([]plan.Entry, bool) {
	l, ok := n.shared.walks[dir]
	if !ok {
		l = n.list(ctx, dir)
		if ctx.Err() != nil {
			return nil, false
		}
		n.shared.walks[dir] = l
	}
	if l.unowned > 0 {
		if n.unowned == 0 {
			n.firstUnowned = l.firstUnowned
		}
		n.unowned += l.unowned
	}
	switch {
	case l.err != nil:
		n.warnf("%s (%s) could not be read, and is left out: %v", quote.Name(dir), c.why, l.err)
		return nil, false
	case l.bound == "" && n.bytes+l.bytes > maxEvidenceBytes:
		l.bound = fmt.Sprintf("would take the files evidence adds past %d MiB", maxEvidenceBytes>>20)
	}
	if l.bound != "" {
		n.warnf("the directory %s (%s) %s, a bound of what evidence ships; it is left out whole: add it with --include %s, leaving parts out with --exclude GLOB", quote.Name(dir), c.why, l.bound, quote.Name(dir))
		return nil, false
	}
	entries := make([]plan.Entry, len(l.entries))
	for i, e := range l.entries {
		e.Why = c.why
		entries[i] = e
	}
	for _, t := range l.targets {
		n.queue = append(n.queue, candidate{path: t.path, why: fmt.Sprintf("%s (the target of %s)", c.why, quote.Name(t.link))})
	}
	return entries, true
}

// listing is what a walk of a directory found, for every plan that
// brings it.
type listing struct {
	entries      []plan.Entry // Why left empty
	targets      []struct{ path, link string }
	bytes        int64
	bound        string // the bound hit, if one was
	err          error
	unowned      int
	firstUnowned string
}

// list walks dir.
func (n *namedPaths) list(ctx context.Context, dir string) listing {
	var l listing
	var files int
	l.err = fs.WalkDir(n.root, strings.TrimPrefix(dir, "/"), func(name string, d fs.DirEntry, err error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := "/" + name
		if err != nil {
			if d != nil && d.IsDir() {
				return fs.SkipDir // an unreadable directory is left out
			}
			return nil
		}
		if !shippable(p) || n.p.Excluded(p) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if files++; files > maxDirFiles {
			l.bound = fmt.Sprintf("holds more than %d entries", maxDirFiles)
			return fs.SkipAll
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		switch {
		case d.IsDir():
			l.entries = append(l.entries, plan.Entry{Path: p, Type: plan.TypeDir, Mode: info.Mode().Perm()})
		case d.Type()&fs.ModeSymlink != 0:
			target, err := n.root.ReadLink(p)
			if err != nil {
				return nil
			}
			real, _, err := n.root.Eval(p)
			if err != nil || !shippable(real) || genericDir(real) {
				return nil // dangling, a loop, or to what is never shipped
			}
			l.entries = append(l.entries, plan.Entry{Path: p, Type: plan.TypeSymlink, Mode: 0o777, Linkname: target})
			if !inTree(real, dir) {
				l.targets = append(l.targets, struct{ path, link string }{real, p})
			}
		case d.Type().IsRegular():
			if n.owner != nil {
				if !n.listed(p) {
					if l.unowned == 0 {
						l.firstUnowned = p
					}
					l.unowned++
					return nil
				}
			}
			if l.bytes += info.Size(); l.bytes > maxDirBytes {
				l.bound = fmt.Sprintf("holds more than %d MiB", maxDirBytes>>20)
				return fs.SkipAll
			}
			l.entries = append(l.entries, n.fileEntry(p, p, info, ""))
		}
		return nil // sockets, FIFOs and devices are never shipped
	})
	return l
}

// addFiles adds entries evidence found, but those the plan holds already
// (a library of the closure), and resolves every ELF object among them:
// its loader and libraries are added, its own path literals followed. An
// object that cannot be resolved is left out, with a warning.
func (n *namedPaths) addFiles(ctx context.Context, entries []plan.Entry, why string) error {
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if old, ok := n.planned(e.Path); ok {
			if old.Type != plan.TypeDir || e.Type != plan.TypeDir {
				continue // what is planned stays as it is
			}
		}
		if e.Type == plan.TypeFile && mayBeELF(e) {
			res, ok := n.shared.elfs[e.Source]
			if !ok {
				res.r, res.err = scanELF(n.root, e.Source, n.resolve)
				n.shared.elfs[e.Source] = res
			}
			r, err := res.r, res.err
			if err != nil {
				n.warnf("%s (%s) is left out: %v", quote.Name(e.Path), why, unwrapFileErr(err))
				continue
			}
			if r != nil {
				if err := n.p.AddRuntime(r, e.Path); err != nil {
					n.warnf("%s (%s) is left out: %v", quote.Name(e.Path), why, err)
					continue
				}
				n.queueReport(r)
			}
		}
		if err := n.p.Add(e); err != nil {
			n.warnf("%s (%s) is left out: %v", quote.Name(e.Path), why, err)
			continue
		}
		if e.Type != plan.TypeDir {
			n.out.Data = append(n.out.Data, Datum{Path: e.Path, Why: e.Why})
		}
		if e.Type == plan.TypeFile {
			n.bytes += e.Stamp.Size
			n.followConfig(e)
		}
	}
	return nil
}

// mayBeELF reports whether a file evidence found may be an ELF object a
// loader maps: a program (executable) or a library or plugin (".so" in
// its name). The others, thousands in a tree of scripts or fonts, are
// not opened to be looked at.
func mayBeELF(e plan.Entry) bool {
	return e.Mode&0o111 != 0 || strings.Contains(path.Base(e.Source), ".so")
}

// unwrapFileErr drops the file name an elfscan error starts with when it
// is the one the message names already.
func unwrapFileErr(err error) error {
	var fe *elfscan.FileError
	if errors.As(err, &fe) {
		return fe.Err
	}
	return err
}

// sortData orders the data by path, for output.
func (d *Evidence) sortData() {
	sort.Slice(d.Data, func(i, j int) bool { return d.Data[i].Path < d.Data[j].Path })
}

// inTree reports whether p is top or beneath it.
func inTree(p, top string) bool {
	return p == top || strings.HasPrefix(p, strings.TrimSuffix(top, "/")+"/")
}

// scanELF resolves the file at name in root when it is an ELF object a
// loader maps, as plan.AddELFRuntime does; it returns nil and no error
// for a file that is data.
func scanELF(root *elfscan.Root, name string, resolve elfscan.Options) (*elfscan.Report, error) {
	loadable := elfscan.Loadable
	if resolve.Cache != nil {
		loadable = resolve.Cache.Loadable
	}
	if ok, err := loadable(root, name); err != nil || !ok {
		return nil, err // it names the file
	}
	return elfscan.ScanFile(root, name, resolve)
}
