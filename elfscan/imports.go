package elfscan

import (
	"bytes"
	"debug/elf"
)

// maxTable bounds the symbol and string tables read, against hostile
// section sizes.
const maxTable = 256 << 20

// eachDynamicSymbol calls fn with the name (read in place: fn must not
// keep it), whether it is undefined, and the binding of every symbol of
// f's .dynsym but the null one.
func eachDynamicSymbol(f *elf.File, fn func(name []byte, undefined bool, bind elf.SymBind)) {
	sec := f.SectionByType(elf.SHT_DYNSYM)
	if sec == nil || int(sec.Link) >= len(f.Sections) || sec.Size > maxTable || f.Sections[sec.Link].Size > maxTable {
		return
	}
	syms, err := sec.Data()
	if err != nil {
		return
	}
	strs, err := f.Sections[sec.Link].Data()
	if err != nil {
		return
	}
	nameOff, infoOff, shndxOff, size := 0, 4, 6, 24
	if f.Class == elf.ELFCLASS32 {
		nameOff, infoOff, shndxOff, size = 0, 12, 14, 16
	}
	for off := size; off+size <= len(syms); off += size {
		e := syms[off : off+size]
		n := int(f.ByteOrder.Uint32(e[nameOff:]))
		if n >= len(strs) {
			continue
		}
		name := strs[n:]
		if end := bytes.IndexByte(name, 0); end >= 0 {
			name = name[:end]
		}
		fn(name, elf.SectionIndex(f.ByteOrder.Uint16(e[shndxOff:])) == elf.SHN_UNDEF, elf.ST_BIND(e[infoOff]))
	}
}

// markDefined sets found[s] for each symbol of needed that f defines.
func markDefined(f *elf.File, needed, found map[string]bool) {
	eachDynamicSymbol(f, func(name []byte, undefined bool, bind elf.SymBind) {
		if !undefined && (bind == elf.STB_GLOBAL || bind == elf.STB_WEAK || bind == stbGNUUnique) && needed[string(name)] {
			found[string(name)] = true
		}
	})
}

// stbGNUUnique is STB_GNU_UNIQUE, a binding of defined C++ symbols that
// debug/elf does not name.
const stbGNUUnique elf.SymBind = 10
