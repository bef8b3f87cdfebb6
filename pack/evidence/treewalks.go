package evidence

import (
	"context"
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/scratchpack/scratchpack/elfscan"
)

// treeWalks are the walks of the run-time data trees (gconv's modules,
// a locale's directory, python's library), each walked once: a bulk scan
// walks the same gconv directory for every program that calls iconv.
// What each plan keeps of a tree (--exclude, the bounds) is its own, asked
// as each walk is replayed. Like an elfscan.Cache, it assumes the root's
// files do not change while it lives. It is safe for concurrent use.
type treeWalks struct {
	mu    sync.Mutex
	walks []treeWalk
}

// treeWalk is one walk: what fs.WalkDir handed its function, in order.
type treeWalk struct {
	root  *elfscan.Root
	top   string
	steps []walkStep
}

// walkStep is one call of a walk's function.
type walkStep struct {
	name string
	e    fs.DirEntry // its Info answers what it answered when walked
	err  error
}

// walkedEntry is a DirEntry whose Info was read when it was walked.
type walkedEntry struct {
	fs.DirEntry
	fi  fs.FileInfo
	err error
}

func (e walkedEntry) Info() (fs.FileInfo, error) { return e.fi, e.err }

// walk calls fn as fs.WalkDir(root, top, fn) does, from the walk of top
// kept in w (walked now when w has none); w nil walks afresh.
func (w *treeWalks) walk(ctx context.Context, root *elfscan.Root, top string, fn fs.WalkDirFunc) error {
	if w == nil {
		return fs.WalkDir(root, top, fn)
	}
	steps, err := w.of(ctx, root, top)
	if err != nil {
		return err
	}
	skip := "" // the tree fn skips, or ""
	for _, s := range steps {
		if skip != "" && (s.name == skip || strings.HasPrefix(s.name, skip+"/")) {
			continue
		}
		err := fn(s.name, s.e, s.err)
		switch {
		case err == fs.SkipAll:
			return nil
		case err == fs.SkipDir && s.e != nil && s.e.IsDir():
			skip = s.name
		case err == fs.SkipDir: // a file's: the rest of its directory
			if s.name == top {
				return nil
			}
			skip = path.Dir(s.name)
		case err != nil:
			return err
		}
	}
	return nil
}

// of returns the steps of the walk of top in root, walking it the first
// time it is asked.
func (w *treeWalks) of(ctx context.Context, root *elfscan.Root, top string) ([]walkStep, error) {
	w.mu.Lock()
	for _, t := range w.walks {
		if t.top == top && t.root.Same(root) {
			w.mu.Unlock()
			return t.steps, nil
		}
	}
	w.mu.Unlock()
	var steps []walkStep
	err := fs.WalkDir(root, top, func(name string, e fs.DirEntry, err error) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e != nil {
			fi, err := e.Info()
			e = walkedEntry{e, fi, err}
		}
		steps = append(steps, walkStep{name, e, err})
		return nil // a directory that cannot be read is not descended into, as for any fn
	})
	if err != nil { // only ctx's: fn returns no other
		return nil, err
	}
	w.mu.Lock()
	w.walks = append(w.walks, treeWalk{root, top, steps})
	w.mu.Unlock()
	return steps, nil
}
