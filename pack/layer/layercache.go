package layer

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/internal/ctxio"
	"github.com/scratchpack/scratchpack/pack/blobcache"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// Cache keeps what each layer was made from beside the blob cache,
// so that a layer whose inputs did not change is neither read nor
// compressed again: its blob, kept in the blob cache, is copied and
// verified against its digest instead.
//
// A layer's key is the sha256 of everything that shapes its bytes other
// than the files' contents: the format (layerFormat), the scratchpack
// binary itself (its stamp: a rebuilt one may write other bytes), the
// compression, the mtime written into every header, and every entry's
// path, type, mode, owner, link target and inline data (hashed). The
// record under the key says what each input file was, whatever its name:
// its stamp (device, inode, size, mtime and ctime), or, when
// the stamp cannot be trusted, the sha256 of its contents, which a lookup
// hashes again. A stamp is trusted only for a host file whose ctime was
// racyWindow older than the start of the read that made the layer: a file
// changed within the same tick of the clock as it was stamped keeps its
// stamp (a coarse clock, or a file system with whole seconds), so the
// stamp could not tell that write from the read. mtime can be set back
// (touch, os.Chtimes), ctime cannot: a write always changes the stamp.
// Files in an image or any root that is not the host's have no inode to
// trust, and are always hashed.
//
// A record is read only from a directory that this user owns and only
// this user can write (the cache's mode), and only from a regular file of
// this user's; a record that does not match is a miss, never an error,
// and is replaced when the layer is built again.
type Cache struct {
	dir   string           // DIR/layers: the records, one file per key
	blobs *blobcache.Cache // DIR/sha256: the blobs
	logf  func(format string, args ...any)
	// racyWindow is how much older than the read a file's ctime must be
	// for its stamp to be trusted (tests set it to 0).
	racyWindow time.Duration
}

// layerFormat names the way layers are written (tar headers, blockz's
// framing and levels): change it with them, and every record is a miss.
const layerFormat = "scratchpack layer cache 1"

// racyWindow covers the coarsest timestamps of the file systems programs
// are packed from (whole seconds) and a tick of the kernel's clock.
const racyWindow = 2 * time.Second

// maxRecord bounds a record read back: a few hundred bytes a file.
const maxRecord = 64 << 20

// recordDir names the records' directory beside the blob cache's.
const recordDir = "layers"

// NewCache returns the layer cache in dir, the blob cache's
// directory (DefaultCacheDir); logf, when set, is told at -v what it did,
// and warnf when a bound was hit in a way that costs every run (a layer
// larger than the blob cache's bound is never kept). It creates nothing
// until a layer is stored.
func NewCache(dir string, logf, warnf func(format string, args ...any)) (*Cache, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	blobs, err := blobcache.Open(dir, blobcache.Options{Logf: logf, Warnf: warnf})
	if err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(dir)
	return &Cache{dir: filepath.Join(abs, recordDir), blobs: blobs, logf: logf, racyWindow: racyWindow}, nil
}

// layerRecord is what a layer was made from and what it is.
type layerRecord struct {
	Digest v1.Hash         `json:"digest"`
	DiffID v1.Hash         `json:"diffID"`
	Size   int64           `json:"size"`
	Inputs []inputRecord   `json:"inputs"` // every file entry read from a source, in the plan's order
	Files  map[string]Sums `json:"files,omitempty"`
}

// inputRecord is one input file: its stamp, or its contents' sha256.
type inputRecord struct {
	Path   string       `json:"path"` // in the image
	Stamp  *stampRecord `json:"stamp,omitempty"`
	SHA256 string       `json:"sha256,omitempty"`
}

// stampRecord is a Stamp as kept, to the nanosecond.
type stampRecord struct {
	Size         int64
	MTime, CTime int64
	Dev, Ino     uint64
}

func recordStamp(s plan.Stamp) *stampRecord {
	return &stampRecord{Size: s.Size, MTime: s.MTime.UnixNano(), CTime: s.CTime.UnixNano(), Dev: s.Dev, Ino: s.Ino}
}

// key is the sha256 of what shapes the layer besides the inputs'
// contents; "" when it cannot be known (no identity for the binary).
func (c *Cache) key(p *plan.Plan, opts Options) string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	k := keyWriter{sha256.New()}
	k.str(layerFormat)
	k.str(exe)
	k.stamp(plan.StampOf(fi))
	k.str(string(opts.Compression))
	k.int(opts.ModTime.UnixNano())
	for _, e := range p.Entries() {
		k.str(e.Path)
		k.int(int64(e.Type))
		k.int(int64(e.Mode))
		k.int(int64(e.UID))
		k.int(int64(e.GID))
		k.str(e.Linkname)
		k.int(int64(len(e.Xattrs)))
		for _, name := range slices.Sorted(maps.Keys(e.Xattrs)) {
			k.str(name)
			k.str(e.Xattrs[name])
		}
		if e.Type != plan.TypeFile {
			continue
		}
		if e.Source == "" {
			sum := sha256.Sum256(e.Data)
			k.str("data")
			k.str(string(sum[:]))
			continue
		}
		// Not the file it is read from: the record tells that file by its
		// stamp (device and inode) or its contents, so that a program built
		// afresh into a new temporary directory each time (build) is
		// reused when its bytes are the same.
		k.str("source")
	}
	return hex.EncodeToString(k.h.Sum(nil))
}

// keyWriter writes length-prefixed fields, so that no two sequences of
// fields write the same bytes.
type keyWriter struct{ h hash.Hash }

func (k keyWriter) int(n int64) { binary.Write(k.h, binary.BigEndian, n) }
func (k keyWriter) str(s string) {
	k.int(int64(len(s)))
	io.WriteString(k.h, s)
}
func (k keyWriter) stamp(s plan.Stamp) {
	r := recordStamp(s)
	k.int(r.Size)
	k.int(r.MTime)
	k.int(r.CTime)
	k.int(int64(r.Dev))
	k.int(int64(r.Ino))
}

// hostPath is the host path of a file entry's source, or "" when it is in
// an image or another root that is not a host directory.
func hostPath(e plan.Entry) string {
	if e.Root == nil {
		abs, err := filepath.Abs(e.Source)
		if err != nil {
			return ""
		}
		return abs
	}
	return e.Root.HostPath(e.Source)
}

// trusted reports whether e's stamp tells its contents: a host file,
// stamped when it was planned, whose ctime is older than start by the
// racy window.
func (c *Cache) trusted(e plan.Entry, start time.Time) bool {
	s := e.Stamp
	return hostPath(e) != "" && s.Dev != 0 && s.Ino != 0 && !s.CTime.IsZero() && s.CTime.Before(start.Add(-c.racyWindow))
}

// lookup returns the layer kept for p and opts, or nil when there is
// none whose inputs match. Its blob is copied from the blob cache, and
// verified, only when it is first read (see Layer.file); a blob gone or
// wrong by then is built again, and must come out the same.
func (c *Cache) lookup(ctx context.Context, key string, p *plan.Plan, opts Options) (*Layer, error) {
	start := time.Now()
	rec := c.read(key)
	if rec == nil {
		return nil, nil
	}
	if opts.HashFiles && rec.Files == nil {
		return nil, nil
	}
	upgraded := false
	i := 0
	for _, e := range p.Entries() {
		if e.Type != plan.TypeFile || e.Source == "" {
			continue
		}
		if i >= len(rec.Inputs) || rec.Inputs[i].Path != e.Path {
			return nil, nil
		}
		in := &rec.Inputs[i]
		i++
		switch {
		case in.Stamp != nil:
			if e.Stamp == (plan.Stamp{}) || *in.Stamp != *recordStamp(e.Stamp) {
				c.logf("layer cache: %s changed since its layer was built", e.From())
				return nil, nil
			}
		case in.SHA256 != "":
			sum, err := hashSource(ctx, e)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if err != nil || sum != in.SHA256 {
				c.logf("layer cache: %s changed since its layer was built", e.From())
				return nil, nil
			}
			if c.trusted(e, start) { // old enough now for its stamp to stand for what was hashed
				in.Stamp, in.SHA256, upgraded = recordStamp(e.Stamp), "", true
			}
		default:
			return nil, nil
		}
	}
	if i != len(rec.Inputs) || !c.blobs.Has(rec.Digest, rec.Size) {
		return nil, nil
	}
	l := &Layer{ctx: ctx, compression: opts.Compression, digest: rec.Digest, diffID: rec.DiffID, size: rec.Size}
	if opts.HashFiles {
		l.Files = rec.Files
	}
	l.fill = func() (*os.File, error) { return c.fill(ctx, key, p, opts, rec) }
	if upgraded {
		c.write(key, rec)
	}
	c.logf("layer cache: layer %s reused (its inputs are unchanged)", rec.Digest)
	return l, nil
}

// fill returns a new temporary file holding the blob of rec, after the
// blob's room: copied from the blob cache and verified, or, when the
// kept blob is gone or wrong, built again from p, which must give the
// digest the record promised.
func (c *Cache) fill(ctx context.Context, key string, p *plan.Plan, opts Options, rec *layerRecord) (*os.File, error) {
	l, err := newLayerFile(ctx, opts.TempDir, opts.Compression)
	if err != nil {
		return nil, err
	}
	ok, err := c.blobs.CopyTo(ctx, rec.Digest, rec.Size, l.held)
	if ok {
		return l.held, nil
	}
	l.Close()
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case err != nil:
		return nil, fmt.Errorf("writing the layer in %s: %w; free space there or set TMPDIR", opts.TempDir, unwrapPathErr(err))
	}
	built, err := c.build(ctx, key, p, opts)
	if err != nil {
		return nil, err
	}
	<-built.stored // kept again before this layer is used (rare: a blob gone or wrong)
	if built.digest != rec.Digest {
		built.Close()
		return nil, fmt.Errorf("layer %s: its files changed while it was packed; pack it again once they are written", rec.Digest)
	}
	return built.held, nil
}

// build builds the layer and keeps it under key.
func (c *Cache) build(ctx context.Context, key string, p *plan.Plan, opts Options) (*Layer, error) {
	start := time.Now()
	hashes := map[string]string{}
	for path := range c.needsHash(p, start) {
		hashes[path] = ""
	}
	l, err := buildLayer(ctx, p, opts, hashes)
	if err != nil {
		return nil, err
	}
	// Kept while the image is written out: a copy by the kernel of a blob
	// the layer goes on reading unchanged, off the run's critical path
	// (containerd's 20 MB blob: some 10 ms). Close waits for it.
	//
	// Where a small pack's time goes (perf stat -r 30, GODEBUG=inittrace=1
	// and pprof over 80 runs of the 2.4 MB static hello-go to a tarball,
	// 2 cores): starting the process and package init take 5.5 ms of CPU
	// (780 page faults of a 20 MB binary; init 2.5 ms, 0.7 ms of it the
	// regular expressions of moby's client's distribution/reference),
	// compressing the layer 8 ms, the scan, plan, config and the tarball's
	// writes about 2 ms, and keeping the layer here about 1 ms, in this
	// goroutine. So the fixed cost left is the process and the
	// compression, and the cache removes the compression: a second pack
	// of the same program takes 10 ms of CPU in all, half of it starting.
	stored := make(chan struct{})
	l.stored = stored
	go func() {
		defer close(stored)
		c.store(ctx, key, p, l, hashes, start)
	}()
	return l, nil
}

// hashSource returns the sha256 of e's source, hex.
func hashSource(ctx context.Context, e plan.Entry) (string, error) {
	f, _, err := e.Open()
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, ctxio.Reader(ctx, f)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// needsHash is the set of image paths whose sources must be hashed as the
// layer is written: those whose stamps cannot be trusted (see trusted).
func (c *Cache) needsHash(p *plan.Plan, start time.Time) map[string]bool {
	need := map[string]bool{}
	for _, e := range p.Entries() {
		if e.Type == plan.TypeFile && e.Source != "" && !c.trusted(e, start) {
			need[e.Path] = true
		}
	}
	return need
}

// store keeps the layer's blob and its record. A failure is said at -v
// and otherwise ignored: the cache only saves time.
func (c *Cache) store(ctx context.Context, key string, p *plan.Plan, l *Layer, hashes map[string]string, start time.Time) {
	rec := &layerRecord{Digest: l.digest, DiffID: l.diffID, Size: l.size, Files: l.Files}
	for _, e := range p.Entries() {
		if e.Type != plan.TypeFile || e.Source == "" {
			continue
		}
		in := inputRecord{Path: e.Path}
		if sum, ok := hashes[e.Path]; ok {
			in.SHA256 = sum
		} else if c.trusted(e, start) {
			in.Stamp = recordStamp(e.Stamp)
		} else {
			return // cannot happen: needsHash chose it
		}
		rec.Inputs = append(rec.Inputs, in)
	}
	src, err := os.Open(l.held.Name()) // its own offset: the layer's file is read meanwhile
	if err != nil {
		return
	}
	defer src.Close()
	if _, err := src.Seek(blobRoom, io.SeekStart); err != nil {
		return
	}
	if err := c.blobs.Put(ctx, l.digest, l.size, src); err != nil {
		c.logf("layer cache: %v; the layer is not kept", err)
		return
	}
	if !c.blobs.Has(l.digest, l.size) {
		return // over the bound (Put warned), or evicted at once
	}
	if c.write(key, rec) {
		c.logf("layer cache: layer %s kept, with what it was made from", l.digest)
		c.trim()
	}
}

// maxRecords bounds the records kept: a record is made for each plan
// and each scratchpack binary (a new one misses every record), and is
// removed only when its blob is pruned, so without a bound the records
// of old binaries would pile up.
const maxRecords = 4096

// trim removes the oldest records beyond maxRecords, said at -v.
func (c *Cache) trim() {
	ents, err := os.ReadDir(c.dir)
	if err != nil || len(ents) <= maxRecords {
		return
	}
	type aged struct {
		name string
		mod  time.Time
	}
	var all []aged
	for _, de := range ents {
		if fi, err := de.Info(); err == nil && !strings.HasPrefix(de.Name(), ".") {
			all = append(all, aged{de.Name(), fi.ModTime()})
		}
	}
	slices.SortFunc(all, func(a, b aged) int { return b.mod.Compare(a.mod) })
	for _, a := range all[min(len(all), maxRecords):] {
		os.Remove(filepath.Join(c.dir, a.name))
	}
	if n := len(all) - maxRecords; n > 0 {
		c.logf("layer cache: removed the %d oldest records, beyond the bound of %d", n, maxRecords)
	}
}

// read returns the record under key, or nil when there is none that this
// user wrote.
func (c *Cache) read(key string) *layerRecord {
	if !ours(c.dir) {
		return nil
	}
	f, err := os.OpenFile(filepath.Join(c.dir, key), os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || !owned(fi) || fi.Size() > maxRecord {
		return nil
	}
	var rec layerRecord
	if err := json.NewDecoder(io.LimitReader(f, maxRecord)).Decode(&rec); err != nil {
		c.logf("layer cache: the record %s cannot be read (%v); building the layer again", f.Name(), err)
		return nil
	}
	return &rec
}

// write keeps rec under key, replacing any record there at once, and
// reports whether it did.
func (c *Cache) write(key string, rec *layerRecord) bool {
	if err := os.MkdirAll(c.dir, 0o700); err != nil || !ours(c.dir) {
		c.logf("layer cache: %s is not a directory of this user's that only this user can write; the layer is not kept", c.dir)
		return false
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return false
	}
	t, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		c.logf("layer cache: %v; the layer is not kept", err)
		return false
	}
	_, err = t.Write(b)
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(t.Name(), filepath.Join(c.dir, key))
	}
	if err != nil {
		os.Remove(t.Name())
		c.logf("layer cache: %v; the layer is not kept", err)
		return false
	}
	return true
}

// CacheEntry is one layer the cache knows how to reuse.
type CacheEntry struct {
	Key    string    `json:"key"`
	Digest v1.Hash   `json:"digest"` // the blob, kept in the blob cache
	Size   int64     `json:"size"`
	Inputs int       `json:"inputs"` // the files it was made from
	Built  time.Time `json:"built"`  // when the record was last written
}

// Entries lists the layers whose records are kept, newest first. A
// record is a few hundred bytes a file; its blob counts in the blob
// cache's bound.
func (c *Cache) Entries() ([]CacheEntry, error) {
	ents, err := os.ReadDir(c.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("layer cache %s: %w", c.dir, unwrapPathErr(err))
	}
	var out []CacheEntry
	for _, de := range ents {
		if len(de.Name()) != 2*sha256.Size || strings.Trim(de.Name(), "0123456789abcdef") != "" {
			continue
		}
		fi, err := de.Info()
		if err != nil {
			continue
		}
		rec := c.read(de.Name())
		if rec == nil {
			continue
		}
		out = append(out, CacheEntry{Key: de.Name(), Digest: rec.Digest, Size: rec.Size, Inputs: len(rec.Inputs), Built: fi.ModTime()})
	}
	slices.SortStableFunc(out, func(a, b CacheEntry) int { return b.Built.Compare(a.Built) })
	return out, nil
}

// Prune removes the records whose blobs the blob cache no longer keeps
// (after its own Prune, say), and the temporary files of killed runs; it
// returns how many records it removed.
func (c *Cache) Prune() (int, error) {
	kept := map[v1.Hash]bool{}
	blobs, err := c.blobs.Entries()
	if err != nil {
		return 0, err
	}
	for _, b := range blobs {
		kept[b.Digest] = true
	}
	ents, err := os.ReadDir(c.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("layer cache %s: %w", c.dir, unwrapPathErr(err))
	}
	n := 0
	for _, de := range ents {
		name := filepath.Join(c.dir, de.Name())
		if strings.HasPrefix(de.Name(), ".tmp-") {
			if fi, err := de.Info(); err == nil && time.Since(fi.ModTime()) > time.Hour {
				os.Remove(name)
			}
			continue
		}
		if rec := c.read(de.Name()); rec != nil && kept[rec.Digest] {
			continue
		}
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("layer cache %s: %w", c.dir, unwrapPathErr(err))
		}
		n++
	}
	return n, nil
}

// Dir is the directory of the records.
func (c *Cache) Dir() string { return c.dir }

// ours reports whether dir is a directory this user owns and only this
// user can write.
func ours(dir string) bool {
	fi, err := os.Lstat(dir)
	return err == nil && fi.IsDir() && fi.Mode().Perm()&0o022 == 0 && owned(fi)
}

// owned reports whether fi is this user's.
func owned(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Geteuid()
}
