package elfscan

import (
	"debug/elf"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/scratchpack/scratchpack/internal/plural"
	"github.com/scratchpack/scratchpack/internal/quote"
)

// ErrVersion means a library that resolution picked lacks a symbol
// version that an object of the program needs from it: the loader would
// stop with "version `GLIBC_2.34' not found".
var ErrVersion = errors.New("symbol version not found")

// versionNeed is what one object needs of one library (DT_VERNEED).
type versionNeed struct {
	file     string   // the library's name, as in DT_NEEDED
	versions []string // the versions needed from it
}

// readVersionNeeds reads SHT_GNU_verneed. A file without one needs no
// versions. debug/elf's DynamicVersionNeeds gives the same answer
// (TestVersionsAgreeWithDebugELF) but reads the whole dynamic symbol
// table first, names and all, and refuses a file without SHT_GNU_versym;
// this reads the version sections alone, bounded.
func readVersionNeeds(f *elf.File) []versionNeed {
	data, strs := versionSection(f, elf.SHT_GNU_VERNEED)
	var out []versionNeed
	for off, n := 0, 0; off+16 <= len(data) && n < 1<<12; n++ {
		cnt := int(f.ByteOrder.Uint16(data[off+2:]))
		need := versionNeed{file: cstring(strs, f.ByteOrder.Uint32(data[off+4:]))}
		aux := off + int(f.ByteOrder.Uint32(data[off+8:]))
		for i := 0; i < cnt && aux >= 0 && aux+16 <= len(data); i++ {
			need.versions = append(need.versions, cstring(strs, f.ByteOrder.Uint32(data[aux+8:])))
			next := int(f.ByteOrder.Uint32(data[aux+12:]))
			if next == 0 {
				break
			}
			aux += next
		}
		out = append(out, need)
		next := int(f.ByteOrder.Uint32(data[off+12:]))
		if next == 0 {
			break
		}
		off += next
	}
	return out
}

// readVersionDefs reads the names of the versions SHT_GNU_verdef defines.
func readVersionDefs(f *elf.File) []string {
	data, strs := versionSection(f, elf.SHT_GNU_VERDEF)
	var out []string
	for off, n := 0, 0; off+20 <= len(data) && n < 1<<12; n++ {
		if aux := off + int(f.ByteOrder.Uint32(data[off+12:])); aux >= 0 && aux+8 <= len(data) {
			out = append(out, cstring(strs, f.ByteOrder.Uint32(data[aux:])))
		}
		next := int(f.ByteOrder.Uint32(data[off+16:]))
		if next == 0 {
			break
		}
		off += next
	}
	return out
}

// versionSection returns the contents of the section of type t and the
// string table it links to, read name by name when it is large (a
// program that exports 100,000 symbols has a 5 MB one, of which a version
// section names a dozen), or nothing.
func versionSection(f *elf.File, t elf.SectionType) (data []byte, strs *stringTable) {
	sec := f.SectionByType(t)
	if sec == nil || sec.Size > maxTable || int(sec.Link) >= len(f.Sections) || f.Sections[sec.Link].Size > maxTable {
		return nil, nil
	}
	data, err := sec.Data()
	if err != nil {
		return nil, nil
	}
	strs, err = newStringTable(f.Sections[sec.Link])
	if err != nil {
		return nil, nil
	}
	return data, strs
}

// cstring is the name at off in strs, or "".
func cstring(strs *stringTable, off uint32) string {
	name, _ := strs.at(int64(off))
	return string(name)
}

// checkVersions requires every version each object of the closure needs
// to be defined by the library resolution picked for it. A failure names
// the object, the library file and the version, and a copy on the search
// path that has it, if any.
func (res *resolver) checkVersions(program string) error {
	if res.musl {
		return nil // musl has no symbol versions
	}
	picked := map[string]*object{}
	for _, o := range res.objs {
		picked[path.Base(o.path)] = o
		if o.dyn.soname != "" {
			picked[o.dyn.soname] = o
		}
	}
	for _, o := range res.objs {
		needs, err := res.cache.lib(o.root, o.real).versionNeeds()
		if err != nil {
			return &FileError{Path: program, Err: err}
		}
		for _, need := range needs {
			lib, ok := picked[need.file]
			if !ok {
				continue // a library the loader provides, or one not found (reported already)
			}
			defs, err := res.cache.lib(lib.root, lib.real).versionDefs()
			if err != nil {
				return &FileError{Path: program, Err: err}
			}
			for _, v := range need.versions {
				if slices.Contains(defs, v) {
					continue
				}
				msg := fmt.Sprintf("%s needs version %s of %s, and %s does not define it", quote.Name(o.path), quote.Name(v), quote.Name(need.file), quote.Name(lib.real))
				other, err := res.definesElsewhere(need.file, v, lib)
				if err != nil {
					return &FileError{Path: program, Err: err}
				}
				if other != "" {
					msg += "; " + quote.Name(other) + " does"
				}
				return &FileError{Path: program, Err: &detailError{sentinel: ErrVersion, msg: msg}}
			}
		}
	}
	return nil
}

// checkSymbols requires every global symbol an object of the closure
// leaves undefined to be defined by some object of the closure (the
// program, its loader, its libraries), as the loader binds it: "symbol
// lookup error: undefined symbol" otherwise.
func (res *resolver) checkSymbols(program string) error {
	if res.musl {
		return nil
	}
	// The libraries' tables are read once (through the Cache) with what
	// they define; the program's, which may export a hundred thousand
	// symbols, is searched in place and only for what the libraries lack.
	undefined := make([][]string, len(res.objs))
	missing := map[string]bool{}
	var defs []map[string]bool
	for i, o := range res.objs {
		lf := res.cache.lib(o.root, o.real)
		var err error
		if undefined[i], err = lf.undefinedSymbols(); err != nil {
			return &FileError{Path: program, Err: err}
		}
		for _, sym := range undefined[i] {
			missing[sym] = true
		}
		if o != res.main {
			d, err := lf.definedSymbols()
			if err != nil {
				return &FileError{Path: program, Err: err}
			}
			defs = append(defs, d)
		}
	}
	// The largest definers (libc) first: most names leave the set early.
	slices.SortFunc(defs, func(a, b map[string]bool) int { return len(b) - len(a) })
	for _, d := range defs {
		if len(missing) == 0 {
			break
		}
		for sym := range missing {
			if d[sym] {
				delete(missing, sym)
			}
		}
	}
	found := map[string]bool{}
	if len(missing) > 0 {
		err := res.file.read(func(f *elf.File) { markDefined(f, missing, found) }) // in place, from the open program
		if err != nil {
			return &FileError{Path: program, Err: err}
		}
	}
	for i, o := range res.objs {
		for _, sym := range undefined[i] {
			if missing[sym] && !found[sym] {
				return &FileError{Path: program, Err: &detailError{sentinel: ErrSymbol, msg: fmt.Sprintf(
					"%s needs symbol %s, and none of the %s of the closure defines it", quote.Name(o.path), quote.Name(sym), plural.N(len(res.objs)-1, "library", "libraries"))}}
			}
		}
	}
	return nil
}

// ErrSymbol means a symbol an object needs is defined by no object of
// the closure: the loader would stop with "undefined symbol".
var ErrSymbol = errors.New("undefined symbol")

// definesElsewhere looks for another copy of name on the search path, in
// the cache or in the default directories that defines version v. A copy
// that cannot be read is an error: the answer might have been it.
func (res *resolver) definesElsewhere(name, v string, not *object) (string, error) {
	var dirs []searchDir
	dirs = append(dirs, res.searchDirs(res.main)...)
	for _, d := range res.defaultDirs() {
		dirs = append(dirs, searchDir{root: res.sys, dir: d})
	}
	for _, d := range dirs {
		real, _, err := d.root.Eval(strings.TrimSuffix(d.dir, "/") + "/" + name)
		if err != nil || d.root.Same(not.root) && real == not.real {
			continue
		}
		if _, ok, _ := res.compatible(d.root, real); !ok {
			if res.unreadable != nil {
				return "", res.unreadable
			}
			continue
		}
		defs, err := res.cache.lib(d.root, real).versionDefs()
		if err != nil {
			return "", err
		}
		if slices.Contains(defs, v) {
			return real, nil
		}
	}
	return "", nil
}
