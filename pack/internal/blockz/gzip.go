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

// deflater deflates blocks for gzip.
type deflater struct{ fw *flate.Writer }

func newDeflater() *deflater {
	// BestSpeed is a valid level: NewWriter cannot fail.
	fw, _ := flate.NewWriter(io.Discard, flate.BestSpeed)
	return &deflater{fw}
}

// compress deflates b on its own with the end of the block before as its
// dictionary, sync-flushed so that the blocks concatenate; the last block
// closes the deflate stream.
func (d *deflater) compress(dst []byte, b *block) []byte {
	buf := bytes.NewBuffer(dst)
	d.fw.ResetDict(buf, b.tail)
	d.fw.Write(b.buf)
	d.fw.Flush()
	if b.last {
		d.fw.Close()
	}
	return buf.Bytes()
}

// gzipTrailer is the end of a gzip member: the input's crc32 and size.
func gzipTrailer(crc uint32, size int64) []byte {
	var t [8]byte
	binary.LittleEndian.PutUint32(t[:4], crc)
	binary.LittleEndian.PutUint32(t[4:], uint32(size))
	return t[:]
}
