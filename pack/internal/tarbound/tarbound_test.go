package tarbound

import (
	"archive/tar"
	"strings"
	"testing"
)

// Each check of Add refuses what it should with a line naming the entry
// or the bound, and lets the rest through.
func TestAdd(t *testing.T) {
	for _, c := range []struct {
		h    tar.Header
		want string // "" for none
	}{
		{tar.Header{Name: "usr/bin/app", Typeflag: tar.TypeReg}, ""},
		{tar.Header{Name: strings.Repeat("a/", 2047) + "b", Typeflag: tar.TypeReg}, ""}, // 4095 bytes
		{tar.Header{Name: strings.Repeat("a/", 2048), Typeflag: tar.TypeReg}, "is 4096 bytes long, longer than Linux's 4095 (PATH_MAX)"},
		{tar.Header{Name: "x/" + strings.Repeat("c", 256), Typeflag: tar.TypeReg}, "has a 256-byte component, longer than Linux's 255 (NAME_MAX)"},
		{tar.Header{Name: "l", Typeflag: tar.TypeSymlink, Linkname: strings.Repeat("t", 4096)}, `entry "l" is a link to a 4096-byte target`},
		{tar.Header{Name: "h", Typeflag: tar.TypeLink, Linkname: strings.Repeat("t", 4096)}, `entry "h" is a link to a 4096-byte target`},
		{tar.Header{Name: "s", Typeflag: tar.TypeGNUSparse, Size: 9}, `entry "s" is a sparse file of 9 bytes`},
		{tar.Header{Name: "p", Typeflag: tar.TypeReg, PAXRecords: map[string]string{"GNU.sparse.major": "1"}}, `entry "p" is a sparse file`},
		{tar.Header{Name: "x", Typeflag: tar.TypeReg, PAXRecords: map[string]string{"SCHILY.xattr.user.a": "1"}}, ""},
	} {
		err := New().Add(&c.h)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%.40q: %v", c.h.Name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%.40q: error %v, want %q", c.h.Name, err, c.want)
		}
	}
	c := &Counter{MaxEntries: 2, MaxHeaderBytes: 1 << 20}
	for i := range 3 {
		err := c.Add(&tar.Header{Name: "f", Typeflag: tar.TypeReg})
		if (i < 2) != (err == nil) || i == 2 && !strings.Contains(err.Error(), "more than 2 entries, the bound imagefs.MaxEntries") {
			t.Errorf("entry %d: %v", i, err)
		}
	}
	c = &Counter{MaxEntries: 10, MaxHeaderBytes: 5}
	if err := c.Add(&tar.Header{Name: "abc", Typeflag: tar.TypeSymlink, Linkname: "def"}); err == nil || !strings.Contains(err.Error(), "more than 5 bytes, the bound imagefs.MaxHeaderBytes") {
		t.Errorf("header bytes: %v", err)
	}
}
