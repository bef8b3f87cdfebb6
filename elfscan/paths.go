package elfscan

import (
	"bytes"
	"debug/elf"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// NamedPath is an absolute path that an object of the closure holds as a
// string in its read-only data: "/usr/share/misc/magic" in libmagic, the
// templates directory in git. It is evidence of a file the program may
// read at run time; whether that file exists, and whether it is shipped,
// is for whoever packs the program to decide.
type NamedPath struct {
	Path   string `json:"path"`             // the path, clean
	In     string `json:"in"`               // the object that holds it, a path in the report's root
	String string `json:"string,omitempty"` // the string, when it is not Path: relative to In's prefix, or an element of a colon list
}

// Bounds of the search for paths: a longer string is not a path the
// kernel takes, and an object naming more paths than maxPathsPerObject is
// not naming its data files (its warnings say so).
const (
	maxPathLen        = 4096
	maxPathsPerObject = 4096
	pathChunk         = 64 << 10 // what is read of a section at a time
)

// pathFacts is what the search found in one object.
type pathFacts struct {
	paths  []foundPath
	capped bool // more than maxPathsPerObject were found; paths holds the first ones
}

// addPaths fills in Paths: the absolute paths the program and every
// library of its closure, but the C library and the loader, hold in their
// read-only data. What the C library names (its locales, gconv, zone
// data, NSS) is the business of the policies that know it, not evidence.
func (r *Report) addPaths(cache *Cache) error {
	type object struct {
		lf *libFacts
		in string
	}
	var objs []object
	if r.Go == nil { // Go's strings are not NUL-terminated: its data holds no C strings to read
		objs = append(objs, object{cache.lib(r.Root, r.File), r.File})
	}
	for _, l := range r.Libraries {
		if libcPart(l.Name) || muslBuiltin(l.Name) {
			continue
		}
		objs = append(objs, object{cache.lib(l.Root, l.RealPath), l.RealPath})
	}
	seen := map[NamedPath]bool{}
	for _, o := range objs {
		pf, err := o.lf.namedPaths()
		if err != nil {
			return &FileError{Path: r.Path, Err: err}
		}
		if pf.capped {
			r.Warnings = append(r.Warnings, fmt.Sprintf("%s names more than %d paths in its read-only data; only the first %d are evidence (add what is missing with --include DIR)", o.in, maxPathsPerObject, maxPathsPerObject))
		}
		var dirs []string // where a configuration file name may be opened
		for _, p := range pf.paths {
			if path.IsAbs(p.path) && strings.Count(p.path, "/") >= 2 {
				dirs = append(dirs, p.path, path.Dir(p.path))
			}
		}
		for _, p := range pf.paths {
			if !strings.Contains(p.path, "/") { // a configuration file name
				for _, d := range dirs {
					np := NamedPath{Path: path.Join(d, p.path), In: o.in, String: p.str}
					if !seen[np] && len(seen) < maxPathsPerObject*len(objs) {
						seen[np] = true
						r.Paths = append(r.Paths, np)
					}
				}
				continue
			}
			np := NamedPath{Path: p.path, In: o.in}
			if p.str != p.path || !path.IsAbs(p.path) {
				np.String = p.str
			}
			if rest, ok := strings.CutPrefix(p.path, "%s/"); ok {
				np.Path = path.Join(path.Dir(o.in), rest) // beside the object
			} else if !path.IsAbs(p.path) {
				prefix := installPrefix(o.in)
				if prefix == "" {
					continue
				}
				np.Path = path.Join(prefix, p.path)
			}
			if !seen[np] {
				seen[np] = true
				r.Paths = append(r.Paths, np)
			}
		}
	}
	return nil
}

// namedPaths returns the paths the file holds in its read-only data,
// read once.
func (lf *libFacts) namedPaths() (pathFacts, error) {
	return lf.paths.get(func() (pf pathFacts, err error) {
		if !lf.elf {
			return pf, lf.unread
		}
		err = lf.reread(func(f *elf.File) { pf = readPaths(f) })
		return pf, err
	})
}

// foundPath is a path found, and the string it was found in.
type foundPath struct {
	path string // clean; relative to an installation prefix when it does not start with "/"
	str  string
}

// installPrefix is the installation prefix of an object at p: /usr for
// /usr/bin/git or /usr/lib/x86_64-linux-gnu/libfoo.so.1, "" when p is
// not in a prefix's bin, sbin, lib or libexec directory.
func installPrefix(p string) string {
	dir := path.Dir(p)
	for range 2 { // lib/<triplet>
		switch path.Base(dir) {
		case "bin", "sbin", "lib", "lib64", "libexec":
			return path.Dir(dir)
		}
		dir = path.Dir(dir)
	}
	return ""
}

// readPaths finds the absolute paths in f's read-only data: the
// allocated, neither writable nor executable PROGBITS sections (.rodata
// and its kind) that a read-only PT_LOAD segment maps, or, for a file
// without section headers, every read-only PT_LOAD segment. Each section
// is read a chunk at a time, so that memory stays bounded whatever the
// file's size.
func readPaths(f *elf.File) pathFacts {
	var pf pathFacts
	seen := map[foundPath]bool{}
	s := pathScanner{found: func(b []byte) bool {
		for _, p := range pathsOf(b) {
			if seen[p] {
				continue
			}
			if len(pf.paths) == maxPathsPerObject {
				pf.capped = true
				return false
			}
			seen[p] = true
			pf.paths = append(pf.paths, p)
		}
		return true
	}}
	for _, sr := range readOnlyData(f) {
		if !s.scan(sr) {
			break
		}
	}
	sort.Slice(pf.paths, func(i, j int) bool {
		a, b := pf.paths[i], pf.paths[j]
		return a.path < b.path || a.path == b.path && a.str < b.str
	})
	return pf
}

// readOnlyData returns readers of the read-only data of f.
func readOnlyData(f *elf.File) []io.Reader {
	var ro []*elf.Prog
	for _, p := range f.Progs {
		if p.Type == elf.PT_LOAD && p.Flags&elf.PF_W == 0 && p.Filesz > 0 {
			ro = append(ro, p)
		}
	}
	mapped := func(off, size uint64) bool {
		for _, p := range ro {
			if off >= p.Off && off-p.Off <= p.Filesz && size <= p.Filesz-(off-p.Off) {
				return true
			}
		}
		return false
	}
	var out []io.Reader
	for _, s := range f.Sections {
		if s.Type != elf.SHT_PROGBITS || s.Flags&elf.SHF_ALLOC == 0 || s.Flags&(elf.SHF_WRITE|elf.SHF_EXECINSTR|elf.SHF_COMPRESSED) != 0 {
			continue
		}
		if s.Name == ".interp" || !mapped(s.Offset, s.Size) {
			continue // the loader's name is not data; a section no segment maps is not read by the program
		}
		out = append(out, io.NewSectionReader(s.ReaderAt, 0, int64(s.Size)))
	}
	if len(f.Sections) > 0 {
		return out
	}
	for _, p := range ro {
		out = append(out, io.NewSectionReader(p.ReaderAt, 0, int64(p.Filesz)))
	}
	return out
}

// pathScanner finds the NUL-terminated runs of path characters in a
// stream of bytes, however the stream is cut into reads.
type pathScanner struct {
	run   []byte            // the path characters before the read at hand, at most maxPathLen+1
	prev  byte              // the byte before the run
	found func([]byte) bool // called with each run; false stops the scan
	buf   []byte
}

// scan reads r to its end, or to the first read error (a short section
// of a truncated file ends where the file does), calling found with each
// NUL-terminated run. It reports false when found stopped it.
func (s *pathScanner) scan(r io.Reader) bool {
	if s.buf == nil {
		s.buf = make([]byte, pathChunk)
	}
	s.run, s.prev = s.run[:0], 0
	for {
		n, err := r.Read(s.buf)
		if !s.write(s.buf[:n]) {
			return false
		}
		if err != nil { // the end, or what could not be read, which holds no evidence
			return true
		}
	}
}

// write takes the next bytes of the stream. A run is taken when it is a
// whole string, between NULs (or the start of the data and a NUL), or
// the end of one after "%" ("%s/espeak-ng-data": a name in a directory
// the object computes, looked for beside the object), or
// when it is the text of an XML element written in a string (fontconfig's
// built-in configuration: "<dir>/usr/share/fonts</dir>"), or a path
// under the installation prefix written as aspell writes its defaults
// ("<prefix:lib/aspell>"): a path in a message ("cannot open /x") is not
// a path the program opens.
func (s *pathScanner) write(b []byte) bool {
	start := 0
	for i, c := range b {
		if pathByte[c] {
			continue
		}
		if (c == 0 && (s.prev == 0 || s.prev == '%') || c == '<' && s.prev == '>' || c == '>' && s.prev == '<') && (i > start || len(s.run) > 0) {
			run := b[start:i]
			if len(s.run) > 0 {
				run = append(s.run, run...)
			}
			if s.prev == '%' { // "%s/espeak-ng-data": a name in a directory the object computes
				run = append([]byte("%"), run...)
			}
			if c == '>' { // aspell's "<prefix:lib/aspell>": a path under the installation prefix
				if !bytes.HasPrefix(run, []byte("prefix:")) {
					run = nil
				}
				run = bytes.TrimPrefix(run, []byte("prefix:"))
			}
			if len(run) > 0 && len(run) <= maxPathLen && candidate(run) && !s.found(run) {
				return false
			}
		}
		s.run = s.run[:0]
		s.prev = c
		start = i + 1
	}
	if tail := b[start:]; len(s.run)+len(tail) <= maxPathLen {
		s.run = append(s.run, tail...)
	} else {
		s.run = append(s.run[:0], make([]byte, maxPathLen+1)...) // too long to be a path: ends as none
	}
	return true
}

// candidate reports whether a run may name a path: an absolute one, one
// relative to an installation prefix ("share/git-core/templates", which
// git joins to its prefix /usr), a name in a directory ("%s/NAME"), or
// a configuration file name.
func candidate(run []byte) bool {
	if len(run) > 1 && run[0] == '/' || len(run) > 3 && string(run[:3]) == "%s/" {
		return true
	}
	for _, p := range prefixDirs {
		if len(run) > len(p)+1 && string(run[:len(p)]) == p && run[len(p)] == '/' {
			return true
		}
	}
	return configName(run)
}

// configName reports whether a run is the name of a configuration file
// ("fonts.conf"), which a program opens in a directory it names.
func configName(run []byte) bool {
	if len(run) > 255 || bytes.IndexByte(run, '/') >= 0 || bytes.IndexByte(run, ':') >= 0 {
		return false
	}
	for _, ext := range configExts {
		if len(run) > len(ext) && bytes.HasSuffix(run, []byte(ext)) {
			return true
		}
	}
	return false
}

// configExts are the endings of configuration file names.
var configExts = []string{".conf", ".cnf", ".cfg"}

// prefixDirs are the directories of an installation prefix that a
// program names relative to it.
var prefixDirs = []string{"share", "lib", "libexec", "etc"}

// pathByte says which bytes a path string is made of: letters, digits
// and the punctuation file names are written with; ':' separates the
// elements of a search list. Bytes of printf formats ('%'), of words
// and messages (' ', '=', quotes) end a run.
var pathByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for _, c := range "/._-+:@,~" {
		t[c] = true
	}
	return t
}()

// pathsOf returns the paths a run names: each element of a colon list
// that is an absolute path (or one relative to a prefix, see candidate)
// with at least one letter, cleaned, with no "." or ".." element and no
// empty one (so "//x" or "/x//y", more often a pattern than a path, is
// none).
func pathsOf(run []byte) []foundPath {
	s := string(run)
	if strings.HasPrefix(s, "%s/") {
		if p, ok := cleanNamedPath(s[2:]); ok && !strings.Contains(s, ":") {
			return []foundPath{{"%s" + p, s}}
		}
		return nil
	}
	if configName(run) {
		if s[0] == '.' {
			return nil
		}
		return []foundPath{{s, s}}
	}
	if s[0] != '/' {
		if p, ok := cleanNamedPath("/" + s); ok && !strings.Contains(s, ":") {
			return []foundPath{{p[1:], s}}
		}
		return nil
	}
	var out []foundPath
	for _, el := range strings.Split(s, ":") {
		if p, ok := cleanNamedPath(el); ok {
			out = append(out, foundPath{p, s})
		}
	}
	return out
}

func cleanNamedPath(s string) (string, bool) {
	if len(s) < 2 || s[0] != '/' {
		return "", false
	}
	trimmed := strings.TrimSuffix(s, "/")
	letters := false
	for _, el := range strings.Split(trimmed[1:], "/") {
		if el == "" || el == "." || el == ".." {
			return "", false
		}
		for _, c := range el {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				letters = true
			}
		}
	}
	return trimmed, letters
}
