package elfscan

import (
	"debug/elf"
	"errors"
	"io"
)

// eachNote calls fn for every note in the PT_NOTE segments of f, until fn
// returns false. Malformed notes end the walk of their segment.
func eachNote(f *elf.File, fn func(name string, typ uint32, desc []byte) bool) {
	const maxNotes = 1 << 20
	for _, p := range f.Progs {
		if p.Type != elf.PT_NOTE || p.Filesz == 0 || p.Filesz > maxNotes {
			continue
		}
		buf := make([]byte, p.Filesz)
		if _, err := p.ReadAt(buf, 0); err != nil && !errors.Is(err, io.EOF) {
			continue
		}
		align := uint64(4)
		if p.Align == 8 {
			align = 8
		}
		for off := uint64(0); off+12 <= uint64(len(buf)); {
			namesz := uint64(f.ByteOrder.Uint32(buf[off:]))
			descsz := uint64(f.ByteOrder.Uint32(buf[off+4:]))
			typ := f.ByteOrder.Uint32(buf[off+8:])
			off += 12
			nameEnd := off + namesz
			descOff := alignUp(nameEnd, align)
			descEnd := descOff + descsz
			if namesz > uint64(len(buf)) || descsz > uint64(len(buf)) || descEnd > uint64(len(buf)) {
				break
			}
			name := buf[off:nameEnd]
			if n := len(name); n > 0 && name[n-1] == 0 {
				name = name[:n-1]
			}
			if !fn(string(name), typ, buf[descOff:descEnd]) {
				return
			}
			off = alignUp(descEnd, align)
		}
	}
}

func alignUp(v, a uint64) uint64 { return (v + a - 1) &^ (a - 1) }
