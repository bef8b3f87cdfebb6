package tarblock

import (
	"archive/tar"
	"bytes"
	"strings"
	"testing"
)

// TestPiecesAreArchiveTars checks that an archive written piece by piece
// has the bytes archive/tar's Writer gives the same entries, a PAX header
// among them.
func TestPiecesAreArchiveTars(t *testing.T) {
	entries := []struct {
		hdr  tar.Header
		body string
	}{
		{tar.Header{Name: "etc/", Typeflag: tar.TypeDir, Mode: 0o755}, ""},
		{tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644, Size: 5}, "root\n"},
		{tar.Header{Name: strings.Repeat("long/", 30) + "name", Typeflag: tar.TypeReg, Mode: 0o755, Size: 513, Format: tar.FormatPAX}, strings.Repeat("x", 513)},
		{tar.Header{Name: "lib", Typeflag: tar.TypeSymlink, Linkname: "usr/lib"}, ""},
	}
	var want bytes.Buffer
	tw := tar.NewWriter(&want)
	for _, e := range entries {
		if err := tw.WriteHeader(&e.hdr); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(e.body))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	for _, e := range entries {
		if err := WriteHeader(&got, &e.hdr); err != nil {
			t.Fatal(err)
		}
		got.WriteString(e.body)
		if e.hdr.Typeflag == tar.TypeReg {
			Pad(&got, e.hdr.Size)
		}
	}
	End(&got)
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Errorf("%d bytes, archive/tar's are %d", got.Len(), want.Len())
	}
}
