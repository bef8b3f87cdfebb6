// Package tarbound bounds what reading an image's tar headers may cost:
// how many entries its layers hold, how many bytes of names and link
// targets they keep in memory, and how long one name may be. It also
// refuses a sparse entry, whose holes a tar reader expands to zeros
// without reading the layer. imagefs (pack --from) and inspect's listing
// count with the same Counter, so that both refuse the same layers, each
// with an error that names the bound.
package tarbound

import (
	"archive/tar"
	"fmt"
	"strings"
)

// The bounds, over all the layers of one image. imagefs exports them as
// imagefs.MaxEntries and imagefs.MaxHeaderBytes, the names the errors
// give.
const (
	MaxEntries     = 1 << 21   // tar entries
	MaxHeaderBytes = 256 << 20 // bytes of names, link targets and owner names
)

// Linux's limits on a name: a longer one cannot be extracted (Docker's
// pull fails with ENAMETOOLONG), so it refuses the layer.
const (
	NameMax = 255  // NAME_MAX, one component
	PathMax = 4095 // PATH_MAX less its NUL
)

// Counter counts the entries of an image's layers, in order, against the
// bounds. Its zero value is not usable; see New.
type Counter struct {
	MaxEntries     int
	MaxHeaderBytes int64
	entries        int
	bytes          int64
}

// New returns a Counter with the default bounds.
func New() *Counter {
	return &Counter{MaxEntries: MaxEntries, MaxHeaderBytes: MaxHeaderBytes}
}

// Add counts one entry and checks it: an error when a bound is passed,
// when its name or link target is longer than Linux allows, or when it
// is a sparse file. The error names the entry or the bound.
func (c *Counter) Add(h *tar.Header) error {
	if c.entries++; c.entries > c.MaxEntries {
		return fmt.Errorf("the image has more than %d entries, the bound imagefs.MaxEntries", c.MaxEntries)
	}
	if c.bytes += Cost(h); c.bytes > c.MaxHeaderBytes {
		return fmt.Errorf("the image's names and link targets are more than %d bytes, the bound imagefs.MaxHeaderBytes", c.MaxHeaderBytes)
	}
	if h.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	if err := CheckName(h.Name); err != nil {
		return fmt.Errorf("entry %s %w", Quote(h.Name), err)
	}
	if (h.Typeflag == tar.TypeSymlink || h.Typeflag == tar.TypeLink) && len(h.Linkname) > PathMax {
		return fmt.Errorf("entry %s is a link to a %d-byte target, longer than Linux's %d (PATH_MAX)", Quote(h.Name), len(h.Linkname), PathMax)
	}
	if isSparse(h) {
		return fmt.Errorf("entry %s is a sparse file of %d bytes (GNU sparse format), which scratchpack does not expand; store the file whole in the layer", Quote(h.Name), h.Size)
	}
	return nil
}

// Cost is what an entry keeps in memory beyond its fixed size.
func Cost(h *tar.Header) int64 {
	return int64(len(h.Name) + len(h.Linkname) + len(h.Uname) + len(h.Gname))
}

// CheckName reports a name longer than Linux allows: over PATH_MAX, or
// with a component over NAME_MAX.
func CheckName(name string) error {
	if len(name) > PathMax {
		return fmt.Errorf("is %d bytes long, longer than Linux's %d (PATH_MAX)", len(name), PathMax)
	}
	for c := range strings.SplitSeq(name, "/") {
		if len(c) > NameMax {
			return fmt.Errorf("has a %d-byte component, longer than Linux's %d (NAME_MAX)", len(c), NameMax)
		}
	}
	return nil
}

// isSparse reports a GNU sparse entry: the old GNU type 'S', or any of
// the PAX formats (0.0, 0.1, 1.0), which archive/tar reports as a regular
// file of the logical size and whose records it leaves in PAXRecords. A
// layer that only says it is sparse, in a version archive/tar does not
// read, is refused too: what it means is not clear.
func isSparse(h *tar.Header) bool {
	if h.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// Quote quotes an entry's name for an error, cut to its first 128 bytes
// when longer, so that one line stays readable.
func Quote(name string) string {
	const show = 128
	if len(name) <= show {
		return fmt.Sprintf("%q", name)
	}
	return fmt.Sprintf("%q... (%d bytes)", name[:show], len(name))
}
