package imagefs

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// wideTar is an uncompressed layer of n empty files, a thousand to a
// directory.
func wideTar(t testing.TB, n int) []byte {
	t.Helper()
	ents := make([]ent, n)
	for i := range ents {
		ents[i] = reg(fmt.Sprintf("d%04d/f%04d", i/1000, i%1000), "")
	}
	return tarOf(t, ents...)
}

// openAndWalk opens an image of one wide layer and walks all of it,
// returning how long that took.
func openAndWalk(t *testing.T, n int) time.Duration {
	t.Helper()
	img := imageOf(t, plainLayer(wideTar(t, n)))
	start := time.Now()
	fsys, err := openImage(t, img)
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files++
		}
		return err
	})
	if err != nil || files != n {
		t.Fatalf("walked %d files (%v), want %d", files, err, n)
	}
	return time.Since(start)
}

// Walking an image is linear in its entries: ten times the entries take
// about ten times as long (the flat index took a hundred times: 300k
// files were 164 s).
func TestWalkIsLinear(t *testing.T) {
	small, large := 30_000, 300_000
	if testing.Short() {
		small, large = 10_000, 100_000
	}
	// The best of up to three runs of each: a busy machine (CI, other
	// tests) adds time to single runs that has nothing to do with the
	// walk. A linear walk passes on the first; a quadratic one fails all
	// three, as it did when every run was made.
	ts, tl := time.Duration(1<<62), time.Duration(1<<62)
	for range 3 {
		ts, tl = min(ts, openAndWalk(t, small)), min(tl, openAndWalk(t, large))
		if tl <= 30*ts+time.Second {
			break
		}
	}
	t.Logf("%d entries: %v; %d entries: %v", small, ts, large, tl)
	if tl > 30*ts+time.Second {
		t.Fatalf("%d entries took %v, %d took %v: not linear", small, ts, large, tl)
	}
}

// endless is a layer whose stream never ends: a tar of ever more files.
func endless() *streamed {
	return streamLayer(func(tw *tar.Writer) error {
		body := bytes.Repeat([]byte{'x'}, 1<<16)
		for i := 0; ; i++ {
			if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("f%d", i), Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))}); err != nil {
				return err
			}
			if _, err := tw.Write(body); err != nil {
				return err
			}
		}
	})
}

// Open stops within a second of its context being cancelled, even in a
// layer that never ends.
func TestOpenCancelled(t *testing.T) {
	img := imageOf(t, endless())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Open(ctx, img, t.TempDir())
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Open still running a second after its context was cancelled")
	}
}

// The bounds on entries and on header bytes are errors that name them.
func TestBoundsNamed(t *testing.T) {
	layers, err := verified.Layers(imageOf(t, plainLayer(wideTar(t, 20))))
	if err != nil {
		t.Fatal(err)
	}
	b := newBuilder(context.Background(), io.Discard)
	b.count.MaxEntries = 10
	if _, err := b.layer(layers[0]); err == nil || !strings.Contains(err.Error(), "more than 10 entries, the bound imagefs.MaxEntries") {
		t.Errorf("entries: error %v", err)
	}
	b = newBuilder(context.Background(), io.Discard)
	b.count.MaxHeaderBytes = 100
	if _, err := b.layer(layers[0]); err == nil || !strings.Contains(err.Error(), "more than 100 bytes, the bound imagefs.MaxHeaderBytes") {
		t.Errorf("header bytes: error %v", err)
	}
	b = newBuilder(context.Background(), io.Discard)
	if _, err := b.layer(layers[0]); err != nil {
		t.Errorf("within the bounds: %v", err)
	}
}
