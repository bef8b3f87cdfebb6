package layer

import (
	"fmt"
	"io"
	"runtime"

	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/scratchpack/scratchpack/pack/internal/blockz"
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

// writer returns the stream a layer's tar of about size bytes is written
// to: it compresses into w and hashes both sides. The output depends only
// on the input: no names, no times, not the number of CPUs. gzip and zstd
// compress 1 MiB blocks on every core (see blockz): on one core,
// compressing took half of a pack's time.
func (c Compression) writer(w io.Writer, size int64) *blockz.Writer {
	f := blockz.Gzip
	switch c {
	case Zstd:
		f = blockz.Zstd
	case None:
		f = blockz.None
	}
	return blockz.New(w, f, max(runtime.GOMAXPROCS(0), 2), size)
}

// decompressor undoes writer.
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
