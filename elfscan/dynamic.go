package elfscan

import (
	"bytes"
	"debug/elf"
	"errors"
	"io"
)

// dynamicInfo is what the dynamic section says, read through the program
// headers (PT_DYNAMIC and PT_LOAD) so that binaries with their section
// headers stripped are read the same as any other.
type dynamicInfo struct {
	present bool // the file has a PT_DYNAMIC segment
	needed  []string
	soname  string
	rpath   []string // DT_RPATH, split on ':'
	runpath []string // DT_RUNPATH, split on ':'
	flags1  uint64   // DT_FLAGS_1
}

const df1PIE = 0x08000000 // DF_1_PIE

// readDynamic decodes PT_DYNAMIC. A file with no PT_DYNAMIC has a zero
// dynamicInfo and no error.
func readDynamic(f *elf.File) (dynamicInfo, error) {
	var info dynamicInfo
	var dyn *elf.Prog
	for _, p := range f.Progs {
		if p.Type == elf.PT_DYNAMIC {
			dyn = p
			break
		}
	}
	if dyn == nil {
		return info, nil
	}
	info.present = true
	const maxDynamic = 1 << 20
	if dyn.Filesz > maxDynamic {
		return info, errors.New("PT_DYNAMIC is implausibly large")
	}
	raw := make([]byte, dyn.Filesz)
	if _, err := dyn.ReadAt(raw, 0); err != nil && !errors.Is(err, io.EOF) {
		return info, err
	}
	entSize := 16
	if f.Class == elf.ELFCLASS32 {
		entSize = 8
	}
	type entry struct{ tag, val uint64 }
	var entries []entry
	var strtab, strsz uint64
	for off := 0; off+entSize <= len(raw); off += entSize {
		var e entry
		if entSize == 16 {
			e = entry{f.ByteOrder.Uint64(raw[off:]), f.ByteOrder.Uint64(raw[off+8:])}
		} else {
			e = entry{uint64(f.ByteOrder.Uint32(raw[off:])), uint64(f.ByteOrder.Uint32(raw[off+4:]))}
		}
		if elf.DynTag(e.tag) == elf.DT_NULL {
			break
		}
		switch elf.DynTag(e.tag) {
		case elf.DT_STRTAB:
			strtab = e.val
		case elf.DT_STRSZ:
			strsz = e.val
		case elf.DT_FLAGS_1:
			info.flags1 = e.val
		}
		entries = append(entries, e)
	}
	needsStrings := false
	for _, e := range entries {
		switch elf.DynTag(e.tag) {
		case elf.DT_NEEDED, elf.DT_SONAME, elf.DT_RPATH, elf.DT_RUNPATH:
			needsStrings = true
		}
	}
	if !needsStrings {
		return info, nil
	}
	// The strings are read one by one where they are: a program may
	// export a hundred thousand symbols, and the table of their names is
	// megabytes that this needs a few dozen bytes of.
	sr, err := virtualReader(f, strtab, strsz)
	if err != nil {
		return info, errors.New("dynamic string table: " + err.Error())
	}
	strs := stringTableAt(sr, sr.Size())
	str := func(off uint64) (string, error) {
		name, ok := strs.at(int64(off)) // an offset past int64 is negative: out of range
		if !ok {
			return "", errors.New("dynamic string offset out of range")
		}
		return string(name), nil // unterminated at the table's end, as the loader would read it
	}
	for _, e := range entries {
		switch elf.DynTag(e.tag) {
		case elf.DT_NEEDED, elf.DT_SONAME, elf.DT_RPATH, elf.DT_RUNPATH:
		default:
			continue
		}
		s, err := str(e.val)
		if err != nil {
			return info, err
		}
		switch elf.DynTag(e.tag) {
		case elf.DT_NEEDED:
			info.needed = append(info.needed, s)
		case elf.DT_SONAME:
			info.soname = s
		case elf.DT_RPATH:
			info.rpath = append(info.rpath, splitPath(s)...)
		case elf.DT_RUNPATH:
			info.runpath = append(info.runpath, splitPath(s)...)
		}
	}
	return info, nil
}

// virtualReader reads the size bytes at virtual address addr, through the
// PT_LOAD segment that maps it, cut short where the segment's file data
// ends.
func virtualReader(f *elf.File, addr, size uint64) (*io.SectionReader, error) {
	const maxStrtab = 16 << 20
	if size == 0 || size > maxStrtab {
		return nil, errors.New("missing or implausible size")
	}
	for _, p := range f.Progs {
		if p.Type != elf.PT_LOAD || addr < p.Vaddr || addr-p.Vaddr >= p.Filesz {
			continue
		}
		off := addr - p.Vaddr
		if size > p.Filesz-off {
			size = p.Filesz - off
		}
		return io.NewSectionReader(p, int64(off), int64(size)), nil
	}
	return nil, errors.New("address not mapped by any PT_LOAD segment")
}

func splitPath(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ':' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// readInterp returns the PT_INTERP path, or "" when there is none.
func readInterp(f *elf.File) (string, bool, error) {
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		if p.Filesz == 0 || p.Filesz > 4096 {
			return "", true, errors.New("PT_INTERP has an implausible size")
		}
		buf := make([]byte, p.Filesz)
		if _, err := p.ReadAt(buf, 0); err != nil && !errors.Is(err, io.EOF) {
			return "", true, err
		}
		if buf[len(buf)-1] != 0 {
			return "", true, errors.New("PT_INTERP is not NUL-terminated") // the kernel refuses it too
		}
		return string(buf[:bytes.IndexByte(buf, 0)]), true, nil
	}
	return "", false, nil
}
