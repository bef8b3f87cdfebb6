package evidence

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/plural"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// Bounds on what run-time data evidence adds to one image: a directory
// over a bound is left out whole, with a warning naming it and the flags
// that take its place, never shipped in part.
const (
	maxDataBytes    = 512 << 20 // every tree and file runTimeData adds
	maxDataDirBytes = 256 << 20 // one directory
	maxDataDirFiles = 20000     // one directory
)

// runTimeData adds to a plan what a program reads from the system at run
// time and the scan found evidence of (elfscan.RunTimeData, the image's
// environment): the zone TZ names, compiled locales, gconv modules,
// terminfo entries, a Python interpreter's tree. Every ELF file it brings
// is resolved like a library (addELFRuntime).
type runTimeData struct {
	plan    *plan.Plan
	r       *elfscan.Report
	root    *elfscan.Root // where the data comes from: the program's root, or the sysroot
	resolve elfscan.Options
	env     map[string]string // the image's environment, the last value of each name
	bytes   int64             // added so far, against maxBytes
	// The bounds: maxDataBytes, maxDataDirBytes, maxDataDirFiles.
	maxBytes, maxDirBytes int64
	maxDirFiles           int
	// shippable, when set, says whether a file found by evidence may go
	// into the image (the shared never-shipped policy); nil ships all.
	shippable func(path string) bool
	// trees are the data trees walked so far; nil walks afresh.
	trees *treeWalks
}

// addRunTimeData adds the run-time data of the scanned program r to the
// plan; in says what the image's environment asks for. What cannot be added
// is a warning in r.Warnings, with the flag that adds it.
func addRunTimeData(ctx context.Context, p *plan.Plan, r *elfscan.Report, in Input) error {
	d := &runTimeData{plan: p, r: r, root: in.Resolve.Root, resolve: in.Resolve, env: map[string]string{},
		maxBytes: maxDataBytes, maxDirBytes: maxDataDirBytes, maxDirFiles: maxDataDirFiles,
		shippable: func(p string) bool { return !neverShippable(p) }, trees: in.trees}
	if d.root == nil {
		d.root = r.Root
	}
	if d.root == nil {
		return nil
	}
	d.resolve.Root = d.root
	d.resolve.CheckSymbols = false // a plugin's undefined symbols are its host program's
	if d.resolve.Cache == nil {
		d.resolve.Cache = elfscan.NewCache()
	}
	for _, kv := range in.Env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			d.env[k] = v
		}
	}
	if tz, ok := d.env["TZ"]; ok && in.TZData != essentials.Never {
		if err := d.addZone(tz, in.ZoneInfo); err != nil {
			return err
		}
	}
	rt := r.RunTime
	if rt == nil {
		return nil
	}
	steps := []func(context.Context) error{}
	if rt.Locale != "" && r.Libc == elfscan.LibcGlibc {
		steps = append(steps, d.addLocales)
	}
	if rt.Iconv != "" && r.Libc == elfscan.LibcGlibc && !in.Resolve.GconvAll {
		steps = append(steps, d.addGconv)
	}
	if rt.Terminfo != "" {
		steps = append(steps, d.addTerminfo)
	}
	if rt.Python != nil {
		steps = append(steps, func(ctx context.Context) error { return d.addPython(ctx, in.Entrypoint) })
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// warn adds a warning about the program.
func (d *runTimeData) warn(format string, args ...any) {
	d.r.Warnings = append(d.r.Warnings, fmt.Sprintf(format, args...))
}

// regular reports whether name is, its links followed, a regular file of
// the root.
func (d *runTimeData) regular(name string) bool {
	fi, err := d.root.Stat(name)
	return err == nil && fi.Mode().IsRegular()
}

// isDir reports whether name is, its links followed, a directory of the root.
func (d *runTimeData) isDir(name string) bool {
	fi, err := d.root.Stat(name)
	return err == nil && fi.IsDir()
}

// addFile adds the file name of the root at its own path, with the
// symlinks on the way to it placed as symlinks, and resolves it when it
// is an ELF program or library.
func (d *runTimeData) addFile(name, why string) error {
	if d.shippable != nil && !d.shippable(name) {
		return nil
	}
	real, links, err := d.root.Eval(name)
	if err != nil {
		return fmt.Errorf("%s in %s: %w", name, d.root, unwrapPathErr(err))
	}
	if d.shippable != nil && !d.shippable(real) { // a link to a secret, say
		return nil
	}
	fi, err := d.root.Stat(real)
	if err != nil {
		return fmt.Errorf("%s in %s: %w", real, d.root, unwrapPathErr(err))
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s in %s: not a regular file", real, d.root)
	}
	if d.plan.Excluded(name) || d.plan.Excluded(real) {
		return nil
	}
	if d.bytes+fi.Size() > d.maxBytes {
		d.warn("%s is left out: the run-time data would pass %s (%s); add it with --include %s", quote.Name(name), mib(d.maxBytes), why, quote.Name(name))
		return nil
	}
	for _, l := range links {
		if err := d.plan.Add(plan.Entry{Path: l.Path, Type: plan.TypeSymlink, Mode: 0o777, Linkname: l.Target, Why: why}); err != nil {
			return fmt.Errorf("placing %s: %w", name, err)
		}
	}
	if err := d.plan.AddWalked(name); err != nil {
		return fmt.Errorf("placing %s: %w", name, err)
	}
	e := plan.Entry{Path: real, Type: plan.TypeFile, Mode: fi.Mode().Perm() & 0o755, Root: d.root, Source: real, Stamp: plan.StampOf(fi), Why: why}
	if err := d.plan.Add(e); err != nil {
		return err
	}
	d.bytes += fi.Size()
	return d.resolveELF(e)
}

// resolveELF adds the loader and libraries of e when it is a shared
// object or an executable (by its name or mode: what a loader or exec
// takes), as for any library.
func (d *runTimeData) resolveELF(e plan.Entry) error {
	base := path.Base(e.Source)
	if !strings.Contains(base, ".so") && e.Mode&0o111 == 0 {
		return nil
	}
	return d.plan.AddELFRuntime(d.root, e, d.resolve)
}

// addTree adds the directory dir of the root at its own path, less what
// skip (given the path relative to dir) or the plan's exclusions leave
// out: directories, files and symlinks as they are, a symlink that
// points out of the tree with its target file, and every ELF file
// resolved. A tree over a bound is left out whole, with a warning.
func (d *runTimeData) addTree(ctx context.Context, dir, why string, skip func(rel string) bool) error {
	real, links, err := d.root.Eval(dir)
	if err != nil {
		return fmt.Errorf("%s in %s: %w", dir, d.root, unwrapPathErr(err))
	}
	keep := func(name string) bool {
		rel := strings.TrimPrefix(strings.TrimPrefix(name, strings.TrimPrefix(real, "/")), "/")
		if skip != nil && rel != "" && skip(rel) {
			return false
		}
		return !d.plan.Excluded("/"+name) && (d.shippable == nil || d.shippable("/"+name))
	}
	// Count first: a tree over a bound is not shipped at all.
	var files int
	var size int64
	over := errors.New("over")
	top := strings.TrimPrefix(real, "/")
	err = d.walkKept(ctx, top, keep, func(name string, e fs.DirEntry) error {
		if e.Type().IsRegular() {
			fi, err := e.Info()
			if err != nil {
				return err
			}
			files, size = files+1, size+fi.Size()
			if files > d.maxDirFiles || size > d.maxDirBytes || d.bytes+size > d.maxBytes {
				return over
			}
		}
		return nil
	})
	if errors.Is(err, over) {
		d.warn("%s is left out (%s): it holds more than %s or %s, or passes the image's %s of run-time data; add what is needed with --include, or leave parts out with --exclude",
			quote.Name(dir), why, plural.N(d.maxDirFiles, "file", "files"), mib(d.maxDirBytes), mib(d.maxBytes))
		return nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s in %s: %w", dir, d.root, unwrapPathErr(err))
	}
	for _, l := range links {
		if err := d.plan.Add(plan.Entry{Path: l.Path, Type: plan.TypeSymlink, Mode: 0o777, Linkname: l.Target, Why: why}); err != nil {
			return fmt.Errorf("placing %s: %w", dir, err)
		}
	}
	if err := d.plan.AddWalked(dir); err != nil {
		return fmt.Errorf("placing %s: %w", dir, err)
	}
	d.bytes += size
	var outside []string // link targets out of the tree
	err = d.walkKept(ctx, top, keep, func(name string, e fs.DirEntry) error {
		src := "/" + name
		fi, err := e.Info()
		if err != nil {
			return err
		}
		switch {
		case e.IsDir():
			return d.plan.Add(plan.Entry{Path: src, Type: plan.TypeDir, Mode: fi.Mode().Perm(), Why: why})
		case e.Type()&fs.ModeSymlink != 0:
			target, err := d.root.ReadLink(src)
			if err != nil {
				return err
			}
			if err := d.plan.Add(plan.Entry{Path: src, Type: plan.TypeSymlink, Mode: 0o777, Linkname: target, Why: why}); err != nil {
				return err
			}
			if to, _, err := d.root.Eval(src); err == nil && !inTree(to, real) && d.regular(to) {
				outside = append(outside, src)
			}
			return nil
		case e.Type().IsRegular():
			en := plan.Entry{Path: src, Type: plan.TypeFile, Mode: fi.Mode().Perm() & 0o755, Root: d.root, Source: src, Stamp: plan.StampOf(fi), Why: why}
			if err := d.plan.Add(en); err != nil {
				return err
			}
			return d.resolveELF(en)
		}
		return nil // sockets, FIFOs, devices: never shipped
	})
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s in %s: %w", dir, d.root, unwrapPathErr(err))
	}
	for _, link := range outside {
		if err := d.addFile(link, why+"; the target of "+link); err != nil {
			return err
		}
	}
	return nil
}

// mib says a bound in MiB.
func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

// unwrapPathErr drops the path from an *fs.PathError, which the caller
// names in its own terms.
func unwrapPathErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// walkKept walks the tree top of d's root, as the tree walks of the
// Planner replay it, passing fn what keep keeps: a directory keep leaves
// out is skipped whole. It stops at the first error and when ctx is done.
func (d *runTimeData) walkKept(ctx context.Context, top string, keep func(string) bool, fn func(name string, e fs.DirEntry) error) error {
	return d.trees.walk(ctx, d.root, top, func(name string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !keep(name) {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		return fn(name, e)
	})
}
