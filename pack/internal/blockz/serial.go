package blockz

import (
	"bufio"
	"io"
)

// NewSerial returns a Writer whose blocks go, in order and on one
// goroutine, through the encoder that newEnc makes on top of w (zstd,
// whose own format decides its frames, or none). size is as for NewGzip.
func NewSerial(w io.Writer, newEnc func(io.Writer) (io.WriteCloser, error), size int64) (*Writer, error) {
	z := newWriter(w, 3, size, false)
	bw := bufio.NewWriterSize(&z.out, BlockSize)
	enc, err := newEnc(bw)
	if err != nil {
		return nil, err
	}
	z.start(func() { z.encode(enc, bw) })
	return z, nil
}

// encode passes each block to enc, then closes enc and flushes bw.
func (z *Writer) encode(enc io.WriteCloser, bw *bufio.Writer) {
	for b := range z.outq {
		if z.err() == nil {
			if _, err := enc.Write(b.buf); err != nil {
				z.fail(err)
			}
		}
		if b.last && z.err() == nil {
			if err := enc.Close(); err != nil {
				z.fail(err)
			} else if err := bw.Flush(); err != nil {
				z.fail(err)
			}
		}
		<-b.hashed
		z.free <- b
	}
}
