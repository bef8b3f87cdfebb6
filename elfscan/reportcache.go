package elfscan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// reportKey names one ScanFile: the file, and every option that shapes
// its report.
type reportKey struct {
	file fileKey
	opts string
}

type cachedReport struct {
	r   *Report
	err error
	// root and sys are the roots of the scan that made r: the file's,
	// and where its libraries were looked for (opts.Root, or root).
	root, sys *Root
}

func newReportKey(root *Root, name string, opts Options) reportKey {
	var res fileKey
	if opts.Root != nil {
		res = opts.Root.key("/")
	}
	return reportKey{file: root.key(name), opts: fmt.Sprintf("%v|%s|%v%v%v%v%v",
		res, strings.Join(opts.LibPath, ":"), opts.LibrariesOnly, opts.CheckSymbols, opts.GconvAll, opts.NoResolve, opts.Root == nil)}
}

// scanCached is scan, its report kept in opts.Cache: the plugins,
// modules and helpers that evidence brings are scanned again for every
// program of a bulk scan that has them (each gconv module, each of a
// package's plugins), and a Cache already assumes that files do not
// change while it lives. The caller gets a copy it may change.
func scanCached(root *Root, name string, opts Options) (*Report, error) {
	k := newReportKey(root, name, opts)
	c := opts.Cache
	c.mu.Lock()
	got, ok := c.reports[k]
	c.mu.Unlock()
	if !ok {
		r, err := scan(root, name, name, opts)
		got = cachedReport{r: r, err: err, root: root, sys: cmp.Or(opts.Root, root)}
		c.mu.Lock()
		c.reports[k] = got
		c.mu.Unlock()
	}
	r := got.r.clone()
	r.rebase(got.root, got.sys, root, cmp.Or(opts.Root, root))
	return r, got.err
}

// rebase makes r, a report of a scan in root with libraries found in
// sys, the report of the same scan in newRoot and newSys: the same trees
// (the key of the cache says so), named by other *Roots. Each program a
// bulk scan finds on the host has a Root of its own, and a plan tells
// two entries of one file apart by their Roots: a plugin's report kept
// from one program's plan must name the next program's roots, as a
// scan of its own would, or its libraries, the program's too, are
// "added twice".
func (r *Report) rebase(root, sys, newRoot, newSys *Root) {
	if r == nil || root == newRoot && sys == newSys {
		return
	}
	to := func(old *Root) *Root {
		switch old {
		case sys:
			return newSys
		case root:
			return newRoot
		}
		return old
	}
	r.Root = newRoot // the file's, always
	if r.Loader != nil {
		r.Loader.Root = to(r.Loader.Root)
	}
	for i := range r.Libraries {
		r.Libraries[i].Root = to(r.Libraries[i].Root)
	}
	for i := range r.DataFiles {
		r.DataFiles[i].Root = to(r.DataFiles[i].Root)
	}
}

// clone is a copy of r whose slices can be appended to and changed
// without changing r's.
func (r *Report) clone() *Report {
	if r == nil {
		return nil
	}
	c := *r
	c.Needed = slices.Clone(r.Needed)
	c.Libraries = slices.Clone(r.Libraries)
	c.Loads = slices.Clone(r.Loads)
	c.DataFiles = slices.Clone(r.DataFiles)
	c.Warnings = slices.Clone(r.Warnings)
	c.Paths = slices.Clone(r.Paths)
	c.DefaultDirs = slices.Clone(r.DefaultDirs)
	if r.Loader != nil {
		l := *r.Loader
		c.Loader = &l
	}
	return &c
}

type loadable struct {
	ok  bool
	err error
}

// Loadable is Loadable, its answer kept in c: package evidence asks it
// of each file of a package, for every program the package comes with.
func (c *Cache) Loadable(root *Root, name string) (bool, error) {
	k := root.key(name)
	c.mu.Lock()
	got, ok := c.loadables[k]
	c.mu.Unlock()
	if !ok {
		got.ok, got.err = Loadable(root, name)
		c.mu.Lock()
		c.loadables[k] = got
		c.mu.Unlock()
	}
	return got.ok, got.err
}
