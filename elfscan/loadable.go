package elfscan

import (
	"debug/elf"
	"errors"
)

// Loadable reports whether the file at name, an absolute path in root, is
// an ELF object a loader maps: an executable or shared object (ET_EXEC,
// ET_DYN) with a PT_LOAD segment, whose segments hold their bytes. What
// is not loadable is data to whoever reads it: a file that is not ELF, a
// relocatable object (ET_REL, a .o), a core file, or a separate debug file
// (objcopy --only-keep-debug), which keeps its program headers but not the
// bytes of its code, dynamic section or interpreter name. A malformed ELF
// file is an error, as Scan's.
func Loadable(root *Root, name string) (ok bool, err error) {
	defer func() { // debug/elf is not hardened against hostile input
		if p := recover(); p != nil {
			ok, err = false, fileErr(name, errInternal, "malformed ELF file (internal error: %v)", p)
		}
	}()
	f, err := openELF(root, name, name)
	if errors.Is(err, ErrNotELF) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		return false, nil
	}
	load := false
	for _, p := range f.Progs {
		stripped := p.Filesz == 0 && p.Memsz > 0
		switch {
		case p.Type == elf.PT_LOAD && p.Flags&elf.PF_X != 0 && stripped,
			(p.Type == elf.PT_DYNAMIC || p.Type == elf.PT_INTERP) && stripped:
			return false, nil // code or tables that are not there: a debug file
		case p.Type == elf.PT_LOAD:
			load = true
		}
	}
	return load, nil
}
