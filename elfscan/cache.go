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
// Files are assumed not to change while it is in use.
type Cache struct {
	mu       sync.Mutex
	libs     map[fileKey]*libFacts
	ldCaches map[fileKey]*ldCache
	gconvs   map[fileKey]*gconv // by the root's "/"; nil entries for roots without one
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{libs: map[fileKey]*libFacts{}, ldCaches: map[fileKey]*ldCache{}, gconvs: map[fileKey]*gconv{}}
}

// libFacts is what resolution and the run-time checks need of a library.
type libFacts struct {
	err     string // why the file could not be read, when it could not
	elf     bool   // a regular file that parses as ELF
	class   elf.Class
	machine elf.Machine
	typ     elf.Type
	dyn     dynamicInfo
	dynOK   bool

	importsOnce sync.Once
	imports     []string // imported symbols that raise a run-time concern

	root         *Root  // where the file is, to read more of it when asked
	path         string // its path in root
	versionsOnce sync.Once
	needs        []versionNeed // DT_VERNEED
	defs         []string      // the versions DT_VERDEF defines

	notesOnce sync.Once
	notes     []dlopenNote // its .note.dlopen entries

	undefinedOnce sync.Once
	undefined     []string // global symbols it leaves undefined
	definedOnce   sync.Once
	defined       map[string]bool // symbols it defines
}

// versionNeeds returns what the file needs of each library, reading it
// once.
func (lf *libFacts) versionNeeds() []versionNeed {
	lf.readVersions()
	return lf.needs
}

// versionDefs returns the versions the file defines, reading them once.
func (lf *libFacts) versionDefs() []string {
	lf.readVersions()
	return lf.defs
}

func (lf *libFacts) readVersions() {
	lf.versionsOnce.Do(func() {
		f, err := openLib(lf.root, lf.path)
		if err != nil {
			return
		}
		defer f.Close()
		lf.needs, lf.defs = readVersionNeeds(f.File), readVersionDefs(f.File)
	})
}

// dlopenNotes returns the file's .note.dlopen entries, reading them once.
func (lf *libFacts) dlopenNotes() []dlopenNote {
	lf.notesOnce.Do(func() {
		f, err := openLib(lf.root, lf.path)
		if err != nil {
			return
		}
		defer f.Close()
		lf.notes = readDlopenNotes(f.File)
	})
	return lf.notes
}

// undefinedSymbols returns the global symbols the file leaves undefined,
// reading its table once.
func (lf *libFacts) undefinedSymbols() []string {
	lf.undefinedOnce.Do(func() {
		lf.eachSymbol(undefinedGlobal, func(name []byte) {
			if len(name) > 0 {
				lf.undefined = append(lf.undefined, string(name))
			}
		})
	})
	return lf.undefined
}

// definedSymbols returns the symbols the file defines, reading its table
// once. A program's are not asked for (some export a hundred thousand
// symbols): checkSymbols reads them in place when it must.
func (lf *libFacts) definedSymbols() map[string]bool {
	lf.definedOnce.Do(func() {
		lf.defined = map[string]bool{}
		lf.eachSymbol(definedExported, func(name []byte) {
			if len(name) > 0 {
				lf.defined[string(name)] = true
			}
		})
	})
	return lf.defined
}

func (lf *libFacts) eachSymbol(want symbolKind, fn func(name []byte)) {
	f, err := openLib(lf.root, lf.path)
	if err != nil {
		return
	}
	defer f.Close()
	eachDynamicSymbol(f.File, want, fn)
}

// readLibFacts opens p in root and reads its header and dynamic section.
func readLibFacts(root *Root, p string) *libFacts {
	lf := &libFacts{root: root, path: p}
	f, err := openLib(root, p)
	if err != nil {
		if !errors.Is(err, errNotELF) {
			lf.err = unwrapPathErr(err).Error()
		}
		return lf
	}
	defer f.Close()
	lf.elf, lf.class, lf.machine, lf.typ = true, f.Class, f.Machine, f.Type
	lf.dyn, err = readDynamic(f.File)
	lf.dynOK = err == nil
	return lf
}

// errNotELF is openLib's answer for a regular file that is not ELF.
var errNotELF = errors.New("not an ELF file")

// libFile is an ELF file opened through a root.
type libFile struct {
	*elf.File
	file fs.File
}

func (f *libFile) Close() error { return f.file.Close() }

// openLib opens the regular file p in root as ELF.
func openLib(root *Root, p string) (*libFile, error) {
	file, _, err := root.OpenFile(p)
	if err != nil {
		return nil, err
	}
	ra, err := readerAt(file)
	if err != nil {
		file.Close()
		return nil, err
	}
	var magic [4]byte
	if n, _ := ra.ReadAt(magic[:], 0); n < 4 || string(magic[:]) != elf.ELFMAG {
		file.Close()
		return nil, errNotELF
	}
	f, err := elf.NewFile(ra)
	if err != nil {
		file.Close()
		return nil, errNotELF
	}
	return &libFile{File: f, file: file}, nil
}

// concernImports returns the file's imported symbols that make it load
// things at run time (see runtimeConcern): of its undefined symbols,
// read once for this and the symbol check, the global ones that matter.
func (lf *libFacts) concernImports() []string {
	lf.importsOnce.Do(func() {
		for _, s := range lf.undefinedSymbols() {
			if concernOf([]byte(s)) != "" {
				lf.imports = append(lf.imports, s)
			}
		}
	})
	return lf.imports
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
