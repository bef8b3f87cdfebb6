package pack

import (
	"fmt"
	"io"
	"runtime"

	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/klauspost/pgzip"
)

// Compression is how the layer blob is compressed.
type Compression string

// The compressions a layer can have.
const (
	Gzip Compression = "gzip"
	Zstd Compression = "zstd"
	None Compression = "none"
)

// ParseCompression parses gzip, zstd or none.
func ParseCompression(s string) (Compression, error) {
	switch c := Compression(s); c {
	case Gzip, Zstd, None:
		return c, nil
	}
	return "", fmt.Errorf("compression %q: want gzip, zstd or none", s)
}

// mediaType is the OCI layer media type for c.
func (c Compression) mediaType() types.MediaType {
	switch c {
	case Zstd:
		return types.OCILayerZStd
	case None:
		return types.OCIUncompressedLayer
	}
	return types.OCILayer
}

// gzipBlock is the block size of parallel gzip. The output depends on the
// input and this size only, never on how many goroutines compress, so it
// must not change without changing every gzip layer's digest.
const gzipBlock = 1 << 20

// compressor wraps w so that what is written to it is compressed. The
// output depends only on the input: no names, no times, not the number of
// CPUs. gzip compresses 1 MiB blocks on every core (klauspost/pgzip, each
// block primed with the last 32 KiB of the one before, as one stream
// would be), the step that took half of a pack's time on one core.
func (c Compression) compressor(w io.Writer) (io.WriteCloser, error) {
	switch c {
	case Zstd:
		return zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
	case None:
		return nopCloser{w}, nil
	}
	zw, err := pgzip.NewWriterLevel(w, pgzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	return zw, zw.SetConcurrency(gzipBlock, max(runtime.GOMAXPROCS(0), 2))
}

// decompressor undoes compressor.
func (c Compression) decompressor(r io.Reader) (io.ReadCloser, error) {
	switch c {
	case Zstd:
		d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	case None:
		return io.NopCloser(r), nil
	}
	return gzip.NewReader(r)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
