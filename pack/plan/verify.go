package plan

import (
	"fmt"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/plural"
)

// Verify checks a plan before it is shipped: it resolves the program at
// imagePath again inside the planned image (no ld.so.cache, no
// environment, as in the container), and requires the loader and every
// library of r to come from the very file the plan put there. o is how r
// was resolved: its choices of what is loaded at run time (GconvAll) are
// made again. A difference is a bug in the plan, reported, never shipped;
// unless a file could not be read back as it was planned (its source
// changed or vanished since it was scanned): that is the input changing,
// and the error says to pack again.
func Verify(p *Plan, r *elfscan.Report, imagePath string, o elfscan.Options) error {
	if r.Kind != elfscan.Dynamic {
		return nil
	}
	fsys := &readBackFS{planFS: planFS{p}}
	var scanErr error
	bug := func(format string, args ...any) error {
		if err := fsys.readBackErr(r.Path, scanErr); err != nil {
			return err
		}
		return fmt.Errorf("%s: the planned image would not run: %s; this is a scratchpack bug, please report it", r.Path, fmt.Sprintf(format, args...))
	}
	v, err := elfscan.ScanFile(elfscan.FSRoot(fsys, "the planned image"), imagePath, elfscan.Options{LibrariesOnly: true, GconvAll: o.GconvAll})
	if err != nil {
		scanErr = err
		return bug("%v", err)
	}
	// planned reports whether the plan put l's file where the image's
	// loader found got.
	planned := func(l elfscan.Library, got *elfscan.Library) bool {
		if got == nil {
			return false
		}
		e, ok := p.Lookup(got.RealPath)
		return ok && e.Type == TypeFile && e.Root.Same(l.Root) && e.Source == l.RealPath
	}
	if r.Loader != nil && !planned(*r.Loader, v.Loader) {
		return bug("the loader %s is not where the plan put it", r.Interpreter)
	}
	got := map[string]*elfscan.Library{}
	for i, l := range v.Libraries {
		got[l.Name] = &v.Libraries[i]
	}
	for _, l := range r.Libraries {
		if !planned(l, got[l.Name]) {
			where := "nowhere"
			if g := got[l.Name]; g != nil {
				where = g.RealPath
			}
			return bug("%s would load from %s, not the planned copy of %s", l.Name, where, l.RealPath)
		}
	}
	if len(got) != len(r.Libraries) {
		return bug("it loads %s, the plan has %d", plural.N(len(got), "library", "libraries"), len(r.Libraries))
	}
	return nil
}
