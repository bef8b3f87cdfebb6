package pack

import (
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
// own loader and libraries, resolved in the root.
func (p *Plan) addIncludes(root *elfscan.Root, includes []Include, resolve elfscan.Options) error {
	resolve.Root = root
	// A plugin's undefined symbols are the program's that dlopens it
	// (nginx's modules use nginx's functions): only the loader,
	// libraries and versions of what is included are checked.
	resolve.CheckSymbols = false
	queue := append([]Include{}, includes...)
	done := map[string]bool{}
	for len(queue) > 0 && len(done) < 1000 {
		in := queue[0]
		queue = queue[1:]
		if in.Dest == "" {
			in.Dest = in.Source
		}
		if done[in.Source+"\x00"+in.Dest] {
			continue
		}
		done[in.Source+"\x00"+in.Dest] = true
		before := map[string]bool{}
		for k := range p.entries {
			before[k] = true
		}
		if err := p.AddTree(Addition{Root: root, Source: in.Source, Dest: in.Dest}); err != nil {
			return fmt.Errorf("including %s from %s: %w", in.Source, root, err)
		}
		for _, e := range p.Entries() {
			if before[e.Path] {
				continue
			}
			switch e.Type {
			case TypeSymlink:
				// A link out of the tree: bring what it points to.
				link := e.Linkname
				if !path.IsAbs(link) {
					link = path.Join(path.Dir(in.Source+strings.TrimPrefix(e.Path, in.Dest)), link)
				}
				target, _, err := root.Eval(link)
				if err == nil && !strings.HasPrefix(target+"/", in.Source+"/") {
					queue = append(queue, Include{Source: target})
				}
			case TypeFile:
				if err := p.addELFRuntime(root, e, resolve); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// addELFRuntime resolves an included ELF program or library in its root
// and adds its loader and libraries. An ELF file no loader maps (a .o, a
// core or debug file) is data, copied as it is.
func (p *Plan) addELFRuntime(root *elfscan.Root, e Entry, resolve elfscan.Options) error {
	if ok, err := elfscan.Loadable(root, e.Source); err != nil || !ok {
		return err // it names the file
	}
	r, err := elfscan.ScanFile(root, e.Source, resolve)
	if err != nil {
		return err // it names the file
	}
	return p.AddRuntime(r, e.Path)
}
