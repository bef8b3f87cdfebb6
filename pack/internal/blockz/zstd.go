package blockz

import "github.com/klauspost/compress/zstd"

// zstdCodec makes a frame of each block. Frames have no dictionary, so
// each block's depends on that block only and the blocks compress on
// every core: for a 48 MB program, 1.6% more bytes than one frame, and
// 0.30 s instead of 0.39 s on two cores. An input of one block is the
// frame one encoder writes for the whole input.
type zstdCodec struct{ enc *zstd.Encoder }

func newZstdCodec() *zstdCodec {
	// A frame is at most a block: a larger window than that is never
	// used, and the default 8 MiB one cost 17 MiB of memory per encoder.
	// With no writer and valid options, NewWriter cannot fail.
	enc, _ := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithWindowSize(BlockSize), zstd.WithLowerEncoderMem(true))
	return &zstdCodec{enc}
}

// compress appends b's frame. The last block, when it is empty, adds
// nothing, unless it is the whole input: the stream of an empty input
// is one empty frame.
func (c *zstdCodec) compress(dst []byte, b *block) []byte {
	if len(b.buf) == 0 && b.seq > 0 {
		return dst
	}
	return c.enc.EncodeAll(b.buf, dst)
}
