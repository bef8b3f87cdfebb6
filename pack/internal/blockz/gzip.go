package blockz

import (
	"bytes"
	"encoding/binary"
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

// NewGzip returns a Writer that compresses to w as gzip, deflating blocks
// at BestSpeed on workers goroutines. size is the input's expected size,
// or 0 when unknown: only the memory the blocks take depends on it.
func NewGzip(w io.Writer, workers int, size int64) *Writer {
	workers = max(workers, 1)
	z := newWriter(w, workers+2, size)
	z.sumCRC = true
	z.work = make(chan *block, z.max)
	stages := []func(){z.writeGzip}
	for range workers {
		stages = append(stages, z.deflate)
	}
	z.start(stages...)
	return z
}

// deflate compresses blocks as they come, each on its own with the end of
// the block before as its dictionary, sync-flushed so that the blocks
// concatenate; the last block closes the deflate stream.
func (z *Writer) deflate() {
	fw, _ := flate.NewWriter(io.Discard, flate.BestSpeed)
	for b := range z.work {
		if want := len(b.buf) + len(b.buf)>>4 + 4096; cap(b.out) < want {
			// room for the block stored as it is, deflate's worst case
			b.out = make([]byte, 0, want)
		}
		dest := bytes.NewBuffer(b.out[:0])
		fw.ResetDict(dest, b.tail)
		fw.Write(b.buf) // into memory: no error
		fw.Flush()
		if b.last {
			fw.Close()
		}
		b.out = dest.Bytes()
		close(b.packed)
	}
}

// writeGzip writes the header, the compressed blocks in order, and the
// trailer (the input's crc32 and size).
func (z *Writer) writeGzip() {
	z.emit(gzipHeader[:])
	for b := range z.outq {
		<-b.packed
		z.emit(b.out)
		<-b.hashed
		if b.last {
			var t [8]byte
			binary.LittleEndian.PutUint32(t[:4], z.crc)
			binary.LittleEndian.PutUint32(t[4:], uint32(z.size))
			z.emit(t[:])
		}
		z.free <- b
	}
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
