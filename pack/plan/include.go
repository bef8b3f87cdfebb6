package plan

import (
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
)

// Include is a file or tree to copy from the root the program came from
// (--include): the image of --from, a sysroot, or the host.
type Include struct {
	Source string // an absolute path in the root
	Dest   string // where it goes in the image; Source when empty
}

// ParseInclude parses PATH[:DST], both absolute.
func ParseInclude(s string) (Include, error) {
	src, dst, _ := strings.Cut(s, ":")
	in := Include{Source: src, Dest: dst}
	if !path.IsAbs(src) || dst != "" && !path.IsAbs(dst) {
		return in, fmt.Errorf("%q: want PATH[:DST], both absolute paths in the program's root", s)
	}
	return in, nil
}

// addIncludes copies each include from root into the plan, keeping
// symlinks as symlinks and bringing the target of one that points
// elsewhere in the root; every ELF program or library brought gets its
// own loader and libraries, resolved in the root. It stops when ctx is
// done.
//
// Every target is followed, however many there are: each is taken once,
// and not at all when it is in a tree already included at its own path,
// so the work is bounded by the number of entries the root holds, and a
// cycle of links ends.
func (p *Plan) AddIncludes(ctx context.Context, root *elfscan.Root, includes []Include, resolve elfscan.Options) error {
	resolve.Root = root
	// A plugin's undefined symbols are the program's that dlopens it
	// (nginx's modules use nginx's functions): only the loader,
	// libraries and versions of what is included are checked.
	resolve.CheckSymbols = false
	queue := append([]Include{}, includes...)
	done := map[Include]bool{}
	inPlace := map[string]bool{} // sources included at their own path
	for i := 0; i < len(queue); i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		in := queue[i]
		if in.Dest == "" {
			in.Dest = in.Source
		}
		if done[in] || i >= len(includes) && in.Dest == in.Source && within(inPlace, in.Source) {
			continue
		}
		done[in] = true
		var added []placed
		if err := p.addTree(ctx, Addition{Root: root, Source: in.Source, Dest: in.Dest, Why: "--include " + in.Source}, &added); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("including %s from %s: %w", in.Source, root, err)
		}
		if in.Dest == in.Source {
			inPlace[in.Source] = true
		}
		for _, a := range added {
			if err := ctx.Err(); err != nil {
				return err
			}
			switch e := a.entry; e.Type {
			case TypeSymlink:
				next, err := p.linkTarget(root, in, a)
				if err != nil {
					return err
				}
				if next != nil {
					queue = append(queue, *next)
				}
			case TypeFile:
				if err := p.AddELFRuntime(root, e, resolve); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// linkTarget returns what to include so that the symlink a, brought by
// in, resolves in the image, or nil when nothing is missing: its target
// when it points out of what in brings, where the image will look for it.
// A link that resolves in the image as in the root (an absolute one, or
// any in a tree included at its own path) gets its target where the root
// has it, with the links on the way placed too; a relative link of a tree
// placed elsewhere gets it where it points from there. A link that
// dangles in the root too is left dangling.
func (p *Plan) linkTarget(root *elfscan.Root, in Include, a placed) (*Include, error) {
	e := a.entry
	link := e.Linkname
	if !path.IsAbs(link) {
		link = path.Join(path.Dir(a.src), link)
	}
	if !path.IsAbs(e.Linkname) && in.Dest != in.Source {
		inImage := path.Join(path.Dir(e.Path), e.Linkname)
		if inTree(inImage, in.Dest) {
			return nil, nil // brought with the tree
		}
		target, _, err := root.Eval(link)
		if err != nil {
			return nil, nil
		}
		return &Include{Source: target, Dest: inImage}, nil
	}
	target, links, err := root.Eval(link)
	if err != nil || in.Dest == in.Source && inTree(target, in.Source) {
		return nil, nil
	}
	for _, l := range links {
		if in.Dest == in.Source && inTree(l.Path, in.Source) {
			continue // brought with the tree
		}
		if err := p.Add(Entry{Path: l.Path, Type: TypeSymlink, Mode: 0o777, Linkname: l.Target, Why: "--include " + in.Source}); err != nil {
			return nil, fmt.Errorf("including %s from %s: placing the link %s on the way to %s: %w", in.Source, root, l.Path, target, err)
		}
	}
	return &Include{Source: target, Dest: target}, nil
}

// inTree reports whether p is top or beneath it.
func inTree(p, top string) bool {
	return p == top || strings.HasPrefix(p, strings.TrimSuffix(top, "/")+"/")
}

// within reports whether p, or a directory above it, is in set.
func within(set map[string]bool, p string) bool {
	for ; ; p = path.Dir(p) {
		if set[p] {
			return true
		}
		if p == "/" || p == "." {
			return false
		}
	}
}

// addELFRuntime resolves an included ELF program or library in its root
// and adds its loader and libraries. An ELF file no loader maps (a .o, a
// core or debug file) is data, copied as it is.
func (p *Plan) AddELFRuntime(root *elfscan.Root, e Entry, resolve elfscan.Options) error {
	r, err := scanELF(root, e.Source, resolve)
	if r == nil {
		return err // it names the file
	}
	if err := p.AddRuntime(r, e.Path); err != nil {
		return err
	}
	p.brought = append(p.brought, r)
	return nil
}

// scanELF resolves the file at name in root when it is an ELF object a
// loader maps; it returns nil and no error for a file that is data.
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
