// Package tarblock writes a tar archive piece by piece, with the bytes
// archive/tar's Writer gives, for writers that put an entry's contents in
// place themselves rather than through a tar.Writer: a layer reads files
// straight into its compressor's blocks, a docker-archive is written
// around a blob that already lies in its file.
package tarblock

import (
	"archive/tar"
	"bytes"
	"io"
)

// Size is a tar archive's unit: a header is one block or more, contents
// are padded to a whole number of blocks.
const Size = 512

// Header is hdr as archive/tar's Writer writes it.
func Header(hdr *tar.Header) ([]byte, error) {
	var b bytes.Buffer
	err := tar.NewWriter(&b).WriteHeader(hdr)
	return b.Bytes(), err
}

// WriteHeader writes hdr to w; the entry's contents follow, then Pad.
func WriteHeader(w io.Writer, hdr *tar.Header) error {
	b, err := Header(hdr)
	if err == nil {
		_, err = w.Write(b)
	}
	return err
}

// Pad writes the zeros that end contents of size bytes.
func Pad(w io.Writer, size int64) error {
	_, err := w.Write(make([]byte, (Size-size%Size)%Size))
	return err
}

// End writes the end of an archive, two zero blocks.
func End(w io.Writer) error {
	_, err := w.Write(make([]byte, 2*Size))
	return err
}
