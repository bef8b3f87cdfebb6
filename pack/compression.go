package pack

import (
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
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

// compressor wraps w so that what is written to it is compressed. The
// output depends only on the input: no names, no times.
func (c Compression) compressor(w io.Writer) (io.WriteCloser, error) {
	switch c {
	case Zstd:
		return zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
	case None:
		return nopCloser{w}, nil
	}
	return gzip.NewWriterLevel(w, gzip.BestSpeed)
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
