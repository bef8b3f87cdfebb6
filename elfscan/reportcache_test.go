package elfscan

import (
	"os"
	"testing"
)

// TestCachedReportNamesTheCallersRoots: a report a Cache kept from a
// scan in one *Root is given to a scan of the same file in another
// *Root of the same tree (each program a bulk scan finds on the host
// has its own) with the roots of that scan, as a scan of its own would
// give it: a plan tells entries of one file apart by their Roots.
func TestCachedReportNamesTheCallersRoots(t *testing.T) {
	prog := ""
	// A program of glibc's iconv has data files too (gconv-modules).
	for _, p := range []string{"/usr/bin/iconv", "/usr/bin/tar", "/usr/bin/ls", "/bin/ls", "/usr/bin/env", "/bin/sh"} {
		if _, err := os.Stat(p); err == nil {
			prog = p
			break
		}
	}
	if prog == "" {
		t.Skip("no dynamic program on the host")
	}
	cache := NewCache()
	first, second := HostRoot(), HostRoot()
	// Libraries looked for in the file's root, then in a root named.
	for _, c := range []struct{ firstSys, sys *Root }{{nil, nil}, {first, second}} {
		sys := c.sys
		a, err := ScanFile(first, prog, Options{Cache: cache, Root: c.firstSys})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Libraries) == 0 {
			t.Skipf("%s has no libraries", prog)
		}
		b, err := ScanFile(second, prog, Options{Cache: cache, Root: sys})
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := ScanFile(second, prog, Options{Cache: NewCache(), Root: sys})
		if err != nil {
			t.Fatal(err)
		}
		if b.Root != second || fresh.Root != second {
			t.Errorf("the report's root is %p (fresh %p), want the caller's %p", b.Root, fresh.Root, second)
		}
		if (b.Loader == nil) != (fresh.Loader == nil) || b.Loader != nil && b.Loader.Root != fresh.Loader.Root {
			t.Errorf("the loader's root is not the one a fresh scan names")
		}
		if len(b.Libraries) != len(fresh.Libraries) {
			t.Fatalf("%d libraries from the cache, %d fresh", len(b.Libraries), len(fresh.Libraries))
		}
		for i, l := range b.Libraries {
			if l.Root != fresh.Libraries[i].Root || l.Root != second {
				t.Errorf("%s: root %p from the cache, %p fresh; want the caller's %p", l.Name, l.Root, fresh.Libraries[i].Root, second)
			}
		}
		for i, l := range b.DataFiles {
			if l.Root != fresh.DataFiles[i].Root || l.Root != second {
				t.Errorf("data file %s: root %p from the cache, %p fresh; want the caller's %p", l.Path, l.Root, fresh.DataFiles[i].Root, second)
			}
		}
		// The kept report is not changed by the copy handed out.
		again, err := ScanFile(first, prog, Options{Cache: cache, Root: c.firstSys})
		if err != nil {
			t.Fatal(err)
		}
		if again.Root != first || again.Libraries[0].Root != first {
			t.Errorf("a scan in the first root again names %p, %p; want %p", again.Root, again.Libraries[0].Root, first)
		}
	}
}
