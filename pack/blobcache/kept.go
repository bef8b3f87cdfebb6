package blobcache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// This file keeps blobs that a reader makes as it reads, and reads them
// in place: imagefs keeps each layer's uncompressed tar stream under its
// diff_id, so that the image read again is not decompressed again, and
// reads the files' contents out of the stream where they are. The reader
// verifies the bytes as it reads them (they must hash to the name) and
// drops an entry that does not; they share the directory, bound and
// eviction of every other blob.

// Pending is a blob being made: written to File, then kept under its
// digest with Keep. Its file stays open, for its maker to read, until
// the maker closes it.
type Pending struct {
	c *Cache
	t *temp
}

// NewBlob starts a blob to keep, in a file of the cache's directory (an
// unnamed one where the file system allows it).
func (c *Cache) NewBlob() (*Pending, error) {
	if err := c.mkdir(); err != nil {
		return nil, err
	}
	t, err := c.newTemp()
	if err != nil {
		return nil, &storeError{c.dir, unwrapPathErr(err)}
	}
	return &Pending{c: c, t: t}, nil
}

// File is where the blob is written; its maker closes it.
func (p *Pending) File() *os.File { return p.t.f }

// Keep names the blob, whose maker computed its digest d and size as it
// wrote it, in the cache, unless it is larger than the bound (said as a
// warning) or a concurrent run kept it first. A failure keeps nothing and
// is said at -v; the file stays its maker's either way.
func (p *Pending) Keep(d v1.Hash, size int64) {
	c := p.c
	if d.Algorithm != "sha256" || !isHex(d.Hex) {
		p.t.discardName()
		return
	}
	if size > c.max {
		p.t.discardName()
		c.warnf("blob cache: %s is %d bytes, more than the cache's bound of %d: not kept, so every run makes it again", d, size, c.max)
		return
	}
	path := filepath.Join(c.dir, d.Hex)
	switch err := p.t.link(path); {
	case errors.Is(err, fs.ErrExist):
		c.logf("blob cache: %s made; a concurrent run kept it first", d)
	case err != nil:
		c.logf("blob cache: %s made but not kept: %v", d, err)
	default:
		c.logf("blob cache: %s made and kept in %s", d, path)
		c.evict(path)
	}
}

// Abandon drops a blob that will not be kept; its file stays its maker's.
func (p *Pending) Abandon() { p.t.discardName() }

// OpenKept returns the kept blob d, open at its start, and its size, when
// an entry of this user's is there, and marks it the most recently used.
// The caller verifies the bytes as it reads them, and drops an entry that
// does not hash to d with Drop.
func (c *Cache) OpenKept(d v1.Hash) (*os.File, int64, bool) {
	if d.Algorithm != "sha256" || !isHex(d.Hex) || !c.ours(c.dir) {
		return nil, 0, false
	}
	path := filepath.Join(c.dir, d.Hex)
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, 0, false
	}
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || !owned(fi) {
		f.Close()
		c.logf("blob cache: the entry for %s is not a regular file of this user's; not used", d)
		return nil, 0, false
	}
	now := time.Now()
	_ = os.Chtimes(path, now, now) // a failure only ages it
	return f, fi.Size(), true
}

// Drop removes the entry of d that f, from OpenKept, holds, because its
// bytes are not d's (why says what they are), and closes f. An entry a
// concurrent run replaced meanwhile is left alone.
func (c *Cache) Drop(d v1.Hash, f *os.File, why string) {
	path := filepath.Join(c.dir, d.Hex)
	removed := "removed"
	fi, err := f.Stat()
	now, err2 := os.Lstat(path)
	if err == nil && err2 == nil && os.SameFile(fi, now) {
		if err := os.Remove(path); err != nil {
			removed = fmt.Sprintf("not removed (%v)", unwrapPathErr(err))
		}
	}
	f.Close()
	c.logf("blob cache: the entry for %s %s: %s", d, why, removed)
}
