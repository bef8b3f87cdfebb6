package blockz

import (
	"crypto/sha256"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// BlockSize is the size of the blocks the input is cut into. Gzip output
// depends on it, so it must not change without changing every gzip
// layer's digest.
const BlockSize = 1 << 20

// errClosed is returned by writes after Close.
var errClosed = errors.New("blockz: write after close")

// Writer cuts what is written to it into blocks and passes each, in
// order, to a hashing goroutine and to an encoder stage that writes to
// the destination. A Writer is used from one goroutine; Close must be
// called, even after an error, to stop the goroutines.
type Writer struct {
	cur    *block
	free   chan *block // blocks done with, to be filled again
	made   int         // blocks allocated so far
	max    int         // blocks in flight at most: the memory bound
	hashq  chan *block // to the hashing goroutine
	outq   chan *block // to the encoder stage, which frees each block
	done   sync.WaitGroup
	size   int64  // input bytes so far
	hint   int64  // the input's expected size, or 0: blocks are sized to it
	tail   []byte // gzip: the end of the last block sent
	closed bool

	mem     *arena        // where blocks are allocated
	in      hash.Hash     // sha256 of the input
	gzip    bool          // blocks keep the end of the one before, the crc32 of the input is kept
	crc     uint32        // written by the hasher, read after the last block is hashed
	work    chan *block   // gzip: to the compressing goroutines
	inline  *flate.Writer // gzip of a small input: compresses on the caller's goroutine instead
	out     outWriter     // the destination, counted and hashed
	failure error         // the first error of the destination; set before a block is freed
	mu      sync.Mutex
}

// block is one piece of the input on its way through the stages.
type block struct {
	buf    []byte        // the input, at most BlockSize
	tail   []byte        // gzip: the end of the block before, the dictionary
	out    []byte        // gzip: the compressed block
	last   bool          // the final block, possibly empty
	hashed chan struct{} // closed once the hasher is done with buf
	packed chan struct{} // gzip: closed once out is ready
}

// newWriter makes a Writer with at most maxBlocks blocks in flight, for
// an input of about size bytes (0: unknown), gzip or not; the constructor
// of each encoding starts its goroutines with start.
func newWriter(w io.Writer, maxBlocks int, size int64, gzip bool) *Writer {
	return &Writer{
		gzip:  gzip,
		mem:   newArena(arenaSize(size, maxBlocks, gzip)),
		hint:  size,
		max:   maxBlocks,
		free:  make(chan *block, maxBlocks),
		hashq: make(chan *block, maxBlocks),
		outq:  make(chan *block, maxBlocks),
		in:    sha256.New(),
		out:   outWriter{w: w, h: sha256.New()},
	}
}

// start runs the hashing goroutine and each of stages.
func (z *Writer) start(stages ...func()) {
	for _, f := range append(stages, z.hash) {
		z.done.Add(1)
		go func() {
			defer z.done.Done()
			f()
		}()
	}
}

// hash hashes each block in order.
func (z *Writer) hash() {
	for b := range z.hashq {
		z.in.Write(b.buf)
		if z.gzip {
			z.crc = crc32.Update(z.crc, crc32.IEEETable, b.buf)
		}
		close(b.hashed)
	}
}

// Write copies p into blocks.
func (z *Writer) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		b, err := z.block()
		if err != nil {
			return n, err
		}
		k := copy(b.room(), p)
		b.buf = b.buf[:len(b.buf)+k]
		n += k
		p = p[k:]
	}
	z.size += int64(n)
	return n, nil
}

// ReadFrom reads r to its end straight into blocks, with no copy between.
func (z *Writer) ReadFrom(r io.Reader) (int64, error) {
	var n int64
	for {
		b, err := z.block()
		if err != nil {
			return n, err
		}
		k, err := r.Read(b.room())
		b.buf = b.buf[:len(b.buf)+k]
		n += int64(k)
		z.size += int64(k)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// block returns the block being filled, with room in it: a full one is
// sent on first.
func (z *Writer) block() (*block, error) {
	if z.closed {
		return nil, errClosed
	}
	if err := z.err(); err != nil {
		return nil, err
	}
	if z.cur != nil && len(z.cur.buf) < BlockSize {
		return z.cur, nil
	}
	if z.cur != nil {
		z.send(z.cur)
	}
	z.cur = z.get()
	return z.cur, nil
}

// get takes a free block, allocating one while fewer than max exist.
func (z *Writer) get() *block {
	var b *block
	select {
	case b = <-z.free:
	default:
		if z.made < z.max {
			z.made++
			b = z.newBlock()
		} else {
			b = <-z.free
		}
	}
	b.buf, b.tail, b.last = b.buf[:0], append(b.tail[:0], z.tail...), false
	b.hashed = make(chan struct{})
	b.packed = make(chan struct{})
	return b
}

// newBlock allocates a block in the arena: the input, and for gzip the
// dictionary and the output, room for the input stored as it is
// (deflate's worst case).
func (z *Writer) newBlock() *block {
	n := z.blockCap()
	b := &block{buf: z.mem.alloc(n)}
	if z.gzip {
		b.tail = z.mem.alloc(tailSize)
		b.out = z.mem.alloc(outCap(n))
	}
	return b
}

// arenaSize is the memory for the blocks of an input of about size
// bytes (0: unknown), at most max of them in flight.
func arenaSize(size int64, max int, gzip bool) int {
	n := int64(max)
	if size > 0 {
		n = min(n, size/BlockSize+2) // and the last, partial or empty
	}
	per := BlockSize + 64
	if gzip {
		per += tailSize + outCap(BlockSize) + 128
	}
	return int(n) * per
}

// blockCap is the capacity of a new block: a whole block, or what is left
// of the expected input, so that a small input takes little memory.
func (z *Writer) blockCap() int {
	if z.hint <= 0 {
		return BlockSize
	}
	return int(min(BlockSize, max(z.hint-z.size, 64<<10)))
}

// room is the rest of the block, grown to a whole block when the input
// runs past what was expected.
func (b *block) room() []byte {
	if len(b.buf) == cap(b.buf) && cap(b.buf) < BlockSize {
		b.buf = append(make([]byte, 0, BlockSize), b.buf...)
	}
	return b.buf[len(b.buf):min(cap(b.buf), BlockSize)]
}

// send passes a filled block on to the stages, keeping its end as the
// next block's dictionary.
func (z *Writer) send(b *block) {
	if z.gzip && len(b.buf) > tailSize {
		z.tail = append(z.tail[:0], b.buf[len(b.buf)-tailSize:]...)
	} else {
		z.tail = z.tail[:0]
	}
	if z.inline != nil {
		z.compressInline(b)
		return
	}
	z.hashq <- b
	if z.work != nil {
		z.work <- b
	}
	z.outq <- b
}

// Close sends the last block, waits for every stage and writes the end of
// the stream. It returns the first error of the destination.
func (z *Writer) Close() error {
	if z.closed {
		return z.err()
	}
	z.closed = true
	b := z.cur
	if b == nil {
		b = z.get()
	} else if len(b.buf) == BlockSize {
		// A full block is not the last: gzip ends with one more, empty,
		// whose dictionary is this one's end, as pgzip does.
		z.send(b)
		b = z.get()
	}
	b.last = true
	z.send(b)
	if z.inline != nil {
		z.mem.free()
		return z.err()
	}
	close(z.hashq)
	if z.work != nil {
		close(z.work)
	}
	close(z.outq)
	z.done.Wait()
	z.mem.free()
	return z.err()
}

// Sums returns, after Close, the sha256 of the input and of the output,
// and the output's size.
func (z *Writer) Sums() (in, out []byte, size int64) {
	return z.in.Sum(nil), z.out.h.Sum(nil), z.out.n
}

// fail records the destination's first error.
func (z *Writer) fail(err error) {
	z.mu.Lock()
	defer z.mu.Unlock()
	if z.failure == nil {
		z.failure = err
	}
}

func (z *Writer) err() error {
	z.mu.Lock()
	defer z.mu.Unlock()
	return z.failure
}

// outWriter writes to the destination, counting and hashing what it
// wrote.
type outWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (o *outWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	o.h.Write(p[:n])
	o.n += int64(n)
	return n, err
}
