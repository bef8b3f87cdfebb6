package blockz

// Format is a compressed stream made of blocks compressed on their own,
// one after the other.
type Format int

// The formats a Writer writes.
const (
	// Gzip is one gzip member whose deflate stream is cut into blocks
	// deflated at BestSpeed, each primed with the end of the one before
	// and sync-flushed: pgzip's output with 1 MiB blocks.
	Gzip Format = iota
	// Zstd is one zstd frame per block, at zstd's default level: a
	// stream of frames decodes to their contents one after the other.
	Zstd
	// None is the input as it is.
	None
)

// A codec compresses blocks: one per goroutine that compresses.
type codec interface {
	// compress appends b's compressed form to dst. Into memory, it
	// cannot fail.
	compress(dst []byte, b *block) []byte
}

// newCodec returns a codec of f, or nil for None, whose blocks are
// written as they are.
func (f Format) newCodec() codec {
	switch f {
	case Gzip:
		return newDeflater()
	case Zstd:
		return newZstdCodec()
	}
	return nil
}

// primed reports whether each block is compressed with the end of the
// one before as its dictionary.
func (f Format) primed() bool { return f == Gzip }
