package elfscan

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"
)

// makeCache encodes entries in the glibc-ld.so.cache1.1 format.
func makeCache(entries []cacheEntry) []byte {
	le := binary.LittleEndian
	var strs bytes.Buffer
	base := cacheHeaderSize + len(entries)*cacheEntrySize
	off := func(s string) uint32 {
		o := base + strs.Len()
		strs.WriteString(s)
		strs.WriteByte(0)
		return uint32(o)
	}
	var body bytes.Buffer
	for _, e := range entries {
		var b [cacheEntrySize]byte
		le.PutUint32(b[0:], uint32(e.flags))
		le.PutUint32(b[4:], off(e.name))
		le.PutUint32(b[8:], off(e.path))
		le.PutUint64(b[16:], e.hwcap)
		body.Write(b[:])
	}
	hdr := make([]byte, cacheHeaderSize)
	copy(hdr, cacheMagicNew)
	le.PutUint32(hdr[20:], uint32(len(entries)))
	le.PutUint32(hdr[24:], uint32(strs.Len()))
	hdr[28] = 2 // little-endian
	return append(append(hdr, body.Bytes()...), strs.Bytes()...)
}

func TestLDCacheFlagsAndHwcaps(t *testing.T) {
	data := makeCache([]cacheEntry{
		{flags: 0x0303, name: "libx.so.1", path: "/hw/libx.so.1", hwcap: 1<<62 | 1},
		{flags: 0x0303, name: "libx.so.1", path: "/base/libx.so.1"},
		{flags: 0x0a03, name: "libx.so.1", path: "/arm/libx.so.1"},
		{flags: 0x0003, name: "liby.so.1", path: "/any/liby.so.1"},
	})
	old := append([]byte(cacheMagicOld+"\x00\x00\x00\x00\x00"), data...) // libc5 header, no entries
	for name, raw := range map[string][]byte{"new": data, "old+new": old} {
		c, err := parseLDCache(raw, binary.LittleEndian)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := c.lookup("libx.so.1", 0x0303); !slices.Equal(got, []string{"/base/libx.so.1", "/hw/libx.so.1"}) {
			t.Errorf("%s: amd64 lookup = %v, want the baseline before the hwcaps one", name, got)
		}
		if got := c.lookup("libx.so.1", 0x0a03); !slices.Equal(got, []string{"/arm/libx.so.1"}) {
			t.Errorf("%s: arm64 lookup = %v", name, got)
		}
		if got := c.lookup("liby.so.1", 0x0303); len(got) != 0 {
			t.Errorf("%s: an entry of other ABI flags matched: %v", name, got)
		}
		if got := c.lookup("liby.so.1", 0); !slices.Equal(got, []string{"/any/liby.so.1"}) {
			t.Errorf("%s: flags-agnostic lookup = %v", name, got)
		}
	}
	for _, bad := range [][]byte{data[:30], []byte("not a cache at all, clearly"), data[:len(data)-20]} {
		if _, err := parseLDCache(bad, binary.LittleEndian); err == nil {
			t.Errorf("parseLDCache accepted %d bytes of a damaged cache", len(bad))
		}
	}
}
