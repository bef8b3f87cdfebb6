package pack

import (
	"bytes"
	"context"
	"fmt"
	"io"
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
func (p *Plan) addIncludes(ctx context.Context, root *elfscan.Root, includes []Include, resolve elfscan.Options) error {
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
		if done[in] || i >= len(includes) && within(inPlace, in.Source) {
			continue
		}
		done[in] = true
		var added []placed
		if err := p.addTree(ctx, Addition{Root: root, Source: in.Source, Dest: in.Dest}, &added); err != nil {
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
				// A link out of the tree: bring what it points to.
				link := e.Linkname
				if !path.IsAbs(link) {
					link = path.Join(path.Dir(a.src), link)
				}
				target, links, err := root.Eval(link)
				if err != nil || inTree(target, in.Source) {
					continue // dangling in the root too, or brought already
				}
				for _, l := range links { // the links on the way, so that e resolves in the image
					if l.Path == a.src || inTree(l.Path, in.Source) {
						continue
					}
					if err := p.Add(Entry{Path: l.Path, Type: TypeSymlink, Mode: 0o777, Linkname: l.Target}); err != nil {
						return fmt.Errorf("including %s from %s: placing the link %s on the way to %s: %w", in.Source, root, l.Path, target, err)
					}
				}
				queue = append(queue, Include{Source: target, Dest: target})
			case TypeFile:
				if err := p.addELFRuntime(root, e, resolve); err != nil {
					return err
				}
			}
		}
	}
	return nil
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
// and adds its loader and libraries.
func (p *Plan) addELFRuntime(root *elfscan.Root, e Entry, resolve elfscan.Options) error {
	f, _, err := root.OpenFile(e.Source)
	if err != nil {
		return nil // not readable as a regular file: AddTree has said what it could
	}
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	f.Close()
	if err != nil || !bytes.Equal(magic[:], []byte("\x7fELF")) {
		return nil
	}
	r, err := elfscan.ScanFile(root, e.Source, resolve)
	if err != nil {
		return err // it names the file
	}
	return p.AddRuntime(r, e.Path)
}
