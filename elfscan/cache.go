package elfscan

import (
	"debug/elf"
	"errors"
	"io/fs"
	"sync"
)

// Cache remembers what Scan read of shared libraries and ld.so.cache
// files, so that scanning many programs reads each library once: pass the
// same Cache in the Options of every Scan. It is safe for concurrent use.
// A library is read when resolution first looks at it, and again for
// each kind of fact the scan asks of it later; a file that cannot be read
// then, or is no longer the file first read, is an error of every Scan
// that depends on it (ErrUnreadable), never a fact read of nothing.
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
	root  *Root     // where the file is, to read more of it when asked
	path  string    // its path in root
	stamp fileStamp // the file when it was first read

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
		err = lf.reread(func(f *elf.File) {
			eachDynamicSymbol(f, undefinedGlobal, func(name []byte) {
				if len(name) > 0 {
					syms = append(syms, string(name))
				}
			})
		})
		return syms, err
	})
}

// definedSymbols returns the symbols the file defines. A program's are
// not asked for (some export a hundred thousand symbols): checkSymbols
// reads them in place when it must, with markDefined.
func (lf *libFacts) definedSymbols() (map[string]bool, error) {
	return lf.defined.get(func() (map[string]bool, error) {
		syms := map[string]bool{}
		err := lf.reread(func(f *elf.File) {
			eachDynamicSymbol(f, definedExported, func(name []byte) {
				if len(name) > 0 {
					syms[string(name)] = true
				}
			})
		})
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

// readLibFacts opens p in root and reads its header and dynamic section.
func readLibFacts(root *Root, p string) *libFacts {
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
	lf.stamp = f.stamp
	lf.elf, lf.class, lf.machine, lf.typ = true, f.Class, f.Machine, f.Type
	lf.dyn, err = readDynamic(f.File)
	lf.dynOK = err == nil
	if err := f.check(); err != nil {
		lf.unread = unreadable(root, p, err, false)
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
	file  fs.File
	stamp fileStamp // the file when it was opened
	rc    *readChecker
}

func (f *libFile) Close() error { return f.file.Close() }

// check reports what went wrong reading f, if anything did: a read that
// failed or came back short, or the file changing since it was opened.
func (f *libFile) check() error {
	if f.rc.err != nil {
		return f.rc.err
	}
	fi, err := f.file.Stat()
	if err != nil {
		return err
	}
	if !stampOf(fi).equal(f.stamp) {
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
	f := &libFile{file: file, stamp: stampOf(fi), rc: &readChecker{ra: ra, size: fi.Size()}}
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
func (c *Cache) lib(root *Root, p string) *libFacts {
	if c == nil {
		return readLibFacts(root, p)
	}
	key := root.key(p)
	c.mu.Lock()
	lf, ok := c.libs[key]
	c.mu.Unlock()
	if ok {
		return lf
	}
	lf = readLibFacts(root, p)
	c.mu.Lock()
	if prev, ok := c.libs[key]; ok {
		lf = prev
	} else {
		c.libs[key] = lf
	}
	c.mu.Unlock()
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
