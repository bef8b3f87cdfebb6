package elfscan

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
)

// goFuncsAsync starts goFuncs on a goroutine of its own, so that the
// function names are searched while the libraries are resolved, and
// returns what waits for its answer. A panic on the way (debug/elf on a
// hostile file) is raised again in the caller, whose scan turns it into
// an error about the file.
func goFuncsAsync(f *elf.File, ra io.ReaderAt, size int64, names ...string) func() map[string]bool {
	type answer struct {
		found map[string]bool
		panic any
	}
	ch := make(chan answer, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- answer{panic: fmt.Sprint(p)}
			}
		}()
		ch <- answer{found: goFuncs(f, ra, size, names...)}
	}()
	var a *answer
	return func() map[string]bool {
		if a == nil {
			got := <-ch
			a = &got
		}
		if a.panic != nil {
			panic(a.panic)
		}
		return a.found
	}
}

// goFuncs reports which of names are functions of the Go binary: it
// searches the function name table of the .gopclntab section, where the
// names lie one after another, each ended by a NUL; the whole section
// when its header is of a layout it does not know; the whole file when
// there is no such section.
func goFuncs(f *elf.File, ra io.ReaderAt, size int64, names ...string) map[string]bool {
	var src io.Reader = io.NewSectionReader(ra, 0, size)
	if s := f.Section(".gopclntab"); s != nil && s.Type != elf.SHT_NOBITS {
		src = funcNames(s)
	}
	found := map[string]bool{}
	longest := 0
	for _, n := range names {
		longest = max(longest, len(n)+2)
	}
	buf := make([]byte, 256<<10) // fresh pages are dear: a small buffer, more reads
	buf[0] = 0                   // as if a name ended before the first: it counts as whole
	carry := 1
	for {
		n, err := io.ReadFull(src, buf[carry:])
		chunk := buf[:carry+n]
		for _, name := range names {
			if !found[name] && containsName(chunk, name) {
				found[name] = true
			}
		}
		if err != nil || len(chunk) < longest { // io.EOF, io.ErrUnexpectedEOF, or a read error: done
			return found
		}
		carry = copy(buf, chunk[len(chunk)-longest:])
	}
}

// funcNames is the function name table of a pclntab section (Go 1.16 and
// later: a quarter of the section, the rest being line and file tables),
// or the whole section.
func funcNames(s *elf.Section) io.Reader {
	whole := s.Open()
	var hdr [8 + 8*8]byte
	if _, err := s.ReadAt(hdr[:], 0); err != nil {
		return whole
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if hdr[0] == 0xff { // the magic, 0xfffffff?, is written in the target's order
		order = binary.BigEndian
	}
	ptr := int(hdr[7])
	if ptr != 4 && ptr != 8 {
		return whole
	}
	word := func(i int) uint64 {
		b := hdr[8+i*ptr:]
		if ptr == 4 {
			return uint64(order.Uint32(b))
		}
		return order.Uint64(b)
	}
	var first int // the header word that holds funcnameOffset
	switch order.Uint32(hdr[:]) {
	case 0xfffffffa: // Go 1.16, 1.17: nfunc, nfiles, funcnameOffset, cuOffset, ...
		first = 2
	case 0xfffffff0, 0xfffffff1: // Go 1.18 and later: nfunc, nfiles, textStart, funcnameOffset, cuOffset, ...
		first = 3
	default:
		return whole
	}
	start, end := word(first), word(first+1)
	if start >= end || end > s.Size {
		return whole
	}
	return io.NewSectionReader(s, int64(start), int64(end-start))
}

// containsName reports whether b holds name as a whole NUL-terminated
// string, the way the pclntab stores function names one after another.
// It searches for the name itself, whose first byte is rare, and checks
// the NULs around each hit.
func containsName(b []byte, name string) bool {
	nb := []byte(name)
	for off := 0; ; {
		i := bytes.Index(b[off:], nb)
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(nb)
		if start > 0 && b[start-1] == 0 && end < len(b) && b[end] == 0 {
			return true
		}
		off = start + 1
	}
}
