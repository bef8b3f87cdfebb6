package elfscan

import (
	"bufio"
	"bytes"
	"debug/elf"
	"io"
)

// maxTable bounds the symbol and string tables read, against hostile
// section sizes.
const maxTable = 256 << 20

// symbolKind says which symbols a pass over .dynsym wants: their names
// are read only for those.
type symbolKind func(undefined bool, bind elf.SymBind) bool

// undefinedGlobal are the symbols a file needs from others.
func undefinedGlobal(undefined bool, bind elf.SymBind) bool {
	return undefined && bind == elf.STB_GLOBAL
}

// definedExported are the symbols a file offers others.
func definedExported(undefined bool, bind elf.SymBind) bool {
	return !undefined && (bind == elf.STB_GLOBAL || bind == elf.STB_WEAK || bind == stbGNUUnique)
}

// eachDynamicSymbol calls fn with the name (fn must not keep it) of every
// symbol of f's .dynsym, but the null one, of the kind wanted. The table
// is streamed; the names are read from a small string table at once, and
// from a large one (some programs export a hundred thousand symbols:
// Debian's containerd has 5 MB of names) one by one, for the symbols
// wanted only.
func eachDynamicSymbol(f *elf.File, want symbolKind, fn func(name []byte)) {
	sec := f.SectionByType(elf.SHT_DYNSYM)
	if sec == nil || int(sec.Link) >= len(f.Sections) || sec.Size > maxTable || f.Sections[sec.Link].Size > maxTable {
		return
	}
	names, err := newStringTable(f.Sections[sec.Link])
	if err != nil {
		return
	}
	nameOff, infoOff, shndxOff, size := 0, 4, 6, 24
	if f.Class == elf.ELFCLASS32 {
		nameOff, infoOff, shndxOff, size = 0, 12, 14, 16
	}
	r := bufio.NewReaderSize(sec.Open(), 64<<10)
	e := make([]byte, size)
	if _, err := io.ReadFull(r, e); err != nil { // the null symbol
		return
	}
	for {
		if _, err := io.ReadFull(r, e); err != nil {
			return
		}
		if !want(elf.SectionIndex(f.ByteOrder.Uint16(e[shndxOff:])) == elf.SHN_UNDEF, elf.ST_BIND(e[infoOff])) {
			continue
		}
		if name, ok := names.at(int64(f.ByteOrder.Uint32(e[nameOff:]))); ok {
			fn(name)
		}
	}
}

// stringTable reads NUL-terminated names of an ELF string table.
type stringTable struct {
	data []byte      // the whole table, when it is small
	r    io.ReaderAt // else the section, read name by name
	size int64
	buf  []byte
}

func newStringTable(sec *elf.Section) (*stringTable, error) {
	if sec.Size <= 1<<20 {
		data, err := sec.Data()
		return &stringTable{data: data, size: int64(len(data))}, err
	}
	return stringTableAt(sec, int64(sec.Size)), nil
}

// stringTableAt reads the names of a table of size bytes from r, one by
// one, as they are asked for.
func stringTableAt(r io.ReaderAt, size int64) *stringTable {
	return &stringTable{r: r, size: size, buf: make([]byte, 0, 256)}
}

// maxName bounds a name read from a table without its NUL, against
// hostile input; the rest of such a name is not read.
const maxName = 1 << 20

// at returns the name at offset off, without its NUL.
func (t *stringTable) at(off int64) ([]byte, bool) {
	if off < 0 || off >= t.size {
		return nil, false
	}
	if t.data != nil {
		name := t.data[off:]
		if end := bytes.IndexByte(name, 0); end >= 0 {
			name = name[:end]
		}
		return name, true
	}
	t.buf = t.buf[:0]
	var chunk [128]byte
	for pos := off; pos < t.size && len(t.buf) < maxName; pos += int64(len(chunk)) {
		n, err := t.r.ReadAt(chunk[:], pos)
		if end := bytes.IndexByte(chunk[:n], 0); end >= 0 {
			return append(t.buf, chunk[:end]...), true
		}
		t.buf = append(t.buf, chunk[:n]...)
		if err != nil {
			break
		}
	}
	return t.buf, true
}

// markDefined sets found[s] for each symbol of needed that f defines.
func markDefined(f *elf.File, needed, found map[string]bool) {
	eachDynamicSymbol(f, definedExported, func(name []byte) {
		if needed[string(name)] {
			found[string(name)] = true
		}
	})
}

// stbGNUUnique is STB_GNU_UNIQUE, a binding of defined C++ symbols that
// debug/elf does not name.
const stbGNUUnique elf.SymBind = 10
