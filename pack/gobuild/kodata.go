package gobuild

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// KodataRoot is where a main package's kodata directory goes in its
// image, as ko puts it; KO_DATA_PATH names it.
const KodataRoot = "/var/run/ko"

// kodataMode is the mode of every kodata file, as ko writes them.
const kodataMode fs.FileMode = 0o555

// maxKodataDepth bounds how deep kodata's directories (links followed)
// may nest, and maxKodataFiles how many entries it may hold: links to
// directories can make a small tree huge.
const (
	maxKodataDepth = 64
	maxKodataFiles = 1 << 20
)

// kodata returns the additions that put pkgDir/kodata at KodataRoot as
// ko does: symlinks are followed (a link to a directory is walked), and
// each must resolve inside the allowed root, KO_DATA_PATH_ALLOWED_ROOT
// or else the enclosing git checkout or else the kodata directory
// itself, so that no host file outside the project is packed. With no
// kodata directory, KodataRoot is an empty directory made under tmp.
func kodata(pkgDir, tmp string, getenv func(string) string) ([]plan.Addition, error) {
	root := filepath.Join(pkgDir, "kodata")
	fi, err := os.Stat(root)
	switch {
	case pkgDir == "" || os.IsNotExist(err): // no source directory (a Package made by hand), or no kodata
		empty, err := os.MkdirTemp(tmp, "kodata-")
		if err != nil {
			return nil, err
		}
		return []plan.Addition{{Source: empty, Dest: KodataRoot, Mode: kodataMode}}, nil
	case err != nil:
		return nil, fmt.Errorf("kodata: %w", err)
	case !fi.IsDir():
		return nil, fmt.Errorf("kodata: %s is not a directory; ko ships a directory named kodata beside the main package", quote.Name(root))
	}
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		return nil, fmt.Errorf("kodata: %w", err)
	}
	if real, err = filepath.Abs(real); err != nil {
		return nil, fmt.Errorf("kodata: %w", err)
	}
	w := &kodataWalk{allowed: allowedRoot(real, getenv)}
	if err := w.walk(root, KodataRoot, []string{real}); err != nil {
		return nil, fmt.Errorf("kodata: %w", err)
	}
	return w.out, nil
}

type kodataWalk struct {
	allowed string
	out     []plan.Addition
	n       int // entries seen
}

// walk adds dir's entries at dest, in name order; parents are the real
// paths of the directories above dir and of dir itself, so that a link
// to one of them, a loop, is refused.
func (w *kodataWalk) walk(dir, dest string, parents []string) error {
	if len(parents) > maxKodataDepth {
		return fmt.Errorf("%s: directories nest more than %d deep; flatten kodata", quote.Name(dir), maxKodataDepth)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(ents) == 0 {
		w.out = append(w.out, plan.Addition{Source: dir, Dest: dest, Mode: kodataMode})
		return nil
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	for _, e := range ents {
		if w.n++; w.n > maxKodataFiles {
			return fmt.Errorf("more than %d files and directories (links to directories followed); link fewer directories", maxKodataFiles)
		}
		host := filepath.Join(dir, e.Name())
		real, err := filepath.EvalSymlinks(host)
		if err != nil {
			return fmt.Errorf("%s: %w; remove the broken link", quote.Name(host), unwrapPath(err))
		}
		if real, err = filepath.Abs(real); err != nil {
			return err
		}
		if !within(real, w.allowed) {
			return fmt.Errorf("%s resolves to %s, outside %s; copy the file in, or set KO_DATA_PATH_ALLOWED_ROOT to a directory holding both", quote.Name(host), quote.Name(real), quote.Name(w.allowed))
		}
		fi, err := os.Stat(real)
		if err != nil {
			return err
		}
		to := path.Join(dest, e.Name())
		switch {
		case fi.IsDir():
			if slices.Contains(parents, real) {
				return fmt.Errorf("%s links to %s, a directory above it: a loop; remove the link", quote.Name(host), quote.Name(real))
			}
			if err := w.walk(real, to, append(slices.Clip(parents), real)); err != nil {
				return err
			}
		case fi.Mode().IsRegular():
			w.out = append(w.out, plan.Addition{Source: real, Dest: to, Mode: kodataMode})
		default:
			return fmt.Errorf("%s is a %s, not a file or directory; remove it from kodata", quote.Name(host), fi.Mode().Type())
		}
	}
	return nil
}

// allowedRoot is where kodata's symlinks may point, as ko decides it:
// KO_DATA_PATH_ALLOWED_ROOT, else the enclosing git checkout, when
// either holds the kodata directory; else the kodata directory.
func allowedRoot(kodata string, getenv func(string) string) string {
	cand := getenv("KO_DATA_PATH_ALLOWED_ROOT")
	if cand == "" {
		for d := kodata; ; d = filepath.Dir(d) {
			if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
				cand = d
				break
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if cand == "" {
		return kodata
	}
	abs, err := filepath.Abs(cand)
	if err != nil {
		return kodata
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	if within(kodata, abs) {
		return abs
	}
	return kodata
}

// within reports whether p is root or lies under it.
func within(p, root string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// unwrapPath drops a *fs.PathError's path, which the message names
// already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
