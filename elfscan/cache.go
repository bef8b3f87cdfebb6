package elfscan

import (
	"debug/elf"
	"os"
	"sync"
)

// Cache remembers what Scan read of shared libraries and ld.so.cache
// files, so that scanning many programs reads each library once: pass the
// same Cache in the Options of every Scan. It is safe for concurrent use.
// Files are assumed not to change while it is in use.
type Cache struct {
	mu       sync.Mutex
	libs     map[string]*libFacts
	ldCaches map[string]*ldCache
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{libs: map[string]*libFacts{}, ldCaches: map[string]*ldCache{}}
}

// libFacts is what resolution and the run-time checks need of a library.
type libFacts struct {
	elf     bool // a regular file that parses as ELF
	class   elf.Class
	machine elf.Machine
	typ     elf.Type
	dyn     dynamicInfo
	dynOK   bool

	importsOnce sync.Once
	imports     []string // imported symbols that raise a run-time concern
}

// readLibFacts opens host and reads its header and dynamic section.
func readLibFacts(host string) *libFacts {
	lf := &libFacts{}
	fi, err := os.Stat(host)
	if err != nil || !fi.Mode().IsRegular() {
		return lf
	}
	f, err := elf.Open(host)
	if err != nil {
		return lf
	}
	defer f.Close()
	lf.elf, lf.class, lf.machine, lf.typ = true, f.Class, f.Machine, f.Type
	lf.dyn, err = readDynamic(f)
	lf.dynOK = err == nil
	return lf
}

// concernImports returns the library's imported symbols that make it
// load things at run time (see runtimeConcern), reading them once.
func (lf *libFacts) concernImports(host string) []string {
	lf.importsOnce.Do(func() {
		f, err := elf.Open(host)
		if err != nil {
			return
		}
		defer f.Close()
		syms, err := f.ImportedSymbols()
		if err != nil {
			return
		}
		for _, s := range syms {
			if runtimeConcern(s.Name) != "" {
				lf.imports = append(lf.imports, s.Name)
			}
		}
	})
	return lf.imports
}

// lib returns the facts of the library at host, from the cache when c is
// not nil.
func (c *Cache) lib(host string) *libFacts {
	if c == nil {
		return readLibFacts(host)
	}
	c.mu.Lock()
	lf, ok := c.libs[host]
	c.mu.Unlock()
	if ok {
		return lf
	}
	lf = readLibFacts(host)
	c.mu.Lock()
	if prev, ok := c.libs[host]; ok {
		lf = prev
	} else {
		c.libs[host] = lf
	}
	c.mu.Unlock()
	return lf
}

// ldCache returns the parsed ld.so.cache at file, from the cache when c
// is not nil. A cache the loader cannot read is one it does not use: it
// comes back empty.
func (c *Cache) ldCache(file string) *ldCache {
	if c != nil {
		c.mu.Lock()
		lc, ok := c.ldCaches[file]
		c.mu.Unlock()
		if ok {
			return lc
		}
	}
	lc, err := readLDCache(file, nil)
	if err != nil {
		lc = &ldCache{}
	}
	if c != nil {
		c.mu.Lock()
		c.ldCaches[file] = lc
		c.mu.Unlock()
	}
	return lc
}
