package elfscan

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
)

// ldCache is the part of glibc's /etc/ld.so.cache that library lookup
// uses: for each name, the paths ldconfig recorded, in cache order.
type ldCache struct {
	entries []cacheEntry
}

type cacheEntry struct {
	flags int32
	name  string
	path  string
	hwcap uint64
}

const (
	cacheMagicNew   = "glibc-ld.so.cache1.1"
	cacheMagicOld   = "ld.so-1.7.0"
	cacheHeaderSize = 48 // magic+version, nlibs, len_strings, flags, pad, extension offset, unused[3]
	cacheEntrySize  = 24 // flags, key, value, osversion, hwcap
	flagTypeMask    = 0x00ff
	flagELFLibc6    = 0x0003
)

// readLDCache parses the glibc-ld.so.cache1.1 format, alone or after the
// old libc5 format. A missing file is an empty cache.
func readLDCache(root *Root, file string, order binary.ByteOrder) (*ldCache, error) {
	data, err := root.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return &ldCache{}, nil
	}
	if err != nil {
		return nil, err
	}
	return parseLDCache(data, order)
}

func parseLDCache(data []byte, order binary.ByteOrder) (*ldCache, error) {
	start := 0
	if bytes.HasPrefix(data, []byte(cacheMagicOld)) {
		// The old format's entries come first; the new header follows,
		// 8-byte aligned, and its string offsets are relative to itself.
		i := bytes.Index(data, []byte(cacheMagicNew))
		if i < 0 {
			return nil, errors.New("ld.so.cache: old libc5 format only; run a newer ldconfig")
		}
		start = i
	}
	d := data[start:]
	if len(d) < cacheHeaderSize || !bytes.HasPrefix(d, []byte(cacheMagicNew)) {
		return nil, errors.New("ld.so.cache: not a glibc-ld.so.cache1.1 file")
	}
	switch d[28] & 3 { // the header's endianness flag
	case 2:
		order = binary.LittleEndian
	case 3:
		order = binary.BigEndian
	}
	nlibs := int(order.Uint32(d[20:]))
	if nlibs < 0 || nlibs > (len(d)-cacheHeaderSize)/cacheEntrySize {
		return nil, errors.New("ld.so.cache: entry count runs past the end of the file")
	}
	str := func(off uint32) (string, bool) {
		if int(off) >= len(d) {
			return "", false
		}
		end := bytes.IndexByte(d[off:], 0)
		if end < 0 {
			return "", false
		}
		return string(d[off : int(off)+end]), true
	}
	c := &ldCache{entries: make([]cacheEntry, 0, nlibs)}
	for i := 0; i < nlibs; i++ {
		e := d[cacheHeaderSize+i*cacheEntrySize:]
		name, ok1 := str(order.Uint32(e[4:]))
		p, ok2 := str(order.Uint32(e[8:]))
		if !ok1 || !ok2 {
			return nil, errors.New("ld.so.cache: string offset out of range")
		}
		c.entries = append(c.entries, cacheEntry{
			flags: int32(order.Uint32(e[0:])),
			name:  name,
			path:  p,
			hwcap: order.Uint64(e[16:]),
		})
	}
	return c, nil
}

// lookup returns the cache's paths for name whose flags are abiFlags (any
// libc6 entry when abiFlags is 0), baseline entries before those for a
// particular hardware capability: the image may run on another CPU.
func (c *ldCache) lookup(name string, abiFlags int32) []string {
	var base, hw []string
	for _, e := range c.entries {
		if e.name != name || e.flags&flagTypeMask != flagELFLibc6 {
			continue
		}
		if abiFlags != 0 && e.flags != abiFlags {
			continue
		}
		if e.hwcap == 0 {
			base = append(base, e.path)
		} else {
			hw = append(hw, e.path)
		}
	}
	return append(base, hw...)
}
