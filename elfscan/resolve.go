package elfscan

import (
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/scratchpack/scratchpack/internal/quote"
)

// ErrLibraryNotFound means a needed library is in none of the places the
// loader would look.
var ErrLibraryNotFound = errors.New("library not found")

const df1NoDefLib = 0x800 // DF_1_NODEFLIB

// object is one ELF object of the closure being resolved.
type object struct {
	path    string // where it was found, in its root
	root    *Root  // the tree path is in
	real    string // path with every symlink followed
	runTime bool   // loaded at run time, or needed by what is
	origin  string // what $ORIGIN expands to, in root
	// withProgram: the object goes where the program goes, so what its
	// $ORIGIN finds does too (the program itself, and libraries found
	// through the $ORIGIN of an object that is withProgram)
	withProgram bool
	dyn         dynamicInfo
	loader      *object // the object whose DT_NEEDED brought it in; nil for the program
}

// searchDir is one directory the loader searches, in its root.
type searchDir struct {
	root   *Root
	dir    string
	via    string  // one of the Via constants
	origin *object // the object whose $ORIGIN the directory expands, or nil
}

// resolver finds the closure of a program's libraries by the rules of its
// loader, reading files only.
type resolver struct {
	sys     *Root // where libraries and the interpreter are looked for
	libPath []string
	arch    archInfo
	class   elf.Class
	machine elf.Machine
	musl    bool
	main    *object
	file    *elfFile         // the program's, open
	ldc     *ldCache         // read when first needed
	conf    []string         // the directories of ld.so.conf, read when first needed
	cache   *Cache           // may be nil
	wants   wants            // what is read of each object loaded, with its header
	byName  map[string]bool  // names already satisfied
	byReal  map[fileKey]bool // files already loaded
	libs    []Library
	objs    []*object // the program, its loader and every library, in load order
	missing []string

	unreadable error // the first candidate that could not be read (an ErrUnreadable)
	confCut    bool  // ld.so.conf named more than maxConfFiles files
}

// programFacts are the facts of the program, read once through the cache.
func (res *resolver) programFacts() *libFacts {
	return res.cache.lib(res.main.root, res.main.real)
}

// resolve fills in r.Loader and r.Libraries, and returns the resolver for
// libraries found later (NSS modules).
func (r *Report) resolve(file *elfFile, flags uint32, dyn dynamicInfo, opts Options) (*resolver, error) {
	f := file.File
	if r.Kind == Static || r.Kind == StaticPIE {
		return nil, nil
	}
	res := &resolver{
		sys:     opts.Root,
		libPath: opts.LibPath,
		arch:    archInfoFor(r.Platform.Architecture, flags),
		class:   f.Class,
		machine: f.Machine,
		musl:    r.Libc == LibcMusl,
		cache:   opts.Cache,
		wants:   wantsOf(f, opts, r.Libc == LibcMusl),
		file:    file,
		byName:  map[string]bool{},
		byReal:  map[fileKey]bool{},
	}
	res.main = &object{path: r.File, root: r.Root, real: r.File, origin: path.Dir(r.File), withProgram: true, dyn: dyn}
	res.objs = append(res.objs, res.main)
	if r.Interpreter != "" {
		loader, err := res.loadInterpreter(r.Interpreter)
		if err != nil {
			return nil, &FileError{Path: r.Path, Err: err}
		}
		r.Loader = loader
	}
	res.closure(res.main)
	if err := res.missingErr(r.Path); err != nil {
		return nil, err
	}
	if !opts.LibrariesOnly { // a plan's check: the same files, already checked
		if err := res.checkVersions(r.Path); err != nil {
			return nil, err
		}
		if opts.CheckSymbols {
			if err := res.checkSymbols(r.Path); err != nil {
				return nil, err
			}
		}
	}
	r.Libraries = res.libs
	if res.confCut {
		r.Warnings = append(r.Warnings, fmt.Sprintf("%s: /etc/ld.so.conf includes more than %d files; the directories of the rest were not searched", res.sys, maxConfFiles))
	}
	if res.musl {
		r.DefaultDirs = muslDefaultDirs()
	} else {
		r.DefaultDirs = res.defaultDirs()
	}
	return res, nil
}

// missingErr reports a file that could not be read, for without it the
// libraries found are not those the loader would find; else the
// libraries that were not found, or nil.
func (res *resolver) missingErr(program string) error {
	if res.unreadable != nil {
		return &FileError{Path: program, Err: res.unreadable}
	}
	if len(res.missing) == 0 {
		return nil
	}
	return &FileError{Path: program, Err: &detailError{sentinel: ErrLibraryNotFound, msg: fmt.Sprintf(
		"%s not found in %s", quote.Join(res.missing), res.sys)}}
}

// loadInterpreter resolves PT_INTERP in the root, accepts it only when it
// is what the loader must be (a regular file that is a shared object of
// the program's class and machine), and marks the names it answers to
// (its own soname, and for musl the libc it is) as loaded.
func (res *resolver) loadInterpreter(interp string) (*Library, error) {
	notFound := func(format string, args ...any) error {
		return &detailError{sentinel: ErrLibraryNotFound, msg: fmt.Sprintf("interpreter %s not found in %s: ", quote.Name(interp), res.sys) + fmt.Sprintf(format, args...)}
	}
	if !path.IsAbs(interp) {
		return nil, notFound("not an absolute path")
	}
	real, links, err := res.sys.Eval(interp)
	if err != nil {
		return nil, notFound("%v", unwrapPathErr(err))
	}
	dyn, ok, why := res.compatible(res.sys, real)
	if !ok && res.unreadable != nil {
		return nil, res.unreadable
	}
	if !ok {
		return nil, notFound("%s %s", real, why)
	}
	res.byReal[res.sys.key(real)] = true
	res.byName[path.Base(interp)] = true
	if dyn.soname != "" {
		res.byName[dyn.soname] = true
	}
	res.objs = append(res.objs, &object{path: interp, root: res.sys, real: real, dyn: dyn})
	return &Library{Name: interp, Path: interp, RealPath: real, Links: links, Root: res.sys, Host: res.sys.HostPath(real), Info: res.cache.lib(res.sys, real).info}, nil
}

// closure walks DT_NEEDED breadth first from queue, as both loaders do.
func (res *resolver) closure(queue ...*object) {
	for len(queue) > 0 {
		obj := queue[0]
		queue = queue[1:]
		for _, name := range obj.dyn.needed {
			if res.byName[name] || res.musl && muslBuiltin(name) {
				continue
			}
			lib, found := res.find(name, obj)
			if found == nil {
				res.missing = append(res.missing, fmt.Sprintf("%s (needed by %s)", quote.Name(name), quote.Name(obj.path)))
				res.byName[name] = true // report it once
				continue
			}
			res.byName[name] = true
			if found.dyn.soname != "" {
				res.byName[found.dyn.soname] = true
			}
			if res.byReal[lib.Root.key(lib.RealPath)] {
				continue
			}
			res.byReal[lib.Root.key(lib.RealPath)] = true
			found.runTime, lib.RunTime = obj.runTime, obj.runTime
			res.libs = append(res.libs, lib)
			res.objs = append(res.objs, found)
			queue = append(queue, found)
		}
	}
}

// find looks for name on behalf of req by the loader's rules.
func (res *resolver) find(name string, req *object) (Library, *object) {
	if strings.Contains(name, "/") {
		p := res.expand(name, req)
		if !path.IsAbs(p) {
			return Library{}, nil // relative to the loader's working directory: unknowable
		}
		return res.try(searchDir{root: res.sys, dir: path.Dir(p), via: ViaPath}, path.Base(p), name, req)
	}
	for _, d := range res.searchDirs(req) {
		if lib, obj := res.try(d, name, name, req); obj != nil {
			return lib, obj
		}
	}
	if res.musl {
		return Library{}, nil
	}
	if req.dyn.flags1&df1NoDefLib != 0 {
		return Library{}, nil
	}
	if res.ldc == nil {
		res.ldc = res.cache.ldCache(res.sys, "/etc/ld.so.cache")
	}
	for _, p := range res.ldc.lookup(name, res.arch.cacheFlags) {
		if lib, obj := res.try(searchDir{root: res.sys, dir: path.Dir(p), via: ViaCache}, path.Base(p), name, req); obj != nil {
			return lib, obj
		}
	}
	for _, d := range res.defaultDirs() {
		if lib, obj := res.try(searchDir{root: res.sys, dir: d, via: ViaDefault}, name, name, req); obj != nil {
			return lib, obj
		}
	}
	// An image's ld.so.cache may be missing or older than its libraries
	// (a layer added them without running ldconfig): the directories of
	// its ld.so.conf say where ldconfig would have found them, and the
	// image gets them in a default directory, where its loader looks.
	if res.conf == nil {
		res.conf = res.ldSoConf()
	}
	for _, d := range res.conf {
		if lib, obj := res.try(searchDir{root: res.sys, dir: d, via: ViaConf}, name, name, req); obj != nil {
			return lib, obj
		}
	}
	return Library{}, nil
}

// maxConfFiles bounds how many files ld.so.conf and its includes may
// name: a real root has a few dozen.
const maxConfFiles = 1000

// ldSoConf lists the directories of the root's /etc/ld.so.conf and the
// files it includes, in order. Each file is read once, so that files
// including each other (or a glob matching its own file) cost one read
// each, not one per path to them; past maxConfFiles the rest is left out,
// and the report's warnings say so.
func (res *resolver) ldSoConf() []string {
	dirs := []string{}
	seen := map[string]bool{}
	read1 := map[string]bool{}
	var read func(file string, depth int)
	read = func(file string, depth int) {
		if read1[file] || depth > 8 {
			return
		}
		if len(read1) >= maxConfFiles {
			res.confCut = true
			return
		}
		read1[file] = true
		data, err := res.sys.ReadFile(file)
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(data), "\n") {
			line, _, _ = strings.Cut(line, "#")
			f := strings.Fields(line)
			switch {
			case len(f) == 0:
			case f[0] == "include":
				for _, pattern := range f[1:] {
					if !path.IsAbs(pattern) {
						pattern = path.Join(path.Dir(file), pattern)
					}
					matches, _ := fs.Glob(res.sys, strings.TrimPrefix(pattern, "/"))
					for _, m := range matches {
						read("/"+m, depth+1)
					}
				}
			case f[0] == "hwcap":
			default:
				for _, d := range f {
					if path.IsAbs(d) && !seen[d] {
						seen[d] = true
						dirs = append(dirs, d)
					}
				}
			}
		}
	}
	read("/etc/ld.so.conf", 0)
	return dirs
}

// searchDirs lists the directories searched before the cache and the
// defaults. glibc: DT_RPATH of the requester and up its loading chain
// (only when the requester has no DT_RUNPATH, and skipping objects that
// have one), then --lib-path, then the requester's own DT_RUNPATH. musl:
// --lib-path, then the rpath (DT_RUNPATH, else DT_RPATH) of the requester
// and up its chain, then its path file or default directories.
func (res *resolver) searchDirs(req *object) []searchDir {
	var dirs []searchDir
	add := func(via string, entries []string, o *object) {
		for _, e := range entries {
			d := res.expand(e, o)
			if !path.IsAbs(d) {
				continue
			}
			dr := searchDir{root: res.sys, dir: d, via: via}
			if strings.Contains(e, "$ORIGIN") || strings.Contains(e, "${ORIGIN}") {
				dr = searchDir{root: o.root, dir: d, via: via, origin: o}
			}
			dirs = append(dirs, dr)
		}
	}
	if res.musl {
		add(ViaLibPath, res.libPath, res.main)
		for o := req; o != nil; o = o.loader {
			if len(o.dyn.runpath) > 0 {
				add(ViaRpath, o.dyn.runpath, o)
			} else {
				add(ViaRpath, o.dyn.rpath, o)
			}
		}
		for _, d := range res.muslSysPath() {
			dirs = append(dirs, searchDir{root: res.sys, dir: d, via: ViaDefault})
		}
		return dirs
	}
	if len(req.dyn.runpath) == 0 {
		for o := req; o != nil; o = o.loader {
			if len(o.dyn.runpath) == 0 {
				add(ViaRpath, o.dyn.rpath, o)
			}
		}
	}
	add(ViaLibPath, res.libPath, res.main)
	add(ViaRunpath, req.dyn.runpath, req)
	return dirs
}

// try looks for file in dir and accepts it only when it is a shared object
// of the program's class and machine, as the loaders do.
func (res *resolver) try(d searchDir, file, name string, req *object) (Library, *object) {
	// Joined as the loader joins it, so that a path from $ORIGIN/../lib
	// reads the way ldd prints it; eval resolves the .. after symlinks.
	p := strings.TrimSuffix(d.dir, "/") + "/" + file
	real, links, err := d.root.Eval(p)
	if err != nil {
		return Library{}, nil
	}
	dyn, ok, _ := res.compatible(d.root, real)
	if !ok {
		return Library{}, nil
	}
	lib := Library{Name: name, Path: p, RealPath: real, Links: links, Root: d.root, Host: d.root.HostPath(real), Via: d.via, NeededBy: req.path, Info: res.cache.lib(d.root, real).info}
	// Found through the $ORIGIN of the program, or of a library placed
	// beside it: it goes where the program goes. Through the $ORIGIN of a
	// library that stays where it is (a gconv module's own libGB.so), it
	// stays too, at the path it was found.
	if d.origin != nil && d.origin.withProgram && d.root.Same(res.main.root) {
		if rel, err := filepath.Rel(res.main.origin, path.Clean(p)); err == nil {
			lib.Origin = rel
		}
	}
	return lib, &object{path: p, root: d.root, real: real, origin: path.Dir(p), withProgram: lib.Origin != "", dyn: dyn, loader: req}
}

// compatible opens a candidate and reads its dynamic section when it is a
// shared object the program can load; otherwise it says why not. A
// candidate that could not be read is recorded in res.unreadable.
func (res *resolver) compatible(root *Root, real string) (dynamicInfo, bool, string) {
	lf := res.cache.want(root, real, res.wants)
	switch {
	case lf.unread != nil:
		if res.unreadable == nil {
			res.unreadable = lf.unread
		}
		return dynamicInfo{}, false, lf.unread.Error()
	case lf.err != "":
		return dynamicInfo{}, false, lf.err
	case !lf.elf:
		return dynamicInfo{}, false, "is not an ELF file"
	case lf.class != res.class || lf.machine != res.machine:
		return dynamicInfo{}, false, fmt.Sprintf("is for %s %s, not the program's %s %s",
			lf.class, strings.TrimPrefix(lf.machine.String(), "EM_"), res.class, strings.TrimPrefix(res.machine.String(), "EM_"))
	case lf.typ != elf.ET_DYN:
		return dynamicInfo{}, false, "is not a shared object"
	case !lf.dynOK:
		return dynamicInfo{}, false, "has a malformed dynamic section"
	}
	return lf.dyn, true, ""
}

// expand substitutes $ORIGIN, $LIB and $PLATFORM (bare or in braces).
func (res *resolver) expand(s string, o *object) string {
	if !strings.Contains(s, "$") {
		return s
	}
	r := strings.NewReplacer(
		"${ORIGIN}", o.origin, "$ORIGIN", o.origin,
		"${LIB}", res.libDir(), "$LIB", res.libDir(),
		"${PLATFORM}", res.arch.platform, "$PLATFORM", res.arch.platform,
	)
	return r.Replace(s) // not cleaned: the loader does not clean it either
}

// libDir is what $LIB expands to: Debian's glibc uses the multiarch
// directory, others lib64 or lib.
func (res *resolver) libDir() string {
	if res.arch.triple != "" && res.sys.isDir("/lib/"+res.arch.triple) {
		return "lib/" + res.arch.triple
	}
	if res.class == elf.ELFCLASS64 && res.sys.isDir("/lib64") {
		return "lib64"
	}
	return "lib"
}

// defaultDirs are glibc's system search path: the multiarch directories,
// lib64 on 64-bit systems that use it, then /lib and /usr/lib.
func (res *resolver) defaultDirs() []string {
	var dirs []string
	if res.arch.triple != "" {
		dirs = append(dirs, "/lib/"+res.arch.triple, "/usr/lib/"+res.arch.triple)
	}
	if res.class == elf.ELFCLASS64 {
		dirs = append(dirs, "/lib64", "/usr/lib64")
	}
	return append(dirs, "/lib", "/usr/lib")
}

// muslDefaultDirs is musl's search path when no path file exists.
func muslDefaultDirs() []string { return []string{"/lib", "/usr/local/lib", "/usr/lib"} }

// muslSysPath reads /etc/ld-musl-ARCH.path (entries split on newlines or
// colons) or returns musl's defaults.
func (res *resolver) muslSysPath() []string {
	b, err := res.sys.ReadFile("/etc/ld-musl-" + res.arch.muslArch + ".path")
	if err != nil {
		return muslDefaultDirs()
	}
	return strings.FieldsFunc(string(b), func(r rune) bool { return r == '\n' || r == ':' })
}

// muslBuiltin reports whether musl's loader itself provides a library:
// libc and the libraries glibc splits out of it.
func muslBuiltin(name string) bool {
	if strings.HasPrefix(name, "ld-musl-") || strings.HasPrefix(name, "libc.musl-") {
		return true
	}
	rest, ok := strings.CutPrefix(name, "lib")
	if !ok {
		return false
	}
	stem, _, _ := strings.Cut(rest, ".so")
	if stem == rest || !strings.HasPrefix(rest[len(stem):], ".so") {
		return false
	}
	switch stem {
	case "c", "pthread", "rt", "m", "dl", "util", "xnet", "resolv", "crypt":
		return true
	}
	return false
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
