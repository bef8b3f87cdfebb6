package imagefs

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// ent is one tar entry of a layer a test builds.
type ent struct {
	name, body, link string
	typ              byte
	pax              map[string]string
}

func reg(name, body string) ent   { return ent{name: name, body: body, typ: tar.TypeReg} }
func dir(name string) ent         { return ent{name: name, typ: tar.TypeDir} }
func symlink(name, to string) ent { return ent{name: name, link: to, typ: tar.TypeSymlink} }
func hardlink(name, to string) ent {
	return ent{name: name, link: to, typ: tar.TypeLink}
}

// tarOf writes the entries as a tar stream, with archive/tar.
func tarOf(t testing.TB, ents ...ent) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range ents {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: 0o755, PAXRecords: e.pax}
		if e.typ == tar.TypeReg {
			h.Size, h.Mode = int64(len(e.body)), 0o644
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// gzLayer is a gzip layer of the entries, as go-containerregistry makes
// one, checked with its validate: digest, diff_id, size, and no name
// twice (gzLayerAsIs makes the layers that name one twice on purpose).
func gzLayer(t testing.TB, ents ...ent) v1.Layer {
	t.Helper()
	l := gzLayerAsIs(t, ents...)
	if err := validate.Layer(l); err != nil {
		t.Fatalf("the test's layer is not valid: %v", err)
	}
	return l
}

// gzLayerAsIs is gzLayer unvalidated.
func gzLayerAsIs(t testing.TB, ents ...ent) v1.Layer {
	t.Helper()
	data := tarOf(t, ents...)
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// rawLayer is a layer whose blob is exactly blob, uncompressed bytes or
// not, with the digest, size and diff_id it reports; a test that lies sets
// them to something else.
type rawLayer struct {
	blob           []byte
	digest, diffID v1.Hash
	size           int64
}

func sha(b []byte) v1.Hash {
	s := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(s[:])}
}

// plainLayer is an honest uncompressed layer of the bytes.
func plainLayer(b []byte) *rawLayer {
	return &rawLayer{blob: b, digest: sha(b), diffID: sha(b), size: int64(len(b))}
}

func (l *rawLayer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *rawLayer) DiffID() (v1.Hash, error)            { return l.diffID, nil }
func (l *rawLayer) Size() (int64, error)                { return l.size, nil }
func (l *rawLayer) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }
func (l *rawLayer) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.blob)), nil
}
func (l *rawLayer) Uncompressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(l.blob)), nil
}

// streamLayer is a layer whose blob is an uncompressed tar that write
// makes as it is read, so that no test holds it in memory: a file of
// gigabytes, a stream that never ends. Its digests are made up, and
// never reached.
func streamLayer(write func(tw *tar.Writer) error) *streamed {
	return &streamed{rawLayer{digest: sha([]byte("a")), diffID: sha([]byte("b")), size: 1 << 50}, write}
}

type streamed struct {
	rawLayer
	write func(tw *tar.Writer) error
}

// Compressed runs write into a pipe; closing the reader stops it.
func (s *streamed) Compressed() (io.ReadCloser, error) {
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		err := s.write(tw)
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, nil
}

// imageOf stacks the layers on empty.Image. It leaves the image
// unvalidated: the tests make lying and uncompressed layers on purpose,
// which go-containerregistry's validate (gzip only) cannot read; gzLayer
// validates each honest layer.
func imageOf(t testing.TB, layers ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func openImage(t testing.TB, img v1.Image) (*FS, error) {
	t.Helper()
	fsys, err := Open(context.Background(), img, t.TempDir())
	if err == nil {
		t.Cleanup(func() { fsys.Close() })
	}
	return fsys, err
}

// flatten describes every name of the file system: "d" for a
// directory, "f:CONTENT" for a regular file, "l:TARGET" for a symlink,
// "c"/"b"/"p" for devices and fifos.
func flatten(t testing.TB, fsys *FS) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		fi, err := fsys.Lstat(p)
		if err != nil {
			return err
		}
		switch m := fi.Mode(); {
		case m.IsDir():
			out[p] = "d"
		case m.IsRegular():
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			out[p] = "f:" + string(b)
		case m&fs.ModeSymlink != 0:
			target, err := fsys.ReadLink(p)
			if err != nil {
				return err
			}
			out[p] = "l:" + target
		case m&fs.ModeNamedPipe != 0:
			out[p] = "p"
		case m&fs.ModeCharDevice != 0:
			out[p] = "c"
		default:
			out[p] = "b"
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
