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
	"strings"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/internal/ctxio"
	"github.com/scratchpack/scratchpack/internal/stale"
)

// DefaultMax is the bound on the bytes kept when Options.Max is zero:
// 4 GiB holds the compressed layers of many base images (a Debian or
// Ubuntu base is some 30-50 MB, a JDK or CUDA one a few hundred MB to a
// few GB), and is small next to a disk that builds images.
const DefaultMax int64 = 4 << 30

// Options change what a Cache keeps and what it says.
type Options struct {
	// Max bounds the total size of the blobs kept, in bytes; DefaultMax
	// when zero.
	Max int64
	// Logf, when set, is told what the cache did: a blob served, fetched,
	// an entry replaced or evicted (for -v).
	Logf func(format string, args ...any)
	// Warnf, when set, is told when the bound was hit in a way that costs
	// every run: a blob larger than Max is served but never kept.
	Warnf func(format string, args ...any)
}

// Cache is a directory of compressed blobs, each named by its digest and
// checked against it before it is served. It is safe for concurrent use,
// by goroutines and by processes sharing the directory.
type Cache struct {
	dir         string // DIR/sha256
	max         int64
	logf, warnf func(string, ...any)
	// noTmpfile makes downloads use a named temporary file, as where
	// O_TMPFILE is not supported (tests set it).
	noTmpfile bool
}

// tmpPattern names the temporary files of downloads where O_TMPFILE is
// not supported; Open sweeps those of killed runs.
const tmpPattern = ".tmp-*"

// Open returns the cache in dir. It creates nothing: the directory is
// made when the first blob is stored. It removes the entries of the
// earlier, unverified format and the temporary files of killed runs.
func Open(dir string, o Options) (*Cache, error) {
	if dir == "" {
		return nil, errors.New("blob cache: no directory")
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("blob cache %s: %w", dir, err)
	}
	c := &Cache{dir: filepath.Join(dir, "sha256"), max: o.Max, logf: o.Logf, warnf: o.Warnf}
	if c.max <= 0 {
		c.max = DefaultMax
	}
	if c.logf == nil {
		c.logf = func(string, ...any) {}
	}
	if c.warnf == nil {
		c.warnf = func(string, ...any) {}
	}
	if err := c.removeOldFormat(dir); err != nil {
		return nil, err
	}
	stale.Sweep(filepath.Join(c.dir, tmpPattern))
	return c, nil
}

// removeOldFormat removes what go-containerregistry's filesystem cache
// left in dir: files named ALGORITHM:HEX, compressed blobs and
// uncompressed layers alike, which nothing ever verified.
func (c *Cache) removeOldFormat(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("blob cache %s: %w", dir, unwrapPathErr(err))
	}
	n := 0
	for _, e := range ents {
		alg, hexPart, ok := strings.Cut(e.Name(), ":")
		if !ok || e.IsDir() || alg == "" || hexPart == "" || strings.Trim(hexPart, "0123456789abcdef") != "" {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("blob cache %s: removing the unverified entry %s of the old format: %w; remove it by hand", dir, e.Name(), unwrapPathErr(err))
		}
		n++
	}
	if n > 0 {
		c.logf("blob cache %s: removed %d unverified entries of the old format", dir, n)
	}
	return nil
}

// fetch returns the blob d of size bytes, open at its start, from the
// cache or, when it is missing or does not match d, from download, which
// then is stored.
func (c *Cache) fetch(ctx context.Context, d v1.Hash, size int64, download func() (io.ReadCloser, error)) (*os.File, error) {
	path := filepath.Join(c.dir, d.Hex)
	f, err := c.hit(ctx, path, d, size)
	if f != nil || err != nil {
		return f, err
	}
	return c.download(ctx, path, d, size, download)
}

// hit opens the entry at path and returns it when it holds d: size
// bytes whose digest is d. A missing entry is (nil, nil); a wrong one is
// removed, said at -v, and (nil, nil) too. Only cancellation is an error.
func (c *Cache) hit(ctx context.Context, path string, d v1.Hash, size int64) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		c.discard(path, nil, d, fmt.Sprintf("cannot be opened (%v)", unwrapPathErr(err)))
		return nil, nil
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
		c.discard(path, f, d, err.Error())
		return nil, nil
	case !fi.Mode().IsRegular():
		c.discard(path, f, d, "is not a regular file")
		return nil, nil
	case fi.Size() != size:
		c.discard(path, f, d, fmt.Sprintf("is %d bytes, not %d (truncated or foreign)", fi.Size(), size))
		return nil, nil
	}
	got, n, err := hashFile(ctx, f)
	if ctx.Err() != nil {
		f.Close()
		return nil, ctx.Err()
	}
	switch {
	case err != nil:
		c.discard(path, f, d, fmt.Sprintf("cannot be read (%v)", err))
		return nil, nil
	case n != size || got != d:
		c.discard(path, f, d, fmt.Sprintf("holds other bytes (%s)", got))
		return nil, nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		c.discard(path, f, d, err.Error())
		return nil, nil
	}
	now := time.Now()
	_ = os.Chtimes(path, now, now) // the most recently used; a failure only ages it
	c.logf("blob cache: %s served from %s (verified)", d, path)
	return f, nil
}

// discard removes the entry at path, which f (when set) has open,
// because it is not blob d, and says why at -v. An entry that a
// concurrent run replaced meanwhile is left alone.
func (c *Cache) discard(path string, f *os.File, d v1.Hash, why string) {
	removed := "removed"
	if f != nil {
		fi, err := f.Stat()
		now, err2 := os.Lstat(path)
		if err == nil && err2 == nil && os.SameFile(fi, now) {
			if err := os.RemoveAll(path); err != nil {
				removed = fmt.Sprintf("not removed (%v)", unwrapPathErr(err))
			}
		}
		f.Close()
	} else if err := os.RemoveAll(path); err != nil {
		removed = fmt.Sprintf("not removed (%v)", unwrapPathErr(err))
	}
	c.logf("blob cache: the entry for %s %s: %s; downloading it again", d, why, removed)
}

// download fetches blob d into a temporary file, checks its size and
// digest, stores it at path unless it is larger than the bound, and
// returns it open at its start. A download that fails stores nothing.
func (c *Cache) download(ctx context.Context, path string, d v1.Hash, size int64, open func() (io.ReadCloser, error)) (*os.File, error) {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return nil, &storeError{c.dir, unwrapPathErr(err)}
	}
	t, err := c.newTemp()
	if err != nil {
		return nil, &storeError{c.dir, unwrapPathErr(err)}
	}
	ok := false
	defer func() {
		if !ok {
			t.discard()
		}
	}()
	rc, err := open()
	if err != nil {
		return nil, err
	}
	h := sha256.New()
	w := &errWriter{w: t.f}
	n, err := io.Copy(io.MultiWriter(w, h), ctxio.Reader(ctx, io.LimitReader(rc, size+1)))
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if w.err != nil { // a full disk, say: the cache's failure, not the blob's
		return nil, &storeError{c.dir, unwrapPathErr(w.err)}
	}
	if err != nil {
		return nil, fmt.Errorf("blob %s: %w", d, err)
	}
	got := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
	switch {
	case n > size:
		return nil, fmt.Errorf("blob %s: the registry sent more than the %d bytes the manifest gives", d, size)
	case n != size:
		return nil, fmt.Errorf("blob %s: the registry sent %d bytes, not the %d the manifest gives", d, n, size)
	case got != d:
		return nil, fmt.Errorf("blob %s: the registry sent bytes whose digest is %s", d, got)
	}
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		return nil, &storeError{c.dir, err}
	}
	ok = true
	if size > c.max {
		t.discardName()
		c.warnf("blob cache: %s is %d bytes, more than the cache's bound of %d: used but not kept, so every run downloads it", d, size, c.max)
		return t.f, nil
	}
	switch err := t.link(path); {
	case errors.Is(err, fs.ErrExist):
		c.logf("blob cache: %s downloaded (verified); a concurrent run stored it first", d)
	case err != nil:
		c.logf("blob cache: %s downloaded (verified) but not kept: %v", d, err)
	default:
		c.logf("blob cache: %s downloaded (verified) and kept in %s", d, path)
		c.evict(path)
	}
	return t.f, nil
}

// storeError is a failure of the cache's directory (unwritable, full),
// not of the blob: the blob is then read without the cache.
type storeError struct {
	dir string
	err error
}

func (e *storeError) Error() string { return fmt.Sprintf("blob cache %s: %v", e.dir, e.err) }
func (e *storeError) Unwrap() error { return e.err }

// errWriter writes to w and keeps the first error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}

// hashFile returns the sha256 digest and length of what f holds from its
// current offset, stopping when ctx is done.
func hashFile(ctx context.Context, f *os.File) (v1.Hash, int64, error) {
	h := sha256.New()
	n, err := io.Copy(h, ctxio.Reader(ctx, f))
	if err != nil {
		return v1.Hash{}, n, err
	}
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}, n, nil
}

// isHex reports whether s is a sha256 digest's hex: 64 lowercase hex
// digits, so that it is safe as a file name.
func isHex(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

// unwrapPathErr drops the path from an *fs.PathError, which the caller
// names itself.
func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
