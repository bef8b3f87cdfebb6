package elfscan

import (
	"debug/elf"
	"errors"
	"io/fs"
	"path"
	"slices"
	"sync"
)

// Cache remembers what Scan read of shared libraries and ld.so.cache
// files, so that scanning many programs reads each library once: pass the
// same Cache in the Options of every Scan. It is safe for concurrent use.
// A library is read when resolution first looks at it: its header and
// dynamic section, and, when it is one the scan can load, every fact
// that scan's options ask of the objects it loads (see wants), from the
// one open file. A fact a later Scan asks for that the first did not
// (its symbols, for CheckSymbols) is read then, opening the file again;
// a file that cannot be read then, or is no longer the file first read,
// is an error of every Scan that depends on it (ErrUnreadable), never a
// fact read of nothing.
type Cache struct {
	mu        sync.Mutex
	libs      map[fileKey]*libFacts
	ldCaches  map[fileKey]*ldCache
	gconvs    map[fileKey]*gconv // by the root's "/"; nil entries for roots without one
	reports   map[reportKey]cachedReport
	loadables map[fileKey]loadable
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{libs: map[fileKey]*libFacts{}, ldCaches: map[fileKey]*ldCache{}, gconvs: map[fileKey]*gconv{}, reports: map[reportKey]cachedReport{}, loadables: map[fileKey]loadable{}}
}

// libFacts is what resolution and the run-time checks need of a library.
// Its header and dynamic section are read with it; the rest, which most
// candidates of a search are never asked for, when first asked for.
type libFacts struct {
	root  *Root       // where the file is, to read more of it when asked
	path  string      // its path in root
	stamp fileStamp   // the file when it was first read
	info  fs.FileInfo // what Root.OpenFile said of it then

	unread  error  // an ErrUnreadable when the file could not be read
	err     string // why resolution passes it over (not a regular file)
	elf     bool   // a regular file that parses as ELF
	class   elf.Class
	machine elf.Machine
	typ     elf.Type
	dyn     dynamicInfo
	dynOK   bool

	versions  fact[versionFacts]
	notes     fact[[]dlopenNote]    // its .note.dlopen entries
	undefined fact[[]string]        // global symbols it leaves undefined
	defined   fact[map[string]bool] // symbols it defines
	imports   fact[[]string]        // imported symbols that raise a run-time concern
	paths     fact[pathFacts]       // absolute paths in its read-only data
	shell     fact[bool]            // its .rodata holds "/bin/sh", asked of an object that execs
	dynload   fact[bool]            // its .rodata holds "lib-dynload", asked of a Python
}

// wants are the facts a scan reads of each object it can load (of its
// class and machine) with the object's header and dynamic section, so
// that one open of the file reads all it asks: the dlopen notes,
// undefined symbols (run-time loads) and symbol versions (glibc's, for
// its NSS) always; path literals unless it resolves libraries only;
// defined symbols with CheckSymbols. A file of another class or machine is read for its
// header alone.
type wants struct {
	class    elf.Class
	machine  elf.Machine
	versions bool
	paths    bool
	defined  bool
}

// wantsOf are the facts a scan with opts asks of the objects it loads.
func wantsOf(f *elf.File, opts Options, musl bool) wants {
	return wants{
		class:    f.Class,
		machine:  f.Machine,
		versions: !musl,
		paths:    !opts.LibrariesOnly,
		defined:  !opts.LibrariesOnly && opts.CheckSymbols && !musl,
	}
}

// readWanted reads what w asks of the file f, which lf was read from, and
// sets each fact, or, when the read failed or the file changed while it
// was read (check), sets each to that error.
func (lf *libFacts) readWanted(f *elf.File, w wants, check func() error, program bool) {
	notes := readDlopenNotes(f)
	undefined := undefinedOf(f)
	var v versionFacts
	if w.versions {
		v = versionFacts{needs: readVersionNeeds(f), defs: readVersionDefs(f)}
	}
	base := path.Base(lf.path)
	var pf pathFacts
	paths := w.paths && !libcPart(base) && !libcPart(lf.dyn.soname) && !muslBuiltin(base)
	if paths {
		pf = readPaths(f)
	}
	var defined map[string]bool
	if w.defined && !program { // a program's are searched in place (checkSymbols)
		defined = definedOf(f)
	}
	shell := slices.ContainsFunc(undefined, func(s string) bool { return slices.Contains(execSymbols, s) })
	named := false
	if shell {
		named = rodataHolds(f, "/bin/sh", true)
	}
	python := pythonProgram.MatchString(base) || pythonLibrary.MatchString(path.Base(lf.dyn.soname))
	dynload := false
	if python {
		dynload = rodataHolds(f, "lib-dynload", false)
	}
	var err error
	if err = check(); err != nil {
		err = unreadable(lf.root, lf.path, err, true)
	}
	lf.notes.set(notes, err)
	lf.undefined.set(undefined, err)
	if w.versions {
		lf.versions.set(v, err)
	}
	if paths {
		lf.paths.set(pf, err)
	}
	if defined != nil {
		lf.defined.set(defined, err)
	}
	if shell {
		lf.shell.set(named, err)
	}
	if python {
		lf.dynload.set(dynload, err)
	}
}

// versionFacts are a file's symbol versions.
type versionFacts struct {
	needs []versionNeed // DT_VERNEED
	defs  []string      // the versions DT_VERDEF defines
}

// fact is something read of a file once, when first asked for, or the
// error that reading it met.
type fact[T any] struct {
	once sync.Once
	v    T
	err  error
}

// set makes v and err the fact, unless it was read already.
func (f *fact[T]) set(v T, err error) {
	f.once.Do(func() { f.v, f.err = v, err })
}

// get returns the fact, reading it with read the first time.
func (f *fact[T]) get(read func() (T, error)) (T, error) {
	f.once.Do(func() { f.v, f.err = read() })
	return f.v, f.err
}

// versionNeeds returns what the file needs of each library.
func (lf *libFacts) versionNeeds() ([]versionNeed, error) {
	v, err := lf.readVersions()
	return v.needs, err
}

// versionDefs returns the versions the file defines.
func (lf *libFacts) versionDefs() ([]string, error) {
	v, err := lf.readVersions()
	return v.defs, err
}

func (lf *libFacts) readVersions() (versionFacts, error) {
	return lf.versions.get(func() (v versionFacts, err error) {
		err = lf.reread(func(f *elf.File) {
			v = versionFacts{needs: readVersionNeeds(f), defs: readVersionDefs(f)}
		})
		return v, err
	})
}

// dlopenNotes returns the file's .note.dlopen entries.
func (lf *libFacts) dlopenNotes() ([]dlopenNote, error) {
	return lf.notes.get(func() (notes []dlopenNote, err error) {
		err = lf.reread(func(f *elf.File) { notes = readDlopenNotes(f) })
		return notes, err
	})
}

// undefinedSymbols returns the global symbols the file leaves undefined.
func (lf *libFacts) undefinedSymbols() ([]string, error) {
	return lf.undefined.get(func() (syms []string, err error) {
		err = lf.reread(func(f *elf.File) { syms = undefinedOf(f) })
		return syms, err
	})
}

// undefinedOf reads the global symbols f leaves undefined.
func undefinedOf(f *elf.File) []string {
	var syms []string
	eachDynamicSymbol(f, undefinedGlobal, func(name []byte) {
		if len(name) > 0 {
			syms = append(syms, string(name))
		}
	})
	return syms
}

// definedOf reads the symbols f defines.
func definedOf(f *elf.File) map[string]bool {
	syms := map[string]bool{}
	eachDynamicSymbol(f, definedExported, func(name []byte) {
		if len(name) > 0 {
			syms[string(name)] = true
		}
	})
	return syms
}

// definedSymbols returns the symbols the file defines. A program's are
// not asked for (some export a hundred thousand symbols): checkSymbols
// reads them in place when it must, with markDefined.
func (lf *libFacts) definedSymbols() (map[string]bool, error) {
	return lf.defined.get(func() (syms map[string]bool, err error) {
		err = lf.reread(func(f *elf.File) { syms = definedOf(f) })
		return syms, err
	})
}

// concernImports returns the file's imported symbols that make it load
// things at run time (see runtimeConcern): of its undefined symbols,
// read once for this and the symbol check, the global ones that matter.
func (lf *libFacts) concernImports() ([]string, error) {
	return lf.imports.get(func() ([]string, error) {
		syms, err := lf.undefinedSymbols()
		var out []string
		for _, s := range syms {
			if concernOf([]byte(s)) != "" {
				out = append(out, s)
			}
		}
		return out, err
	})
}

// holdsShell reports whether the file's .rodata holds "/bin/sh".
func (lf *libFacts) holdsShell() (bool, error) {
	return lf.shell.get(func() (named bool, err error) {
		err = lf.reread(func(f *elf.File) { named = rodataHolds(f, "/bin/sh", true) })
		return named, err
	})
}

// holdsDynload reports whether the file's .rodata holds "lib-dynload".
func (lf *libFacts) holdsDynload() (bool, error) {
	return lf.dynload.get(func() (named bool, err error) {
		err = lf.reread(func(f *elf.File) { named = rodataHolds(f, "lib-dynload", false) })
		return named, err
	})
}

// reread opens the file again and calls read with it, for facts not read
// with its header. It fails, with an ErrUnreadable naming the file, when
// the file could not be read when it was first looked at, cannot be
// opened or read now, or is no longer the file it was: then what read
// found is not the file's, and the caller must not use it.
func (lf *libFacts) reread(read func(*elf.File)) error {
	if lf.unread != nil {
		return lf.unread
	}
	f, err := openLib(lf.root, lf.path)
	if err != nil {
		return unreadable(lf.root, lf.path, err, true)
	}
	defer f.Close()
	if !f.stamp.equal(lf.stamp) {
		return unreadable(lf.root, lf.path, errChanged, true)
	}
	read(f.File)
	if err := f.check(); err != nil {
		return unreadable(lf.root, lf.path, err, true)
	}
	return nil
}

// sameFile requires file, open elsewhere, to be the file lf was read
// from: the program that Scan opened and the one whose facts it reads.
func (lf *libFacts) sameFile(file fs.File) error {
	if lf.unread != nil {
		return lf.unread
	}
	fi, err := file.Stat()
	if err != nil {
		return unreadable(lf.root, lf.path, err, true)
	}
	if !stampOf(fi).equal(lf.stamp) {
		return unreadable(lf.root, lf.path, errChanged, true)
	}
	return nil
}

// readLibFacts opens p in root and reads its header and dynamic section,
// and, when it is a shared object of w's class and machine, what w asks.
func readLibFacts(root *Root, p string, w wants) *libFacts {
	lf := &libFacts{root: root, path: p}
	f, err := openLib(root, p)
	var nf *notFileError
	switch {
	case errors.Is(err, errNotELF):
		return lf
	case errors.As(err, &nf):
		lf.err = unwrapPathErr(nf.err).Error()
		return lf
	case err != nil:
		lf.unread = unreadable(root, p, err, false)
		return lf
	}
	defer f.Close()
	lf.stamp, lf.info = f.stamp, f.info
	lf.elf, lf.class, lf.machine, lf.typ = true, f.Class, f.Machine, f.Type
	lf.dyn, err = readDynamic(f.File)
	lf.dynOK = err == nil
	if err := f.check(); err != nil {
		lf.unread = unreadable(root, p, err, false)
		return lf
	}
	if w.class != 0 && lf.class == w.class && lf.machine == w.machine && lf.typ == elf.ET_DYN && lf.dynOK {
		lf.readWanted(f.File, w, f.check, false)
	}
	return lf
}

// errNotELF is openLib's answer for a regular file that is not ELF.
var errNotELF = errors.New("not an ELF file")

// notFileError is openLib's answer for a path that names something other
// than a regular file (a directory, a device, a file of the host's
// kernel file systems): one the loader passes over too.
type notFileError struct{ err error }

func (e *notFileError) Error() string { return e.err.Error() }

// libFile is an ELF file opened through a root, read through a
// readChecker.
type libFile struct {
	*elf.File
	opened
}

func (f *libFile) Close() error { return f.file.Close() }

// opened is a file opened through a root and read through a
// readChecker: what a scan's ELF files have in common.
type opened struct {
	file  fs.File
	stamp fileStamp   // the file when it was opened
	info  fs.FileInfo // what Root.OpenFile said of it
	rc    *readChecker
}

// check reports what went wrong reading the file, if anything did: a
// read that failed or came back short, or the file changing since it was
// opened.
func (o *opened) check() error {
	if err := o.rc.failed(); err != nil {
		return err
	}
	fi, err := o.file.Stat()
	if err != nil {
		return err
	}
	if !stampOf(fi).equal(o.stamp) {
		return errChanged
	}
	return nil
}

// openLib opens the regular file p in root as ELF. A file that is not
// ELF is errNotELF, unless a read failed on the way: that is an error of
// its own, as is a file that changed while it was being opened.
func openLib(root *Root, p string) (*libFile, error) {
	file, fi, err := root.OpenFile(p)
	if err != nil {
		// What OpenFile refuses to open at all, p being a real path.
		if fi != nil && (!fi.Mode().IsRegular() || root.dir == "/" && kernelPath(p)) {
			return nil, &notFileError{err}
		}
		return nil, err
	}
	lf, err := newLibFile(file)
	if err != nil {
		file.Close()
		return nil, err
	}
	lf.info = fi
	return lf, nil
}

func newLibFile(file fs.File) (*libFile, error) {
	fi, err := file.Stat()
	if err != nil {
		return nil, err
	}
	ra, err := readerAt(file)
	if err != nil {
		return nil, err
	}
	f := &libFile{opened: opened{file: file, stamp: stampOf(fi), rc: &readChecker{ra: ra, size: fi.Size()}}}
	notELF := func() error {
		if err := f.check(); err != nil {
			return err
		}
		return errNotELF
	}
	var magic [4]byte
	if n, _ := f.rc.ReadAt(magic[:], 0); n < 4 || string(magic[:]) != elf.ELFMAG {
		return nil, notELF()
	}
	if f.File, err = elf.NewFile(f.rc); err != nil {
		return nil, notELF()
	}
	return f, nil
}

// lib returns the facts of the library at p in root, from the cache when
// c is not nil.
func (c *Cache) lib(root *Root, p string) *libFacts { return c.want(root, p, wants{}) }

// want is lib reading, when the file is first read, what w asks of it.
func (c *Cache) want(root *Root, p string, w wants) *libFacts {
	if c == nil {
		return readLibFacts(root, p, w)
	}
	key := root.key(p)
	c.mu.Lock()
	lf, ok := c.libs[key]
	c.mu.Unlock()
	if ok {
		return lf
	}
	return c.put(key, readLibFacts(root, p, w))
}

// put keeps lf under key, unless facts are kept there already: those
// are returned.
func (c *Cache) put(key fileKey, lf *libFacts) *libFacts {
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.libs[key]; ok {
		return prev
	}
	c.libs[key] = lf
	return lf
}

// ldCache returns the parsed ld.so.cache at p in root, from the cache
// when c is not nil. A cache the loader cannot read is one it does not
// use: it comes back empty.
func (c *Cache) ldCache(root *Root, p string) *ldCache {
	key := root.key(p)
	if c != nil {
		c.mu.Lock()
		lc, ok := c.ldCaches[key]
		c.mu.Unlock()
		if ok {
			return lc
		}
	}
	lc, err := readLDCache(root, p, nil)
	if err != nil {
		lc = &ldCache{}
	}
	if c != nil {
		c.mu.Lock()
		c.ldCaches[key] = lc
		c.mu.Unlock()
	}
	return lc
}
