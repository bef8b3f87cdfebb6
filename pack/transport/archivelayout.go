package transport

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/scratchpack/scratchpack/internal/quote"
)

// maxArchiveMembers bounds the members of an OCI archive that are
// indexed: an image's archive has a few per layer and manifest.
const maxArchiveMembers = 1 << 16

// archiveLayout is an OCI archive, a tar of an OCI image layout as
// skopeo's oci-archive: writes it, read in place: one pass over its
// headers records where each regular member's bytes are, and each file
// of the layout is then read from there, bounded by the member's size
// and checked against its digest as a layout directory's files are. A
// layout file the archive holds as a link, a device, a sparse file or
// twice is refused, as a layout directory's symlinks are.
type archiveLayout struct {
	file    string
	members map[string]archiveMember
}

// archiveMember is where a member's bytes are in the archive.
type archiveMember struct {
	typ          byte
	sparse, dup  bool
	offset, size int64
}

// compressed names the compression whose magic number b starts with, ""
// for none: a tarball is read uncompressed.
func compressed(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0x1f, 0x8b}):
		return "gzip"
	case bytes.HasPrefix(b, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return "zstd"
	case bytes.HasPrefix(b, []byte("BZh")):
		return "bzip2"
	case bytes.HasPrefix(b, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return "xz"
	}
	return ""
}

// readArchive indexes the tar file's members. It refuses a compressed
// file, naming its compression.
func readArchive(file string) (*archiveLayout, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	magic := make([]byte, 6)
	n, _ := io.ReadFull(f, magic)
	if c := compressed(magic[:n]); c != "" {
		return nil, fmt.Errorf("it is %s-compressed; a tarball is read as docker save and skopeo write it, uncompressed: decompress it first", c)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	a := &archiveLayout{file: file, members: map[string]archiveMember{}}
	tr := tar.NewReader(f) // f seeks: the data of members is skipped, not read
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return a, nil
		}
		if err != nil {
			return a, nil // a broken stream: its layout files, if any, are named as missing
		}
		if len(a.members) == maxArchiveMembers {
			return nil, fmt.Errorf("it has more than %d members, the bound transport.maxArchiveMembers; an image's archive has a few", maxArchiveMembers)
		}
		// archive/tar reads whole blocks and no further: the data of
		// this member starts where the file is.
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, err
		}
		name := strings.TrimPrefix(path.Clean("/"+hdr.Name), "/")
		m := archiveMember{typ: hdr.Typeflag, offset: off, size: hdr.Size, sparse: hdr.Typeflag == tar.TypeGNUSparse}
		for k := range hdr.PAXRecords {
			if strings.HasPrefix(k, "GNU.sparse.") {
				m.sparse = true
			}
		}
		if old, ok := a.members[name]; ok && old.typ != tar.TypeDir {
			m.dup = true
		}
		a.members[name] = m
	}
}

// isLayout reports whether the archive holds an OCI layout: oci-layout
// and index.json at its top.
func (a *archiveLayout) isLayout() bool {
	_, layout := a.members["oci-layout"]
	_, index := a.members["index.json"]
	return layout && index
}

// has reports whether the archive has a member of that name.
func (a *archiveLayout) has(name string) bool {
	_, ok := a.members[name]
	return ok
}

// open opens the layout file name, the archive's member of that name.
func (a *archiveLayout) open(name string) (io.ReadCloser, int64, error) {
	m, ok := a.members[name]
	switch {
	case !ok:
		return nil, 0, fmt.Errorf("%s: the archive holds no such file", quote.Name(name))
	case m.dup:
		return nil, 0, fmt.Errorf("%s: the archive holds it more than once; a layout holds each file once", quote.Name(name))
	case m.typ == tar.TypeSymlink || m.typ == tar.TypeLink:
		return nil, 0, fmt.Errorf("%s is a link in the archive; a layout holds regular files", quote.Name(name))
	case m.typ != tar.TypeReg:
		return nil, 0, fmt.Errorf("%s is not a regular file in the archive (type %q); a layout holds regular files", quote.Name(name), m.typ)
	case m.sparse:
		return nil, 0, fmt.Errorf("%s is a sparse file in the archive; a layout holds regular files", quote.Name(name))
	}
	f, err := os.Open(a.file)
	if err != nil {
		return nil, 0, err
	}
	return &sectionFile{Reader: io.NewSectionReader(f, m.offset, m.size), f: f}, m.size, nil
}

// sectionFile reads a member's bytes out of the archive's file.
type sectionFile struct {
	io.Reader
	f *os.File
}

func (s *sectionFile) Close() error { return s.f.Close() }
