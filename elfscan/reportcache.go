package elfscan

import (
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
		got = cachedReport{r, err}
		c.mu.Lock()
		c.reports[k] = got
		c.mu.Unlock()
	}
	return got.r.clone(), got.err
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
