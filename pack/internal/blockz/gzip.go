package blockz

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"

	"github.com/klauspost/compress/flate"
)

// tailSize is how much of a block's end primes the next block's
// compression, as in pgzip.
const tailSize = 16 << 10

// gzipHeader is the header pgzip writes at BestSpeed: no name, no
// comment, the modification time of Go's zero time cut to 32 bits, XFL 4
// (fastest), OS 255 (unknown).
var gzipHeader = [10]byte{0x1f, 0x8b, 8, 0, 0x00, 0x09, 0x6e, 0x88, 4, 255}

// inlineMax is the largest expected input that is compressed on the
// caller's goroutine, block after block: below it, starting goroutines
// and threads and handing blocks between them cost more than they gain
// (a 2.4 MB layer: 15 ms of CPU and 5 ms more wall time on two cores).
const inlineMax = 4 * BlockSize

// NewGzip returns a Writer that compresses to w as gzip, deflating blocks
// at BestSpeed on workers goroutines. size is the input's expected size,
// or 0 when unknown: the memory the blocks take depends on it, and an
// input of up to 4 MiB is compressed on the caller's goroutine; the
// output does not.
func NewGzip(w io.Writer, workers int, size int64) *Writer {
	if size > 0 && size <= inlineMax {
		z := newWriter(w, 1, size, true) // each block is done with before the next
		z.inline, _ = flate.NewWriter(io.Discard, flate.BestSpeed)
		z.emit(gzipHeader[:])
		return z
	}
	workers = max(workers, 1)
	z := newWriter(w, workers+2, size, true)
	z.work = make(chan *block, z.max)
	stages := []func(){z.writeGzip}
	for range workers {
		stages = append(stages, z.deflate)
	}
	z.start(stages...)
	return z
}

// compressInline does for one block, on the caller's goroutine, what the
// hashing, deflating and writing goroutines do.
func (z *Writer) compressInline(b *block) {
	z.in.Write(b.buf)
	z.crc = crc32.Update(z.crc, crc32.IEEETable, b.buf)
	dest := bytes.NewBuffer(b.out[:0])
	compress(z.inline, dest, b)
	b.out = dest.Bytes()
	z.emit(b.out)
	if b.last {
		z.trailer()
	}
	z.free <- b
}

// compress deflates b into dest with fw, on its own with the end of the
// block before as its dictionary, sync-flushed so that the blocks
// concatenate; the last block closes the deflate stream. Into memory, it
// cannot fail.
func compress(fw *flate.Writer, dest *bytes.Buffer, b *block) {
	fw.ResetDict(dest, b.tail)
	fw.Write(b.buf)
	fw.Flush()
	if b.last {
		fw.Close()
	}
}

// deflate compresses blocks as they come, each on its own with the end of
// the block before as its dictionary, sync-flushed so that the blocks
// concatenate; the last block closes the deflate stream.
func (z *Writer) deflate() {
	fw, _ := flate.NewWriter(io.Discard, flate.BestSpeed)
	for b := range z.work {
		if want := outCap(len(b.buf)); cap(b.out) < want { // a block that grew
			b.out = make([]byte, 0, want)
		}
		dest := bytes.NewBuffer(b.out[:0])
		compress(fw, dest, b)
		b.out = dest.Bytes()
		close(b.packed)
	}
}

// outCap is room for a block of n bytes compressed in the worst case,
// stored as it is.
func outCap(n int) int { return n + n>>4 + 4096 }

// writeGzip writes the header, the compressed blocks in order, and the
// trailer (the input's crc32 and size).
func (z *Writer) writeGzip() {
	z.emit(gzipHeader[:])
	for b := range z.outq {
		<-b.packed
		z.emit(b.out)
		<-b.hashed
		if b.last {
			z.trailer()
		}
		z.free <- b
	}
}

// trailer writes the input's crc32 and size, once the last block is
// hashed.
func (z *Writer) trailer() {
	var t [8]byte
	binary.LittleEndian.PutUint32(t[:4], z.crc)
	binary.LittleEndian.PutUint32(t[4:], uint32(z.size))
	z.emit(t[:])
}

// emit writes p to the destination unless an earlier write failed.
func (z *Writer) emit(p []byte) {
	if z.err() != nil {
		return
	}
	if _, err := z.out.Write(p); err != nil {
		z.fail(err)
	}
}
