package evidence

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// glibc's locale-archive (locale/locarchive.h): a header of 14 uint32s in
// the byte order of the machine that wrote it, whose namehash table, of
// namehash_size entries (hash, name offset, record offset; a free slot
// has a zero record), names each compiled locale, normalized (en_US.utf8),
// by an offset from the start of the file to a NUL-terminated string.
const (
	archiveMagic      = 0xde020109
	archiveHeaderSize = 14 * 4
	maxArchiveNames   = 1 << 20 // namehash slots read, against a hostile size
	maxArchiveName    = 256
)

// archiveLocales returns the names of the locales compiled into a
// locale-archive, read from r (bounded: the table's slots and each name).
func archiveLocales(r io.ReaderAt) (map[string]bool, error) {
	var head [archiveHeaderSize]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, fmt.Errorf("reading its header: %w", err)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if order.Uint32(head[:]) != archiveMagic {
		order = binary.BigEndian
		if order.Uint32(head[:]) != archiveMagic {
			return nil, errors.New("not a locale archive (bad magic)")
		}
	}
	field := func(i int) uint32 { return order.Uint32(head[4*i:]) }
	offset, size := int64(field(2)), int64(field(4))
	if size > maxArchiveNames {
		return nil, fmt.Errorf("its name table has %d slots, more than %d", size, maxArchiveNames)
	}
	table := make([]byte, 12*size)
	if _, err := r.ReadAt(table, offset); err != nil {
		return nil, fmt.Errorf("reading its name table: %w", err)
	}
	names := map[string]bool{}
	var buf [maxArchiveName]byte
	for i := int64(0); i < size; i++ {
		ent := table[12*i:]
		if order.Uint32(ent[8:]) == 0 {
			continue // a free slot
		}
		n, err := r.ReadAt(buf[:], int64(order.Uint32(ent[4:])))
		end := bytes.IndexByte(buf[:n], 0)
		if end < 0 {
			if err != nil {
				return nil, fmt.Errorf("reading a name: %w", err)
			}
			return nil, fmt.Errorf("a name longer than %d bytes", maxArchiveName)
		}
		names[string(buf[:end])] = true
	}
	return names, nil
}
