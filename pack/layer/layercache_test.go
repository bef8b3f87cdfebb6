package layer

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scratchpack/scratchpack/pack/blobcache"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// cacheLog collects what a layer cache says, to tell a reuse from a build.
type cacheLog struct {
	mu    sync.Mutex
	lines []string
}

func (c *cacheLog) logf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, fmt.Sprintf(format, args...))
}

// reused reports whether a layer was reused since the last call.
func (c *cacheLog) reused() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	hit := false
	for _, l := range c.lines {
		hit = hit || strings.Contains(l, "reused")
	}
	c.lines = nil
	return hit
}

// newTestCache returns a layer cache in a new directory; trustStamps
// makes every stamp old enough to trust (no racy window), so that the
// stamp, not a hash, decides.
func newTestCache(t *testing.T, trustStamps bool) (*Cache, *cacheLog, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs")
	log := &cacheLog{}
	c, err := NewCache(dir, log.logf, log.logf)
	if err != nil {
		t.Fatal(err)
	}
	if trustStamps {
		c.racyWindow = -time.Hour // a ctime up to an hour in the future still counts as old
	}
	return c, log, dir
}

// stampedPlan is a plan of one host file, stamped as planning stamps it,
// and one inline file.
func stampedPlan(t *testing.T, src string, data string) *plan.Plan {
	t.Helper()
	fi, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	p := plan.NewPlan()
	for _, e := range []plan.Entry{
		{Path: "/usr/local/bin/app", Type: plan.TypeFile, Mode: 0o755, Source: src, Stamp: plan.StampOf(fi)},
		{Path: "/etc/passwd", Type: plan.TypeFile, Mode: 0o644, Data: []byte(data)},
	} {
		if err := p.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// buildDigest builds the layer with opts and returns its digest and blob.
func buildDigest(t *testing.T, p *plan.Plan, opts Options) (string, []byte) {
	t.Helper()
	l, err := Build(context.Background(), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	d, _ := l.Digest()
	blob := readAll(t, l.Compressed)
	if sha256Hex(blob) != d.Hex {
		t.Fatalf("layer %s holds a blob whose digest is %s", d, sha256Hex(blob))
	}
	return d.String(), blob
}

// TestLayerCacheNeverStale: an unchanged input is reused, byte for byte;
// one byte changed with its mtime put back (os.Chtimes) changes the
// digest, whether the stamp decides (a file old enough to trust its
// ctime) or a hash does (a file just written); so do the compression, the
// mtime, an inline file and a mode. Each changed layer equals the one
// built without a cache.
func TestLayerCacheNeverStale(t *testing.T) {
	for _, trust := range []bool{true, false} {
		t.Run(fmt.Sprintf("stamps trusted %v", trust), func(t *testing.T) {
			c, log, _ := newTestCache(t, trust)
			src := filepath.Join(t.TempDir(), "app")
			content := bytes.Repeat([]byte("scratchpack packs programs "), 40000)
			if err := os.WriteFile(src, content, 0o755); err != nil {
				t.Fatal(err)
			}
			opts := Options{ModTime: time.Unix(1700000000, 0), Cache: c}
			first, _ := buildDigest(t, stampedPlan(t, src, "root"), opts)
			if log.reused() {
				t.Fatal("the first build reused a layer")
			}
			again, _ := buildDigest(t, stampedPlan(t, src, "root"), opts)
			if !log.reused() || again != first {
				t.Fatalf("an unchanged input was not reused (%s, first %s)", again, first)
			}

			// One byte, same size, the mtime put back, a tick of the
			// clock after the stamp (within one, only the racy window
			// tells them apart, which trusted stamps turn off).
			time.Sleep(20 * time.Millisecond)
			fi, _ := os.Stat(src)
			content[len(content)/2] ^= 1
			if err := os.WriteFile(src, content, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(src, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			if now, _ := os.Stat(src); !now.ModTime().Equal(fi.ModTime()) || now.Size() != fi.Size() {
				t.Fatal("the mtime or size was not put back")
			}
			changed, _ := buildDigest(t, stampedPlan(t, src, "root"), opts)
			if log.reused() || changed == first {
				t.Fatalf("one byte changed with its mtime put back: the layer was reused (%s)", changed)
			}
			uncached, _ := buildDigest(t, stampedPlan(t, src, "root"), Options{ModTime: opts.ModTime})
			if changed != uncached {
				t.Errorf("the rebuilt layer %s is not the one built without a cache, %s", changed, uncached)
			}
			if d, _ := buildDigest(t, stampedPlan(t, src, "root"), opts); !log.reused() || d != changed {
				t.Errorf("the rebuilt layer was not kept: %s", d)
			}

			for name, o := range map[string]Options{
				"zstd":              {ModTime: opts.ModTime, Compression: Zstd, Cache: c},
				"none":              {ModTime: opts.ModTime, Compression: None, Cache: c},
				"SOURCE_DATE_EPOCH": {ModTime: time.Unix(1700000001, 0), Cache: c},
			} {
				d, _ := buildDigest(t, stampedPlan(t, src, "root"), o)
				want, _ := buildDigest(t, stampedPlan(t, src, "root"), Options{ModTime: o.ModTime, Compression: o.Compression})
				if log.reused() || d == changed || d != want {
					t.Errorf("%s: digest %s (gzip's %s, uncached %s)", name, d, changed, want)
				}
			}
			if d, _ := buildDigest(t, stampedPlan(t, src, "nobody"), opts); log.reused() || d == changed {
				t.Errorf("other inline data: the layer was reused (%s)", d)
			}
			p := stampedPlan(t, src, "root")
			p = withMode(t, p, "/usr/local/bin/app", 0o700)
			if d, _ := buildDigest(t, p, opts); log.reused() || d == changed {
				t.Errorf("another mode: the layer was reused (%s)", d)
			}
			p = stampedPlan(t, src, "root")
			if err := p.SetXattrs("/usr/local/bin/app", map[string]string{"security.capability": "\x01\x00\x00\x02"}); err != nil {
				t.Fatal(err)
			}
			if d, _ := buildDigest(t, p, opts); log.reused() || d == changed {
				t.Errorf("a capability (linux_capabilities): the layer was reused (%s)", d)
			}
		})
	}
}

// TestLayerCacheReplacedFile: a file renamed over the input, with the
// same size, contents but one byte, and mtime, is another inode: it is
// read again.
func TestLayerCacheReplacedFile(t *testing.T) {
	c, log, _ := newTestCache(t, true)
	dir := t.TempDir()
	src := filepath.Join(dir, "app")
	content := bytes.Repeat([]byte("x"), 100000)
	if err := os.WriteFile(src, content, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := Options{Cache: c}
	first, _ := buildDigest(t, stampedPlan(t, src, ""), opts)
	fi, _ := os.Stat(src)
	content[0] = 'y'
	tmp := filepath.Join(dir, "app.new")
	if err := os.WriteFile(tmp, content, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(tmp, fi.ModTime(), fi.ModTime())
	if err := os.Rename(tmp, src); err != nil {
		t.Fatal(err)
	}
	log.reused()
	if d, _ := buildDigest(t, stampedPlan(t, src, ""), opts); log.reused() || d == first {
		t.Errorf("a file renamed over the input was not read again (%s)", d)
	}
}

// TestLayerCacheVerifiesBlob: a kept blob that no longer matches its
// digest (same size, other bytes) is never served: when the layer is
// read, it is built again, right, and the entry replaced; a blob gone is
// a miss.
func TestLayerCacheVerifiesBlob(t *testing.T) {
	c, log, dir := newTestCache(t, true)
	src := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(src, bytes.Repeat([]byte("y"), 200000), 0o755); err != nil {
		t.Fatal(err)
	}
	opts := Options{Cache: c}
	first, blob := buildDigest(t, stampedPlan(t, src, ""), opts)
	path := filepath.Join(dir, "sha256", strings.TrimPrefix(first, "sha256:"))
	bad := bytes.Clone(blob)
	bad[len(bad)/2] ^= 0xff
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	d, got := buildDigest(t, stampedPlan(t, src, ""), opts)
	if d != first || !bytes.Equal(got, blob) {
		t.Fatalf("a corrupt blob was served: the layer %s differs", d)
	}
	if kept, err := os.ReadFile(path); err != nil || !bytes.Equal(kept, blob) {
		t.Errorf("the corrupt entry was not replaced (%v)", err)
	}
	log.reused()
	if _, got := buildDigest(t, stampedPlan(t, src, ""), opts); !log.reused() || !bytes.Equal(got, blob) {
		t.Error("the replaced entry is not reused")
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if d, got := buildDigest(t, stampedPlan(t, src, ""), opts); log.reused() || d != first || !bytes.Equal(got, blob) {
		t.Errorf("a blob gone: reused %v, layer %s", log.reused(), d)
	}
}

// TestLayerCacheTrustsOnlyOwnDir: records in a directory others can
// write are never read.
func TestLayerCacheTrustsOnlyOwnDir(t *testing.T) {
	c, log, dir := newTestCache(t, true)
	src := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(src, []byte("z"), 0o755); err != nil {
		t.Fatal(err)
	}
	opts := Options{Cache: c}
	buildDigest(t, stampedPlan(t, src, ""), opts)
	if err := os.Chmod(filepath.Join(dir, recordDir), 0o777); err != nil {
		t.Fatal(err)
	}
	log.reused()
	if buildDigest(t, stampedPlan(t, src, ""), opts); log.reused() {
		t.Error("a record in a directory anyone can write was trusted")
	}
	if err := os.Chmod(filepath.Join(dir, recordDir), 0o700); err != nil {
		t.Fatal(err)
	}
	if buildDigest(t, stampedPlan(t, src, ""), opts); !log.reused() {
		t.Error("the cache's own directory was not trusted")
	}
}

// TestLayerCacheFileSums: a layer kept without the files' checksums is
// built again when an SBOM needs them; one kept with them gives them
// back.
func TestLayerCacheFileSums(t *testing.T) {
	c, log, _ := newTestCache(t, true)
	src := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(src, []byte("hello"), 0o755); err != nil {
		t.Fatal(err)
	}
	buildDigest(t, stampedPlan(t, src, ""), Options{Cache: c})
	log.reused()
	l, err := Build(context.Background(), stampedPlan(t, src, ""), Options{Cache: c, HashFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
	if log.reused() {
		t.Fatal("a layer without checksums was reused for an SBOM")
	}
	l, err = Build(context.Background(), stampedPlan(t, src, ""), Options{Cache: c, HashFiles: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	want := "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" // sha256("hello")
	if !log.reused() || l.Files["/usr/local/bin/app"].SHA256 != want || l.Files["/usr/local/bin/app"].SHA1 == "" {
		t.Errorf("reused %v, sums %+v", log.reused(), l.Files)
	}
}

// TestLayerCachePrune: records whose blobs are gone are removed by
// Prune and listed no more.
func TestLayerCachePrune(t *testing.T) {
	c, _, _ := newTestCache(t, true)
	src := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(src, []byte("prune me"), 0o755); err != nil {
		t.Fatal(err)
	}
	d, _ := buildDigest(t, stampedPlan(t, src, ""), Options{Cache: c})
	ents, err := c.Entries()
	if err != nil || len(ents) != 1 || ents[0].Digest.String() != d || ents[0].Inputs != 1 {
		t.Fatalf("entries %+v, %v; want one, of %s", ents, err, d)
	}
	if n, err := c.Prune(); n != 0 || err != nil {
		t.Errorf("pruned %d records (%v) whose blob is kept", n, err)
	}
	if _, err := c.blobs.Prune(0); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Prune(); n != 1 || err != nil {
		t.Errorf("pruned %d records (%v); want the one whose blob is gone", n, err)
	}
	if ents, _ := c.Entries(); len(ents) != 0 {
		t.Errorf("entries after prune: %+v", ents)
	}
}

// TestLayerCacheHashesRecentFiles: a file whose ctime is within the racy
// window of the build could still be written within the same tick of the
// clock without its stamp changing, so the record keeps its contents'
// sha256, which the next lookup hashes again; once the file is old
// enough, a lookup that hashed it trusts its stamp from then on.
func TestLayerCacheHashesRecentFiles(t *testing.T) {
	c, log, _ := newTestCache(t, false)
	src := filepath.Join(t.TempDir(), "app")
	content := []byte("just built")
	if err := os.WriteFile(src, content, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := Options{Cache: c, Compression: Gzip, ModTime: time.Unix(0, 0)}
	buildDigest(t, stampedPlan(t, src, ""), opts)
	key := c.key(stampedPlan(t, src, ""), opts)
	rec := c.read(key)
	if rec == nil || len(rec.Inputs) != 1 {
		t.Fatalf("record %+v", rec)
	}
	if in := rec.Inputs[0]; in.Stamp != nil || in.SHA256 != sha256Hex(content) {
		t.Fatalf("a file written just now is kept by %+v, not by its sha256", in)
	}
	c.racyWindow = -time.Hour // as if the file were old now
	log.reused()
	if buildDigest(t, stampedPlan(t, src, ""), opts); !log.reused() {
		t.Fatal("an unchanged, hashed input was not reused")
	}
	if in := c.read(key).Inputs[0]; in.Stamp == nil || in.SHA256 != "" {
		t.Errorf("an input old enough now is still kept by %+v", in)
	}
}

// TestLayerCacheReadsBlobOnlyWhenNeeded: a reused layer knows its digests
// without its bytes (a push the registry already holds never reads it);
// its temporary file is made when the blob is first read, and removed by
// Close, as a built layer's is.
func TestLayerCacheReadsBlobOnlyWhenNeeded(t *testing.T) {
	c, log, _ := newTestCache(t, true)
	src := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(src, []byte("lazy"), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	opts := Options{Cache: c, TempDir: tmp}
	first, blob := buildDigest(t, stampedPlan(t, src, ""), opts)
	log.reused()
	count := func() int { ents, _ := os.ReadDir(tmp); return len(ents) }
	for _, read := range []bool{false, true} {
		l, err := Build(context.Background(), stampedPlan(t, src, ""), opts)
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := l.Digest(); !log.reused() || d.String() != first || count() != 0 {
			t.Fatalf("reused layer %s: %d temporary files before a read", d, count())
		}
		if read {
			if got := readAll(t, l.Compressed); !bytes.Equal(got, blob) || count() != 1 {
				t.Errorf("read %d bytes, %d temporary files", len(got), count())
			}
		}
		if err := l.Close(); err != nil || count() != 0 {
			t.Errorf("close: %v, %d temporary files left", err, count())
		}
		if _, err := l.Compressed(); err == nil && !read {
			t.Error("a layer closed before it was read was read after")
		}
	}
}

// TestLayerCacheBoundsRecords: beyond maxRecords, storing a layer removes
// the oldest records, and says so.
func TestLayerCacheBoundsRecords(t *testing.T) {
	c, log, dir := newTestCache(t, true)
	records := filepath.Join(dir, recordDir)
	if err := os.MkdirAll(records, 0o700); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	for i := range maxRecords + 5 {
		p := filepath.Join(records, fmt.Sprintf("%064x", i))
		if err := os.WriteFile(p, []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, old, old)
	}
	src := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(src, []byte("bounded"), 0o755); err != nil {
		t.Fatal(err)
	}
	opts := Options{Cache: c, Compression: Gzip, ModTime: time.Unix(0, 0)}
	buildDigest(t, stampedPlan(t, src, ""), opts)
	ents, _ := os.ReadDir(records)
	said := strings.Contains(strings.Join(log.lines, "\n"), "removed the 6 oldest records")
	if len(ents) != maxRecords || !said {
		t.Errorf("%d records left (want %d), said %v", len(ents), maxRecords, said)
	}
	if c.read(c.key(stampedPlan(t, src, ""), opts)) == nil {
		t.Error("the newest record was removed")
	}
}

// TestLayerCacheSameBytesElsewhere: a program written afresh to another
// place (as build does, into a new temporary directory) is reused when
// its bytes are the same, and not when one differs.
func TestLayerCacheSameBytesElsewhere(t *testing.T) {
	c, log, _ := newTestCache(t, false)
	content := bytes.Repeat([]byte("built again "), 10000)
	put := func() string {
		src := filepath.Join(t.TempDir(), "app")
		if err := os.WriteFile(src, content, 0o755); err != nil {
			t.Fatal(err)
		}
		return src
	}
	opts := Options{Cache: c}
	first, _ := buildDigest(t, stampedPlan(t, put(), ""), opts)
	log.reused()
	if d, _ := buildDigest(t, stampedPlan(t, put(), ""), opts); !log.reused() || d != first {
		t.Errorf("the same bytes elsewhere: reused %v, %s (first %s)", log.reused(), d, first)
	}
	content[100] ^= 1
	if d, _ := buildDigest(t, stampedPlan(t, put(), ""), opts); log.reused() || d == first {
		t.Errorf("a byte changed elsewhere: the layer was reused (%s)", d)
	}
}

// TestLayerCacheWarnsOverBound: a layer larger than the blob cache's
// bound is built every time, with a warning that says so.
func TestLayerCacheWarnsOverBound(t *testing.T) {
	c, log, dir := newTestCache(t, true)
	var warned []string
	blobs, err := blobcache.Open(dir, blobcache.Options{Max: 100, Warnf: func(f string, a ...any) { warned = append(warned, fmt.Sprintf(f, a...)) }})
	if err != nil {
		t.Fatal(err)
	}
	c.blobs = blobs
	src := filepath.Join(t.TempDir(), "app")
	if err := os.WriteFile(src, bytes.Repeat([]byte("big"), 1000), 0o755); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		buildDigest(t, stampedPlan(t, src, ""), Options{Cache: c})
	}
	if log.reused() || len(warned) != 2 || !strings.Contains(warned[0], "more than the cache's bound of 100") {
		t.Errorf("reused %v, warnings %q", log.reused(), warned)
	}
}

// withMode is p with the entry at path given mode.
func withMode(t *testing.T, p *plan.Plan, path string, mode fs.FileMode) *plan.Plan {
	t.Helper()
	q := plan.NewPlan()
	for _, e := range p.Entries() {
		if e.Path == path {
			e.Mode = mode
		}
		if err := q.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	return q
}
