package plan

import (
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/symlink"
)

// EntryType is the kind of a file system entry in a plan.
type EntryType int

// The entry types a plan holds.
const (
	TypeDir EntryType = iota
	TypeFile
	TypeSymlink
)

// Entry is one file, directory or symlink in the image's root file system.
type Entry struct {
	Path     string        // absolute, clean, in the image
	Type     EntryType     // directory, regular file or symlink
	Mode     fs.FileMode   // permission bits, plus fs.ModeSticky where wanted
	Root     *elfscan.Root // for files: the root Source is read from; nil for the host
	Source   string        // for files: the file to copy, a path in Root (on the host: absolute or relative to the working directory)
	Data     []byte        // for files: the content, when there is no Source
	Stamp    Stamp         // for files with Source: the file when it was planned, if known; it must not change before it is packed
	Linkname string        // for symlinks: the link target, as written
	UID, GID int
	// Xattrs are the entry's extended attributes by name
	// (security.capability), written as SCHILY.xattr PAX records.
	Xattrs map[string]string
	// Why is the evidence that the program needs the entry: "library
	// libz.so.1, needed by /usr/bin/curl (cache)", "--add ./conf:/etc/app".
	// It is "" for a parent directory that only holds other entries.
	Why string
}

// Plan is the root file system of an image: a set of entries keyed by
// path, with every parent directory present.
type Plan struct {
	entries map[string]Entry
	exclude []string // globs AddTree leaves out
	// brought are the reports of the ELF objects that came in as data
	// (addELFRuntime: plugins, modules, helpers), whose own path
	// literals and libraries' are evidence too (namedPathsOfBrought).
	brought []*elfscan.Report
}

// NewPlan returns an empty plan.
func NewPlan() *Plan {
	return &Plan{entries: map[string]Entry{}}
}

// CleanPath checks that p is an absolute image path with no ".." element
// and returns it cleaned.
func CleanPath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		return "", fmt.Errorf("image path %q is not absolute; start it with /", p)
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." {
			return "", fmt.Errorf("image path %q has a .. element", p)
		}
	}
	c := path.Clean(p)
	if c == "/" {
		return "", fmt.Errorf("image path %q names the root directory", p)
	}
	return c, nil
}

// Add puts e into the plan, creating its parent directories (root-owned,
// 0755) where they are missing. A parent that is a symlink in the plan is
// followed, as the kernel would in the image: with /lib -> usr/lib planned,
// /lib/x/libc.so.6 lands at /usr/lib/x/libc.so.6. It is an error to add a
// path twice unless both are the same or both directories, or to put
// anything beneath a file.
func (p *Plan) Add(e Entry) error {
	clean, err := CleanPath(e.Path)
	if err != nil {
		return err
	}
	dir, err := p.resolveDir(path.Dir(clean))
	if err != nil {
		return err
	}
	clean = path.Join(dir, path.Base(clean))
	e.Path = clean
	if err := p.addParents(path.Dir(clean)); err != nil {
		return err
	}
	if old, ok := p.entries[clean]; ok {
		if old.Type == TypeDir && e.Type == TypeDir {
			p.entries[clean] = e // an explicit directory wins over an implied one
			return nil
		}
		if sameEntry(old, e) {
			return nil
		}
		return fmt.Errorf("image path %s is added twice (from %s and %s)", clean, describe(old), describe(e))
	}
	p.entries[clean] = e
	return nil
}

func (p *Plan) addParents(dir string) error {
	if dir == "/" {
		return nil
	}
	if old, ok := p.entries[dir]; ok {
		if old.Type != TypeDir {
			return fmt.Errorf("image path %s is %s, so nothing can go beneath it", dir, describe(old))
		}
		return nil
	}
	if err := p.addParents(path.Dir(dir)); err != nil {
		return err
	}
	p.entries[dir] = Entry{Path: dir, Type: TypeDir, Mode: 0o755}
	return nil
}

// resolveDir follows the plan's symlinks in the directory path dir; a
// component the plan does not hold is taken as a directory.
func (p *Plan) resolveDir(dir string) (string, error) {
	real, _, err := symlink.Resolve(dir, func(next string) (string, bool, error) {
		e, ok := p.entries[next]
		return e.Linkname, ok && e.Type == TypeSymlink, nil
	})
	if err != nil {
		return "", fmt.Errorf("image path %s: %w", dir, err)
	}
	return real, nil
}

// addWalked adds the directories that resolving the image path walked
// (its directory part, the plan's symlinks followed) passes through and
// that the plan lacks. The kernel takes ".." after the links before it,
// in directories that must exist: /x/link/../lib, with link -> real/sub,
// needs /x/real/sub, which nothing beneath /x/real/lib implies.
func (p *Plan) AddWalked(walked string) error {
	var missing []string
	dir := walked[:strings.LastIndexByte(walked, '/')+1] // not path.Dir, which would take the ".." lexically
	_, _, err := symlink.Resolve(dir, func(next string) (string, bool, error) {
		e, ok := p.entries[next]
		switch {
		case !ok:
			missing = append(missing, next)
		case e.Type == TypeSymlink:
			return e.Linkname, true, nil
		case e.Type != TypeDir:
			return "", false, fmt.Errorf("%s is %s, not a directory", next, describe(e))
		}
		return "", false, nil
	})
	if err != nil {
		return fmt.Errorf("image path %s: %w", walked, err)
	}
	for _, dir := range missing {
		if err := p.Add(Entry{Path: dir, Type: TypeDir, Mode: 0o755}); err != nil {
			return err
		}
	}
	return nil
}

// Resolve returns the image path p with the plan's symlinks followed in
// its directory part.
func (p *Plan) Resolve(imagePath string) (string, error) {
	clean, err := CleanPath(imagePath)
	if err != nil {
		return "", err
	}
	dir, err := p.resolveDir(path.Dir(clean))
	if err != nil {
		return "", err
	}
	return path.Join(dir, path.Base(clean)), nil
}

// Lookup returns the entry at an image path.
func (p *Plan) Lookup(imagePath string) (Entry, bool) {
	e, ok := p.entries[path.Clean(imagePath)]
	return e, ok
}

// Entries returns every entry sorted by path, so that a directory always
// comes before what it holds.
func (p *Plan) Entries() []Entry {
	out := make([]Entry, 0, len(p.entries))
	for _, e := range p.entries {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// HostSources returns the host path of every file the plan reads from a
// host directory: what an output must never replace.
func (p *Plan) HostSources() []string {
	var out []string
	for _, e := range p.Entries() {
		if e.Type != TypeFile || e.Source == "" {
			continue
		}
		if e.Root == nil {
			if abs, err := filepath.Abs(e.Source); err == nil {
				out = append(out, abs)
			}
		} else if h := e.Root.HostPath(e.Source); h != "" {
			out = append(out, h)
		}
	}
	return out
}

// SourceRoot is the root a file entry's source is read from, and the
// source's absolute path in it.
func (e Entry) SourceRoot() (*elfscan.Root, string) {
	if e.Root != nil {
		return e.Root, e.Source
	}
	abs, err := filepath.Abs(e.Source)
	if err != nil {
		abs = e.Source
	}
	return elfscan.HostRoot(), abs
}

// Open opens a file entry's source through its root.
func (e Entry) Open() (fs.File, fs.FileInfo, error) {
	root, src := e.SourceRoot()
	return root.OpenFile(src)
}

// From names where a file entry's content comes from, in messages.
func (e Entry) From() string {
	if e.Root == nil || e.Root.HostPath("/") == "/" {
		return e.Source
	}
	if h := e.Root.HostPath(e.Source); h != "" {
		return h
	}
	return e.Source + " in " + e.Root.String()
}

// String says what the entry is and where its content comes from.
func (e Entry) String() string {
	return fmt.Sprintf("%s %v %d:%d (%s)", e.Path, e.Mode, e.UID, e.GID, describe(e))
}

func sameEntry(a, b Entry) bool {
	return a.Path == b.Path && a.Type == b.Type && a.Mode == b.Mode && a.Source == b.Source && a.Root == b.Root &&
		a.Linkname == b.Linkname && a.UID == b.UID && a.GID == b.GID && string(a.Data) == string(b.Data)
}

func describe(e Entry) string {
	switch e.Type {
	case TypeDir:
		return "a directory"
	case TypeSymlink:
		return "a symlink to " + e.Linkname
	}
	if e.Source == "" {
		return "a generated file"
	}
	return "file " + e.From()
}

// Brought returns the reports of the ELF objects that came in as data
// (AddELFRuntime: plugins, modules, helpers), in the order they came.
func (p *Plan) Brought() []*elfscan.Report { return p.brought }

// FS returns the plan as a file system, as the image will hold it: its
// files read from their sources, its symlinks readable as links.
func (p *Plan) FS() fs.ReadLinkFS { return planFS{p} }

// unwrapPathErr drops an fs.PathError's operation and path, which the
// caller's message names in its own terms.
func unwrapPathErr(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}
