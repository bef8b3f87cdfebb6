package pack

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
)

// Verify checks a plan before it is shipped: it builds the planned tree in
// a temporary directory, resolves the program at imagePath again inside it
// as a sysroot (no ld.so.cache, no environment, as in the container), and
// requires the loader and every library of r to come from the very file
// the plan put there. A difference is a bug in the plan, reported, never
// shipped.
func Verify(p *Plan, r *elfscan.Report, imagePath string) error {
	if r.Kind != elfscan.Dynamic {
		return nil
	}
	dir, err := os.MkdirTemp("", "scratchpack-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bug := func(format string, args ...any) error {
		msg := strings.ReplaceAll(fmt.Sprintf(format, args...), dir, "")
		return fmt.Errorf("%s: the planned image would not run: %s; this is a scratchpack bug, please report it", r.Path, msg)
	}
	if err := p.Materialize(dir); err != nil {
		return bug("materializing the plan: %v", err)
	}
	inImage, err := p.Resolve(imagePath)
	if err != nil {
		return bug("%v", err)
	}
	v, err := elfscan.Scan(filepath.Join(dir, inImage), elfscan.Options{Sysroot: dir})
	if err != nil {
		return bug("%v", err)
	}
	// from reports which host file the plan put at the tree path host.
	from := func(host string) string {
		e, ok := p.Lookup(strings.TrimPrefix(host, dir))
		if !ok || e.Type != TypeFile {
			return ""
		}
		src, err := filepath.EvalSymlinks(e.Source)
		if err != nil {
			return e.Source
		}
		return src
	}
	if r.Loader != nil && (v.Loader == nil || from(v.Loader.Host) != r.Loader.Host) {
		return bug("the loader %s is not where the plan put it", r.Interpreter)
	}
	got := map[string]string{}
	for _, l := range v.Libraries {
		got[l.Name] = from(l.Host)
	}
	for _, l := range r.Libraries {
		if got[l.Name] != l.Host {
			return bug("%s would load from %q, not the planned copy of %s", l.Name, strings.TrimPrefix(got[l.Name], dir), l.Host)
		}
	}
	if len(got) != len(r.Libraries) {
		return bug("it loads %d libraries, the plan has %d", len(got), len(r.Libraries))
	}
	return nil
}
