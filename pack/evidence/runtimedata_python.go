package evidence

import (
	"context"
	"path"
	"strings"

	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// addPython adds, for a program that is or embeds a Python interpreter,
// the interpreter's own tree where Python finds it: Python looks up from
// the directory of its executable for lib/pythonX.Y/os.py, so the tree
// goes at the root's prefix that such a search from the image path (or,
// failing that, from the program's path in the root) finds. The stdlib
// and lib-dynload come whole, each extension module with its libraries,
// and __pycache__ kept (the interpreter starts faster); left out are its
// test suite, idlelib, turtledemo, the config-X.Y-* build files (a
// static libpython and Makefile that only python3-config reads), and
// tkinter when lib-dynload has no _tkinter. The site directories that
// the root has (dist-packages, site-packages) are created empty, so that
// sys.path is the host's: their packages have no evidence here, and are
// named with --include or --packages.
func (d *runTimeData) addPython(ctx context.Context, entrypoint []string) error {
	py := d.r.RunTime.Python
	lib := "python" + py.Version
	var starts []string
	if len(entrypoint) > 0 && path.IsAbs(entrypoint[0]) {
		starts = append(starts, path.Dir(entrypoint[0]))
	}
	starts = append(starts, path.Dir(d.r.File), "/usr/bin")
	prefix, libdir := "", ""
	for _, start := range starts {
		for dir := start; prefix == ""; dir = path.Dir(dir) {
			for _, l := range []string{"lib", "lib64"} {
				if prefix == "" && d.regular(path.Join(dir, l, lib, "os.py")) {
					prefix, libdir = dir, l
				}
			}
			if dir == "/" {
				break
			}
		}
		if prefix != "" {
			break
		}
	}
	if prefix == "" {
		d.warn("%s: no %s/os.py above %s in %s, so Python's standard library is not packed; add it with --include", quote.Name(py.Object), lib, quote.Name(d.r.File), d.root)
		return nil
	}
	stdlib := path.Join(prefix, libdir, lib)
	why := "Python " + py.Version + "'s standard library at its prefix " + prefix + " (" + py.Why + ")"
	hasTk := false
	if entries, err := d.root.ReadDir(stdlib + "/lib-dynload"); err == nil {
		for _, e := range entries {
			hasTk = hasTk || strings.HasPrefix(e.Name(), "_tkinter.")
		}
	}
	var sites []string
	skip := func(rel string) bool {
		top, _, _ := strings.Cut(rel, "/")
		switch {
		case rel == "test", rel == "idlelib", rel == "turtledemo", !strings.Contains(rel, "/") && strings.HasPrefix(rel, "config-"):
			return true
		case !hasTk && (rel == "tkinter" || rel == "turtle.py"):
			return true
		case top == "site-packages" || top == "dist-packages":
			if rel == top {
				sites = append(sites, path.Join(stdlib, top))
			}
			return true
		}
		return false
	}
	if err := d.addTree(ctx, stdlib, why, skip); err != nil {
		return err
	}
	candidates := append(sites, path.Join(prefix, libdir, "python3", "dist-packages"))
	if prefix == "/usr" {
		candidates = append(candidates, path.Join("/usr/local", libdir, lib, "dist-packages"), path.Join("/usr/local", libdir, lib, "site-packages"))
	}
	for _, dir := range candidates {
		if !d.isDir(dir) {
			continue
		}
		if err := d.plan.Add(plan.Entry{Path: dir, Type: plan.TypeDir, Mode: 0o755, Why: "Python " + py.Version + "'s site directory, empty: Python lists it in sys.path as the root has it; its packages need --include or --packages"}); err != nil {
			return err
		}
	}
	return nil
}
