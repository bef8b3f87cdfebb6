package imagefs

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// paxRecord is one PAX extended header record, "LEN KEY=VALUE\n".
func paxRecord(k, v string) string {
	n := len(k) + len(v) + 3
	for {
		s := fmt.Sprintf("%d %s=%s\n", n, k, v)
		if len(s) == n {
			return s
		}
		n = len(s)
	}
}

// retype sets the type of the tar header at off in b and fixes its
// checksum: archive/tar writes neither PAX headers of GNU.sparse records
// nor old GNU sparse entries, so a test writes a plain entry and turns it
// into one.
func retype(b []byte, off int, typ byte) {
	h := b[off : off+512]
	h[156] = typ
	copy(h[148:156], "        ")
	sum := 0
	for _, c := range h {
		sum += int(c)
	}
	copy(h[148:156], fmt.Sprintf("%06o\x00 ", sum))
}

// sparseTar is a layer of /bin/hello and a sparse file named name, of
// the given GNU sparse flavour: "1.0" and "0.1" in PAX records, "old" the
// GNU type 'S'. Each says the file is a terabyte, nearly all hole.
func sparseTar(t *testing.T, flavour, name string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	write := func(h *tar.Header, body []byte) int {
		if err := tw.Flush(); err != nil {
			t.Fatal(err)
		}
		off := b.Len()
		h.Size, h.Mode = int64(len(body)), 0o644
		if h.Format == tar.FormatUnknown {
			h.Format = tar.FormatUSTAR
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
		return off
	}
	write(&tar.Header{Name: "bin/hello", Typeflag: tar.TypeReg}, []byte("hello"))
	const tib = int64(1) << 40
	pax := func(recs string) {
		off := write(&tar.Header{Name: "PaxHeaders/x", Typeflag: tar.TypeReg}, []byte(recs))
		retype(b.Bytes(), off, tar.TypeXHeader)
	}
	switch flavour {
	case "1.0": // the map is the first block of the data: no entries, all hole
		pax(paxRecord("GNU.sparse.major", "1") + paxRecord("GNU.sparse.minor", "0") +
			paxRecord("GNU.sparse.name", name) + paxRecord("GNU.sparse.realsize", fmt.Sprint(tib)))
		blk := make([]byte, 512)
		copy(blk, "0\n")
		write(&tar.Header{Name: "GNUSparseFile.0/x", Typeflag: tar.TypeReg}, blk)
	case "0.1": // one byte of data at the very end
		pax(paxRecord("GNU.sparse.size", fmt.Sprint(tib)) + paxRecord("GNU.sparse.numblocks", "1") +
			paxRecord("GNU.sparse.map", fmt.Sprintf("%d,1", tib-1)))
		write(&tar.Header{Name: name, Typeflag: tar.TypeReg}, []byte("x"))
	case "old":
		off := write(&tar.Header{Name: name, Typeflag: tar.TypeReg, Format: tar.FormatGNU}, nil)
		copy(b.Bytes()[off+483:off+495], fmt.Sprintf("%011o\x00", tib)) // realsize; no data entries
		retype(b.Bytes(), off, tar.TypeGNUSparse)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// A sparse entry refuses its layer at once, naming the entry, before
// any of its holes is written out: the flavours archive/tar expands
// (1.0, 0.1, old GNU) and one it does not.
func TestSparseRefused(t *testing.T) {
	for _, flavour := range []string{"1.0", "0.1", "old"} {
		t.Run(flavour, func(t *testing.T) {
			img := imageOf(t, plainLayer(sparseTar(t, flavour, "var/big")))
			start := time.Now()
			_, err := openImage(t, img)
			if err == nil || !strings.Contains(err.Error(), `entry "var/big" is a sparse file`) {
				t.Fatalf("error %v, want the sparse entry named", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error of more than one line: %q", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("refusing took %v", d)
			}
		})
	}
}

// zeroLayer is a layer of one regular file, big, of size bytes of zeros,
// made as it is read.
func zeroLayer(t *testing.T, size int64) verified.Layer {
	t.Helper()
	l := streamLayer(func(tw *tar.Writer) error {
		if err := tw.WriteHeader(&tar.Header{Name: "big", Typeflag: tar.TypeReg, Mode: 0o644, Size: size}); err != nil {
			return err
		}
		_, err := io.Copy(tw, io.LimitReader(zeros{}, size))
		return err
	})
	layers, err := verified.Layers(imageOf(t, l))
	if err != nil {
		t.Fatal(err)
	}
	return layers[0]
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// The bound on file contents is an error that names it and the entry
// that passed it, before anything of that entry is written; files within
// it are read.
func TestFileBytesBound(t *testing.T) {
	var w countWriter
	b := newBuilder(context.Background(), &w)
	b.maxFileBytes = 1 << 20
	_, err := b.layer(zeroLayer(t, 1<<20+1))
	if err == nil || !strings.Contains(err.Error(), `entry "big": the image's files are more than 1048576 bytes, the bound imagefs.MaxFileBytes`) {
		t.Fatalf("error %v, want the bound named", err)
	}
	if b.w.Flush(); w.n != 0 {
		t.Errorf("%d bytes written before the refusal", w.n)
	}
	// Within the bound, the file is read to its end (and the layer's
	// digests, which this one lies about, are what fails).
	b = newBuilder(context.Background(), &w)
	b.maxFileBytes = 1 << 20
	if _, err = b.layer(zeroLayer(t, 1<<20)); err == nil || strings.Contains(err.Error(), "MaxFileBytes") || b.off != 1<<20 {
		t.Fatalf("within the bound: %v after %d bytes", err, b.off)
	}
	if MaxFileBytes < 32<<30 {
		t.Errorf("MaxFileBytes is %d: large real images would not open", MaxFileBytes)
	}
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// Open stops within a second of a cancel while it copies one file of
// gigabytes.
func TestCancelDuringCopy(t *testing.T) {
	var w countWriter
	b := newBuilder(context.Background(), &w)
	ctx, cancel := context.WithCancel(context.Background())
	b.ctx = ctx
	done := make(chan error, 1)
	go func() {
		_, err := b.layer(zeroLayer(t, 32<<30))
		done <- err
	}()
	time.Sleep(300 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v, want context.Canceled", err)
		}
	case <-time.After(time.Second):
		t.Fatal("still copying a second after the cancel")
	}
}

// The copy itself checks the context in every chunk, even from a reader
// that never does (as archive/tar's expansion of a hole never reads the
// layer).
func TestCopyChecksContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var w countWriter
	b := newBuilder(ctx, &w)
	r := &cancelAfter{n: 3 * copyChunk, cancel: cancel}
	if err := b.copy(r); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if r.read > 4*copyChunk {
		t.Errorf("read %d bytes after the cancel at %d", r.read, 3*copyChunk)
	}
}

// cancelAfter reads zeros forever, cancelling after n bytes.
type cancelAfter struct {
	n, read int
	cancel  func()
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	clear(p)
	if c.read += len(p); c.read >= c.n {
		c.cancel()
	}
	return len(p), nil
}
