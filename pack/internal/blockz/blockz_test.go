package blockz

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"
)

// input is n bytes that compress in places and not in others.
func input(n int) []byte {
	r := rand.New(rand.NewPCG(1, uint64(n)))
	p := make([]byte, n)
	for i := 0; i < n; i += 4096 {
		chunk := p[i:min(i+4096, n)]
		if (i/4096)%3 == 0 {
			for j := range chunk {
				chunk[j] = byte(r.Uint32())
			}
		} else {
			copy(chunk, bytes.Repeat([]byte("scratchpack packs programs "), 200))
		}
	}
	return p
}

// sizes are around the edges of blocks and dictionaries. Under -short
// (make unit, with the race detector) the inputs of several blocks are
// fewer, and a case of every shape stays: empty, within a block, at and
// across a block's end and a dictionary's, several whole blocks, several
// with an odd tail, and past inlineMax (a size hint that still means
// goroutines); make oracle runs them all.
func sizes() []int {
	if testing.Short() {
		return []int{0, 1, 100, tailSize, tailSize + 1, BlockSize - 1, BlockSize, BlockSize + 1, 2 * BlockSize, inlineMax + 12345}
	}
	return []int{0, 1, 100, tailSize, tailSize + 1, BlockSize - 1, BlockSize, BlockSize + 1, 2 * BlockSize, 3*BlockSize + BlockSize/2, 5*BlockSize + 12345}
}

// TestGzipIsPgzip checks that the output is pgzip's, byte for byte, for
// any number of workers and however the input is written.
func TestGzipIsPgzip(t *testing.T) {
	t.Parallel()
	for _, n := range sizes() {
		in := input(n)
		var want bytes.Buffer
		pz, _ := pgzip.NewWriterLevel(&want, pgzip.BestSpeed)
		if err := pz.SetConcurrency(BlockSize, 4); err != nil {
			t.Fatal(err)
		}
		pz.Write(in)
		if err := pz.Close(); err != nil {
			t.Fatal(err)
		}
		// the size hint: unknown (goroutines), too small (blocks grow),
		// exact; up to 4 MiB, a hint means compressing on the caller's
		// goroutine
		hints := map[int]int64{1: 0, 2: int64(n / 3), 8: int64(n)}
		for _, workers := range []int{1, 2, 8} {
			for _, how := range []string{"Write", "ReadFrom"} {
				var got bytes.Buffer
				z := New(&got, Gzip, workers, hints[workers])
				var err error
				if how == "Write" {
					// in pieces that straddle block ends
					for p := in; len(p) > 0 && err == nil; p = p[min(len(p), 300007):] {
						_, err = z.Write(p[:min(len(p), 300007)])
					}
				} else {
					_, err = z.ReadFrom(iotest.HalfReader(bytes.NewReader(in)))
				}
				if err != nil {
					t.Fatal(err)
				}
				if err := z.Close(); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Fatalf("%d bytes, %d workers, %s: output differs from pgzip's (%d bytes, want %d)", n, workers, how, got.Len(), want.Len())
				}
				checkSums(t, z, in, got.Bytes())
			}
		}
		r, err := gzip.NewReader(bytes.NewReader(want.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if out, err := io.ReadAll(r); err != nil || !bytes.Equal(out, in) {
			t.Fatalf("%d bytes: does not decompress to the input: %v", n, err)
		}
	}
}

// TestZstdAndNone checks that zstd output is a frame for each block
// (one empty frame for an empty input) whatever the number of workers and
// however the input is written, and that it decodes to the input; and
// that None's output is its input.
func TestZstdAndNone(t *testing.T) {
	t.Parallel()
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	dec, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range sizes() {
		in := input(n)
		frames := enc.EncodeAll(in[:min(n, BlockSize)], nil)
		for p := in[min(n, BlockSize):]; len(p) > 0; p = p[min(len(p), BlockSize):] {
			frames = enc.EncodeAll(p[:min(len(p), BlockSize)], frames)
		}
		if got, err := dec.DecodeAll(frames, nil); err != nil || !bytes.Equal(got, in) {
			t.Fatalf("%d bytes: the frames do not decode to the input: %v", n, err)
		}
		for _, f := range []Format{Zstd, None} {
			want := in
			if f == Zstd {
				want = frames
			}
			hints := map[int]int64{1: 0, 2: int64(n / 3), 8: int64(n)}
			for _, workers := range []int{1, 2, 8} {
				var got bytes.Buffer
				z := New(&got, f, workers, hints[workers])
				if _, err := z.ReadFrom(iotest.HalfReader(bytes.NewReader(in))); err != nil {
					t.Fatal(err)
				}
				if err := z.Close(); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Fatalf("format %d, %d bytes, %d workers: output differs (%d bytes, want %d)", f, n, workers, got.Len(), len(want))
				}
				checkSums(t, z, in, got.Bytes())
			}
		}
	}
}

func checkSums(t *testing.T, z *Writer, in, out []byte) {
	t.Helper()
	gotIn, gotOut, size := z.Sums()
	wantIn, wantOut := sha256.Sum256(in), sha256.Sum256(out)
	if !bytes.Equal(gotIn, wantIn[:]) || !bytes.Equal(gotOut, wantOut[:]) || size != int64(len(out)) {
		t.Fatalf("sums of %d bytes in, %d out: wrong (size %d)", len(in), len(out), size)
	}
}

// failAfter fails every write after n bytes.
type failAfter struct{ n int }

var errFull = errors.New("disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k := f.n
		f.n = 0
		return k, errFull
	}
	f.n -= len(p)
	return len(p), nil
}

// TestDestinationFails checks that a failing destination stops the
// writes with its error, and that Close returns it rather than hanging.
func TestDestinationFails(t *testing.T) {
	t.Parallel()
	in := input(20 * BlockSize) // made once: under -race, making it cost more than the test
	for _, f := range []Format{Gzip, Zstd, None} {
		for _, hint := range []int64{0, 2 * BlockSize} { // goroutines, inline
			z := New(&failAfter{n: 1000}, f, 2, hint)
			var err error
			for p := in; len(p) > 0 && err == nil; p = p[min(len(p), BlockSize):] {
				_, err = z.Write(p[:min(len(p), BlockSize)])
			}
			if cerr := z.Close(); !errors.Is(cerr, errFull) {
				t.Fatalf("format %d, hint %d: Close: %v, want %v", f, hint, cerr, errFull)
			}
			if err != nil && !errors.Is(err, errFull) {
				t.Fatalf("format %d, hint %d: Write: %v, want nil or %v", f, hint, err, errFull)
			}
			if _, err := z.Write([]byte("x")); err == nil {
				t.Fatalf("format %d, hint %d: Write after Close: no error", f, hint)
			}
		}
	}
}

// TestMemoryIsBounded checks that the blocks' memory depends on the
// number in flight, never on the input's size, and shrinks to a small
// input's.
func TestMemoryIsBounded(t *testing.T) {
	t.Parallel()
	perBlock := BlockSize + tailSize + outCap(BlockSize)
	in := input(BlockSize) // written 24 times: 24 blocks through at most 4 (2 workers, the writer, the filler)
	for _, f := range []Format{Gzip, None} {
		z := New(io.Discard, f, 2, 0)
		for range 24 {
			if _, err := z.Write(in); err != nil {
				t.Fatal(err)
			}
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		if z.made > z.max || z.max > 4 || z.mem.mapped > z.max*perBlock {
			t.Errorf("format %d: %d blocks made, %d at most, %d bytes mapped for 24 MiB", f, z.made, z.max, z.mem.mapped)
		}
	}
	for _, n := range []int{100 << 10, 3*BlockSize + 100} { // on the caller's goroutine, with the helper for the second
		z := New(io.Discard, Gzip, 2, int64(n))
		if _, err := z.Write(input(n)); err != nil {
			t.Fatal(err)
		}
		if err := z.Close(); err != nil {
			t.Fatal(err)
		}
		if limit := min(n, 2*BlockSize) * 5 / 2; z.mem.mapped > limit {
			t.Errorf("a %d-byte input: %d bytes mapped, want at most %d", n, z.mem.mapped, limit)
		}
	}
}

// BenchmarkSmallLayer compresses the first 2.4 MB of this test binary,
// the size of a small static Go program's layer, as a pack does (the
// size known), on the caller's goroutine alone and with its helper.
func BenchmarkSmallLayer(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	in, err := os.ReadFile(exe)
	if err != nil {
		b.Fatal(err)
	}
	in = in[:min(len(in), 2400000)]
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				z := New(io.Discard, Gzip, workers, int64(len(in)))
				if _, err := z.Write(in); err != nil {
					b.Fatal(err)
				}
				if err := z.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
