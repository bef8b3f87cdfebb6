package blobcache

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"golang.org/x/sys/unix"

	"github.com/scratchpack/scratchpack/internal/stale"
)

// layerBytes returns a gzipped tar holding one file, name, with content.
func layerBytes(t *testing.T, name, content string) []byte {
	t.Helper()
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(tw, content); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return gz.Bytes()
}

// gzLayer is a layer of the gzipped tar b.
func gzLayer(t *testing.T, b []byte) v1.Layer {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// recorder collects what a cache logs.
type recorder struct {
	mu    sync.Mutex
	lines []string
}

func (r *recorder) logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines = append(r.lines, fmt.Sprintf(format, args...))
}

func (r *recorder) has(sub string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, l := range r.lines {
		if strings.Contains(l, sub) {
			return true
		}
	}
	return false
}

func openCache(t *testing.T, dir string, max int64) (*Cache, *recorder) {
	t.Helper()
	var r recorder
	c, err := Open(dir, Options{Max: max, Logf: r.logf, Warnf: func(f string, a ...any) { r.logf("warning: "+f, a...) }})
	if err != nil {
		t.Fatal(err)
	}
	return c, &r
}

// serve starts a registry in-process, behind wrap when it is set, and
// pushes an image of one layer of blob to it; it returns the image's
// reference.
func serve(t *testing.T, blob []byte, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ref := strings.TrimPrefix(srv.URL, "http://") + "/test/img:1"
	img, err := mutate.AppendLayers(empty.Image, gzLayer(t, blob))
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	return ref
}

func pull(t *testing.T, ctx context.Context, ref string) v1.Image {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(tag, remote.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func firstLayer(t *testing.T, img v1.Image) v1.Layer {
	t.Helper()
	ls, err := img.Layers()
	if err != nil || len(ls) != 1 {
		t.Fatalf("layers: %v, %d", err, len(ls))
	}
	return ls[0]
}

func readAll(open func() (io.ReadCloser, error)) ([]byte, error) {
	rc, err := open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// entries lists what is in the cache's directory, temporary files
// included.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(filepath.Join(dir, "sha256"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func digestOf(t *testing.T, b []byte) v1.Hash {
	t.Helper()
	h, _, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// A blob from a registry is stored under its digest and served from the
// cache when the registry is gone; its Uncompressed is the layer's tar.
func TestStoresAndServes(t *testing.T) {
	blob := layerBytes(t, "etc/a", "from A")
	var down atomic.Bool
	ref := serve(t, blob, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if down.Load() && strings.HasSuffix(r.URL.Path, "/blobs/"+digestOf(t, blob).String()) {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	dir := t.TempDir()
	ctx := context.Background()
	c, _ := openCache(t, dir, 0)
	got, err := readAll(firstLayer(t, c.Image(ctx, pull(t, ctx, ref))).Compressed)
	if err != nil || !bytes.Equal(got, blob) {
		t.Fatalf("first read: %v, %d bytes, want %d", err, len(got), len(blob))
	}
	d := digestOf(t, blob)
	if on, err := os.ReadFile(filepath.Join(dir, "sha256", d.Hex)); err != nil || !bytes.Equal(on, blob) {
		t.Fatalf("the entry for %s: %v, %d bytes", d, err, len(on))
	}

	// The registry serves the layer no more: it comes from the cache.
	img := pull(t, ctx, ref)
	down.Store(true)
	c2, log := openCache(t, dir, 0)
	l := firstLayer(t, c2.Image(ctx, img))
	got, err = readAll(l.Compressed)
	if err != nil || !bytes.Equal(got, blob) || !log.has("served from") {
		t.Fatalf("second read: %v, %d bytes; log %q", err, len(got), log.lines)
	}
	raw, err := readAll(l.Uncompressed)
	if err != nil || !bytes.Contains(raw, []byte("from A")) {
		t.Fatalf("uncompressed: %v, %q", err, raw)
	}
}

// An entry that is not the blob it is named for (truncated, garbled,
// another blob, empty, a symlink, a directory) is removed, the blob
// downloaded again and stored, and the right bytes served; the run does
// not fail, and -v says so.
func TestReplacesBadEntry(t *testing.T) {
	blob := layerBytes(t, "etc/a", "from A")
	other := layerBytes(t, "etc/a", "from B, the attacker")
	d := digestOf(t, blob)
	for _, tc := range []struct {
		name  string
		plant func(path string) error
	}{
		{"truncated", func(p string) error { return os.WriteFile(p, blob[:len(blob)/2], 0o600) }},
		{"garbled", func(p string) error {
			b := bytes.Clone(blob)
			b[len(b)/2] ^= 0xff
			return os.WriteFile(p, b, 0o600)
		}},
		{"foreign", func(p string) error { return os.WriteFile(p, other, 0o600) }},
		{"longer", func(p string) error { return os.WriteFile(p, append(bytes.Clone(blob), 0), 0o600) }},
		{"empty", func(p string) error { return os.WriteFile(p, nil, 0o600) }},
		{"symlink", func(p string) error {
			q := filepath.Join(filepath.Dir(filepath.Dir(p)), "elsewhere")
			if err := os.WriteFile(q, blob, 0o600); err != nil {
				return err
			}
			return os.Symlink(q, p)
		}},
		{"directory", func(p string) error { return os.MkdirAll(filepath.Join(p, "sub"), 0o700) }},
		{"fifo", func(p string) error { return unix.Mkfifo(p, 0o600) }},
		{"unreadable", func(p string) error {
			if os.Geteuid() == 0 {
				return os.WriteFile(p, nil, 0o600) // root reads anything: as empty
			}
			return os.WriteFile(p, blob, 0o000)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := serve(t, blob, nil)
			dir := t.TempDir()
			path := filepath.Join(dir, "sha256", d.Hex)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := tc.plant(path); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			c, log := openCache(t, dir, 0)
			got, err := readAll(firstLayer(t, c.Image(ctx, pull(t, ctx, ref))).Compressed)
			if err != nil || !bytes.Equal(got, blob) {
				t.Fatalf("served %d bytes, %v; want the blob's %d", len(got), err, len(blob))
			}
			if !log.has("downloading it again") {
				t.Errorf("-v did not say the entry was replaced: %q", log.lines)
			}
			fi, err := os.Lstat(path)
			if err != nil || !fi.Mode().IsRegular() {
				t.Fatalf("the entry is not a file now: %v %v", fi, err)
			}
			if on, _ := os.ReadFile(path); !bytes.Equal(on, blob) {
				t.Errorf("the entry holds %d other bytes", len(on))
			}
		})
	}
}

// fakeLayer claims digest and size but sends body.
type fakeLayer struct {
	v1.Layer
	digest v1.Hash
	size   int64
	body   func() io.Reader
}

func (f fakeLayer) Digest() (v1.Hash, error) { return f.digest, nil }
func (f fakeLayer) Size() (int64, error)     { return f.size, nil }
func (f fakeLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(f.body()), nil
}

type oneLayer struct {
	v1.Image
	l v1.Layer
}

func (o oneLayer) Layers() ([]v1.Layer, error) { return []v1.Layer{o.l}, nil }

// A download whose bytes are not the blob (fewer, more, other bytes of the
// right length, endless) is an error and leaves nothing in the cache, with
// O_TMPFILE and with named temporary files.
func TestWrongDownloadIsNotStored(t *testing.T) {
	blob := layerBytes(t, "etc/a", "from A")
	d := digestOf(t, blob)
	garbled := bytes.Clone(blob)
	garbled[10] ^= 1
	for _, tc := range []struct {
		name string
		body func() io.Reader
	}{
		{"short", func() io.Reader { return bytes.NewReader(blob[:len(blob)-1]) }},
		{"long", func() io.Reader { return bytes.NewReader(append(bytes.Clone(blob), 'x')) }},
		{"garbled", func() io.Reader { return bytes.NewReader(garbled) }},
		{"endless", func() io.Reader { return zeros{} }},
	} {
		for _, named := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/named=%v", tc.name, named), func(t *testing.T) {
				dir := t.TempDir()
				c, _ := openCache(t, dir, 0)
				c.noTmpfile = named
				l := fakeLayer{Layer: gzLayer(t, blob), digest: d, size: int64(len(blob)), body: tc.body}
				_, err := readAll(firstLayer(t, c.Image(context.Background(), oneLayer{empty.Image, l})).Compressed)
				if err == nil || !strings.Contains(err.Error(), d.String()) {
					t.Errorf("want an error naming %s, got %v", d, err)
				}
				if e := entries(t, dir); len(e) != 0 {
					t.Errorf("the cache holds %v", e)
				}
			})
		}
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// A download cancelled in the middle of the blob's body stops within a
// second and leaves no file, named or not.
func TestInterruptedDownloadLeavesNothing(t *testing.T) {
	blob := layerBytes(t, "etc/a", strings.Repeat("from A ", 1000))
	d := digestOf(t, blob)
	for _, named := range []bool{false, true} {
		t.Run(fmt.Sprintf("named=%v", named), func(t *testing.T) {
			half := make(chan struct{}, 1)
			ref := serve(t, blob, func(next http.Handler) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/blobs/"+d.String()) {
						next.ServeHTTP(w, r)
						return
					}
					w.Header().Set("Content-Length", fmt.Sprint(len(blob)))
					w.WriteHeader(http.StatusOK)
					w.Write(blob[:len(blob)/2])
					w.(http.Flusher).Flush()
					half <- struct{}{}
					<-r.Context().Done()
				})
			})
			dir := t.TempDir()
			c, _ := openCache(t, dir, 0)
			c.noTmpfile = named
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			l := firstLayer(t, c.Image(ctx, pull(t, ctx, ref)))
			var cancelled time.Time
			var during []string
			done := make(chan struct{})
			go func() {
				defer close(done)
				<-half
				during = entries(t, dir)
				cancelled = time.Now()
				cancel()
			}()
			_, err := readAll(l.Compressed)
			<-done
			if !errors.Is(err, context.Canceled) {
				t.Errorf("want context.Canceled, got %v", err)
			}
			if took := time.Since(cancelled); took > time.Second {
				t.Errorf("stopped %v after the cancel", took)
			}
			if e := entries(t, dir); len(e) != 0 {
				t.Errorf("the cache holds %v", e)
			}
			// Mid-download, the file had a name only without O_TMPFILE.
			want := 0
			if named || !tmpfileWorks(filepath.Join(dir, "sha256")) {
				want = 1
			}
			if len(during) != want || want == 1 && !strings.HasPrefix(during[0], ".tmp-") {
				t.Errorf("during the download the cache held %v, want %d temporary file", during, want)
			}
		})
	}
}

func tmpfileWorks(dir string) bool {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR, 0o600)
	if err == nil {
		unix.Close(fd)
	}
	return err == nil
}

// The bound evicts the least recently used entries (a hit counts as a
// use), never the one just stored; a blob larger than the bound is served
// and not kept, with a warning.
func TestBoundEvicts(t *testing.T) {
	var blobs [][]byte
	for i := range 3 {
		blobs = append(blobs, layerBytes(t, "etc/a", strings.Repeat(fmt.Sprint(i), 100)))
	}
	size := int64(len(blobs[0]))
	for _, b := range blobs {
		if int64(len(b)) != size {
			t.Fatal("the test's blobs differ in size")
		}
	}
	dir := t.TempDir()
	c, log := openCache(t, dir, 2*size+size/2) // room for two
	ctx := context.Background()
	read := func(b []byte) {
		t.Helper()
		got, err := readAll(firstLayer(t, c.Image(ctx, oneLayer{empty.Image, gzLayer(t, b)})).Compressed)
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("read: %v", err)
		}
	}
	age := func(b []byte, ago time.Duration) {
		t.Helper()
		when := time.Now().Add(-ago)
		if err := os.Chtimes(filepath.Join(dir, "sha256", digestOf(t, b).Hex), when, when); err != nil {
			t.Fatal(err)
		}
	}
	has := func(b []byte) bool {
		_, err := os.Stat(filepath.Join(dir, "sha256", digestOf(t, b).Hex))
		return err == nil
	}
	read(blobs[0])
	age(blobs[0], 2*time.Hour)
	read(blobs[1])
	age(blobs[1], time.Hour)
	read(blobs[0]) // a hit: now the most recently used
	read(blobs[2]) // over the bound: blobs[1] goes
	if !has(blobs[0]) || has(blobs[1]) || !has(blobs[2]) {
		t.Errorf("after the third blob: kept %v %v %v, want true false true", has(blobs[0]), has(blobs[1]), has(blobs[2]))
	}
	if !log.has("evicted " + digestOf(t, blobs[1]).String()) {
		t.Errorf("-v did not name the evicted blob: %q", log.lines)
	}

	big := blobs[0]
	small, slog := openCache(t, t.TempDir(), int64(len(big))-1)
	got, err := readAll(firstLayer(t, small.Image(ctx, oneLayer{empty.Image, gzLayer(t, big)})).Compressed)
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("a blob larger than the bound: %v", err)
	}
	if e := entries(t, small.dir[:len(small.dir)-len("/sha256")]); len(e) != 0 || !slog.has("warning: ") || !slog.has("bound") {
		t.Errorf("a blob larger than the bound: cache holds %v, log %q", e, slog.lines)
	}
}

// Open removes the entries of go-containerregistry's filesystem cache,
// which are never served, and the named temporary files of killed runs,
// but not those of a live run, nor other files.
func TestOpenRemovesOldFormatAndLeftovers(t *testing.T) {
	dir := t.TempDir()
	old := []string{
		"sha256:" + strings.Repeat("ab", 32),
		"sha256:" + strings.Repeat("01", 32),
		"sha512:" + strings.Repeat("cd", 64),
	}
	for _, n := range old {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("unverified"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	keep := filepath.Join(dir, "README")
	os.WriteFile(keep, []byte("mine"), 0o600)
	os.MkdirAll(filepath.Join(dir, "sha256"), 0o700)
	dead := filepath.Join(dir, "sha256", ".tmp-111")
	live := filepath.Join(dir, "sha256", ".tmp-222")
	long := time.Now().Add(-time.Hour)
	for _, p := range []string{dead, live} {
		os.WriteFile(p, []byte("partial"), 0o600)
		os.Chtimes(p, long, long)
	}
	held, err := os.Open(live)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if err := stale.Hold(held); err != nil {
		t.Fatal(err)
	}

	_, log := openCache(t, dir, 0)
	for _, n := range old {
		if _, err := os.Lstat(filepath.Join(dir, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s is still there: %v", n, err)
		}
	}
	if _, err := os.Stat(dead); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a killed run's temporary file is still there: %v", err)
	}
	for _, p := range []string{keep, live} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
	if !log.has("removed 3 unverified entries of the old format") {
		t.Errorf("-v did not say: %q", log.lines)
	}
}

// Uncompressed serves the decompressed blob, and fails at its end when
// that is not what the diff_id names.
func TestUncompressedChecksDiffID(t *testing.T) {
	blob := layerBytes(t, "etc/a", "from A")
	c, _ := openCache(t, t.TempDir(), 0)
	ctx := context.Background()
	l := gzLayer(t, blob)
	if _, err := readAll(firstLayer(t, c.Image(ctx, oneLayer{empty.Image, l})).Uncompressed); err != nil {
		t.Fatalf("the honest layer: %v", err)
	}
	lie := digestOf(t, []byte("another layer's tar"))
	_, err := readAll(firstLayer(t, c.Image(ctx, oneLayer{empty.Image, diffIDLayer{l, lie}})).Uncompressed)
	if err == nil || !strings.Contains(err.Error(), "not the diff_id "+lie.String()) {
		t.Errorf("a layer whose diff_id is another's: %v", err)
	}
}

type diffIDLayer struct {
	v1.Layer
	diffID v1.Hash
}

func (d diffIDLayer) DiffID() (v1.Hash, error) { return d.diffID, nil }

// Two runs that miss the same blob at once both serve it; one entry is
// stored, whole; with named temporary files too.
func TestConcurrentDownloads(t *testing.T) {
	blob := layerBytes(t, "etc/a", "from A")
	d := digestOf(t, blob)
	for _, named := range []bool{false, true} {
		t.Run(fmt.Sprintf("named=%v", named), func(t *testing.T) {
			dir := t.TempDir()
			var started sync.WaitGroup
			started.Add(2)
			body := func() io.Reader {
				started.Done()
				started.Wait() // both are downloading before either finishes
				return bytes.NewReader(blob)
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for i := range 2 {
				c, _ := openCache(t, dir, 0)
				c.noTmpfile = named
				l := fakeLayer{Layer: gzLayer(t, blob), digest: d, size: int64(len(blob)), body: body}
				wg.Go(func() {
					got, err := readAll(firstLayer(t, c.Image(context.Background(), oneLayer{empty.Image, l})).Compressed)
					if err == nil && !bytes.Equal(got, blob) {
						err = fmt.Errorf("served %d other bytes", len(got))
					}
					errs[i] = err
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if e := entries(t, dir); len(e) != 1 || e[0] != d.Hex {
				t.Errorf("the cache holds %v, want %s", e, d.Hex)
			}
		})
	}
}

// A read of a cached blob stops when its context is done, and the entry,
// which is intact, stays.
func TestCancelledHitKeepsEntry(t *testing.T) {
	blob := layerBytes(t, "etc/a", "from A")
	dir := t.TempDir()
	c, _ := openCache(t, dir, 0)
	img := oneLayer{empty.Image, gzLayer(t, blob)}
	if _, err := readAll(firstLayer(t, c.Image(context.Background(), img)).Compressed); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := readAll(firstLayer(t, c.Image(ctx, img)).Compressed); !errors.Is(err, context.Canceled) {
		t.Errorf("want context.Canceled, got %v", err)
	}
	if e := entries(t, dir); len(e) != 1 {
		t.Errorf("the cache holds %v", e)
	}
}

// A cache that cannot store (its directory is a file here; a full disk
// is the same) does not fail the read: the blob is served from its
// source, still checked against its digest, with a warning.
func TestUnwritableCacheIsNotFatal(t *testing.T) {
	blob := layerBytes(t, "etc/a", "from A")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "sha256"), []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, log := openCache(t, dir, 0)
	ctx := context.Background()
	got, err := readAll(firstLayer(t, c.Image(ctx, oneLayer{empty.Image, gzLayer(t, blob)})).Compressed)
	if err != nil || !bytes.Equal(got, blob) {
		t.Fatalf("served %d bytes, %v", len(got), err)
	}
	if !log.has("warning: blob cache") || !log.has("without the cache") {
		t.Errorf("no warning: %q", log.lines)
	}
	d := digestOf(t, blob)
	garbled := bytes.Clone(blob)
	garbled[10] ^= 1
	l := fakeLayer{Layer: gzLayer(t, blob), digest: d, size: int64(len(blob)), body: func() io.Reader { return bytes.NewReader(garbled) }}
	if _, err := readAll(firstLayer(t, c.Image(ctx, oneLayer{empty.Image, l})).Compressed); err == nil || !strings.Contains(err.Error(), d.String()) {
		t.Errorf("other bytes from the source, without the cache: %v", err)
	}
}
