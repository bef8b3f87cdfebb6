package blobcache

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/internal/ctxio"
)

// This file shares the store with blobs made on this machine (pack's
// layer cache): Put keeps a blob whose digest its maker computed while
// writing it, CopyTo serves one into the maker's own file and verifies
// the copy. Both go through the same directory, bound and eviction as
// downloads, so `scratchpack cache` shows and prunes them all.

// copyChunk is how much is copied between checks of the context.
const copyChunk = 8 << 20

// Put keeps the blob d of size bytes that src holds from its current
// offset, copied by the kernel where it can (copy_file_range). The digest
// is the caller's, computed as it wrote the blob; every later CopyTo
// checks it. A blob larger than the bound is not kept, with a warning.
// A failure keeps nothing.
func (c *Cache) Put(ctx context.Context, d v1.Hash, size int64, src *os.File) error {
	if d.Algorithm != "sha256" || !isHex(d.Hex) {
		return fmt.Errorf("blob cache: %s is not a sha256 digest", d)
	}
	if size > c.max {
		c.warnf("blob cache: %s is %d bytes, more than the cache's bound of %d: not kept, so every run builds it", d, size, c.max)
		return nil
	}
	path := filepath.Join(c.dir, d.Hex)
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == size {
		now := time.Now()
		_ = os.Chtimes(path, now, now) // kept already, and CopyTo verifies it: now the most recently used
		return nil
	}
	if err := c.mkdir(); err != nil {
		return err
	}
	t, err := c.newTemp()
	if err != nil {
		return &storeError{c.dir, unwrapPathErr(err)}
	}
	defer t.discard()
	if err := copyN(ctx, t.f, src, size); err != nil {
		return &storeError{c.dir, unwrapPathErr(err)}
	}
	switch err := t.link(path); {
	case errors.Is(err, fs.ErrExist):
		// A concurrent run kept it, or a wrong entry is there: CopyTo
		// removes the latter and the next Put stores it.
	case err != nil:
		return &storeError{c.dir, unwrapPathErr(err)}
	default:
		c.logf("blob cache: %s kept in %s", d, path)
		c.evict(path)
	}
	return nil
}

// CopyTo copies the kept blob d of size bytes into dst at its current
// offset, by the kernel where it can, and checks that the copy hashes to
// d. It reports false, having written nothing that the caller should keep,
// when the blob is not kept, or the entry is not this user's, not a
// regular file, of another size or holds other bytes (the last two are
// removed, said at -v). Only cancellation and a failure to write dst are
// errors.
func (c *Cache) CopyTo(ctx context.Context, d v1.Hash, size int64, dst *os.File) (bool, error) {
	if d.Algorithm != "sha256" || !isHex(d.Hex) || !c.ours(c.dir) {
		return false, nil
	}
	path := filepath.Join(c.dir, d.Hex)
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false, nil
	}
	defer f.Close()
	fi, err := f.Stat()
	switch {
	case err != nil:
		return false, nil
	case !fi.Mode().IsRegular() || !owned(fi):
		c.logf("blob cache: the entry for %s is not a regular file of this user's; not used", d)
		return false, nil
	case fi.Size() != size:
		c.discard(path, f, d, fmt.Sprintf("is %d bytes, not %d (truncated or foreign)", fi.Size(), size))
		return false, nil
	}
	start, err := dst.Seek(0, io.SeekCurrent)
	if err != nil {
		return false, err
	}
	if err := copyN(ctx, dst, f, size); err != nil {
		return false, err
	}
	// The copy is what will be served: hash it, not the entry.
	h := sha256.New()
	n, err := io.Copy(h, ctxio.Reader(ctx, io.NewSectionReader(dst, start, size)))
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		return false, err
	}
	if got := (v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}); n != size || got != d {
		c.discard(path, f, d, fmt.Sprintf("holds other bytes (%s)", got))
		return false, nil
	}
	now := time.Now()
	_ = os.Chtimes(path, now, now) // the most recently used; a failure only ages it
	c.logf("blob cache: %s served from %s (verified)", d, path)
	return true, nil
}

// Has reports whether the blob d of size bytes seems kept: an entry of
// that size is there. CopyTo verifies it.
func (c *Cache) Has(d v1.Hash, size int64) bool {
	if d.Algorithm != "sha256" || !isHex(d.Hex) {
		return false
	}
	fi, err := os.Lstat(filepath.Join(c.dir, d.Hex))
	return err == nil && fi.Mode().IsRegular() && fi.Size() == size
}

// mkdir makes the entries' directory, this user's alone.
func (c *Cache) mkdir() error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return &storeError{c.dir, unwrapPathErr(err)}
	}
	if !c.ours(c.dir) {
		return &storeError{c.dir, errors.New("not a directory of this user's that only this user can write")}
	}
	return nil
}

// ours reports whether dir is a directory this user owns and only this
// user can write: what another user could not have filled.
func (c *Cache) ours(dir string) bool {
	fi, err := os.Lstat(dir)
	return err == nil && fi.IsDir() && fi.Mode().Perm()&0o022 == 0 && owned(fi)
}

// owned reports whether fi is this user's.
func owned(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}

// copyN copies n bytes from src's offset to dst's, copyChunk at a time,
// stopping when ctx is done. Between files the kernel copies them
// (os.File.ReadFrom uses copy_file_range).
func copyN(ctx context.Context, dst, src *os.File, n int64) error {
	for n > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		k, err := io.CopyN(dst, src, min(n, copyChunk))
		n -= k
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		if err != nil {
			return err
		}
	}
	return nil
}
