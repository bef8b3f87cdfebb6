package transport

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// tarDir writes the tree dir as a tar file, as skopeo writes an
// oci-archive; edit, when set, may change each header and body, or
// drop the member (nil header), and extra members follow.
func tarDir(t *testing.T, dir, file string, edit func(*tar.Header, []byte) (*tar.Header, []byte), extra ...*tar.Header) {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		hdr, err := tar.FileInfoHeader(fi, "")
		if err != nil {
			return err
		}
		hdr.Name = filepath.ToSlash(rel)
		var body []byte
		if d.Type().IsRegular() {
			if body, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		if edit != nil {
			if hdr, body = edit(hdr, body); hdr == nil {
				return nil
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tw.Write(body)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range extra {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(make([]byte, h.Size))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOCIArchive: a tar of an OCI layout (skopeo's oci-archive) opens as
// a tarball, plain or written oci-archive:FILE[:NAME], to the image the
// layout holds, which validates; its files are read as a layout's are:
// a link, a member given twice, a compressed archive and a blob whose
// bytes are not its digest's are each refused on one line naming what.
func TestOCIArchive(t *testing.T) {
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	lay := filepath.Join(t.TempDir(), "layout")
	lp, err := layout.Write(lay, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{AnnotationRefName: "app:1"})); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	arc := filepath.Join(dir, "app.tar")
	tarDir(t, lay, arc, nil)
	for _, src := range []string{arc, "oci-archive:" + arc, "oci-archive:" + arc + ":app:1", "oci-archive:" + arc + ":1"} {
		a, err := Open(t.Context(), parseRef(t, src), Options{})
		if err != nil {
			t.Fatalf("Open(%s): %v", src, err)
		}
		got, ok := a.(v1.Image)
		if !ok {
			t.Fatalf("Open(%s) = %T, want an image", src, a)
		}
		if d, err := got.Digest(); err != nil || d != want {
			t.Errorf("Open(%s) = %v (%v), want %v", src, d, err, want)
		}
		if err := validate.Image(got); err != nil {
			t.Errorf("Open(%s): %v", src, err)
		}
	}
	if _, err := Open(t.Context(), parseRef(t, "oci-archive:"+arc+":other"), Options{}); err == nil || !strings.Contains(err.Error(), `no image named "other"`) {
		t.Errorf("oci-archive:FILE:other = %v, want no such image", err)
	}

	m, _ := img.Manifest()
	layerBlob := "blobs/sha256/" + m.Layers[0].Digest.Hex
	gz := filepath.Join(dir, "app.tar.gz")
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	raw, _ := os.ReadFile(arc)
	zw.Write(raw)
	zw.Close()
	if err := os.WriteFile(gz, zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		file  string
		edit  func(*tar.Header, []byte) (*tar.Header, []byte)
		extra []*tar.Header
		want  string
	}{
		{"index a symlink", "", func(h *tar.Header, b []byte) (*tar.Header, []byte) {
			if h.Name == "index.json" {
				return &tar.Header{Name: h.Name, Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd", Mode: 0o777}, nil
			}
			return h, b
		}, nil, "index.json is a link in the archive"},
		{"index twice", "", nil, []*tar.Header{{Name: "index.json", Typeflag: tar.TypeReg, Mode: 0o644, Size: 2}}, "index.json: the archive holds it more than once"},
		{"layer a fifo", "", func(h *tar.Header, b []byte) (*tar.Header, []byte) {
			if h.Name == layerBlob {
				return &tar.Header{Name: h.Name, Typeflag: tar.TypeFifo, Mode: 0o644}, nil
			}
			return h, b
		}, nil, "is not a regular file in the archive"},
		{"layer replaced", "", func(h *tar.Header, b []byte) (*tar.Header, []byte) {
			if h.Name == layerBlob {
				b = bytes.Repeat([]byte{'x'}, len(b))
			}
			return h, b
		}, nil, m.Layers[0].Digest.String()},
		{"layer missing", "", func(h *tar.Header, b []byte) (*tar.Header, []byte) {
			if h.Name == layerBlob {
				return nil, nil
			}
			return h, b
		}, nil, "the archive holds no such file"},
		{"gzip", gz, nil, nil, "gzip-compressed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := tc.file
			if file == "" {
				file = filepath.Join(t.TempDir(), "bad.tar")
				tarDir(t, lay, file, tc.edit, tc.extra...)
			}
			a, err := Open(t.Context(), parseRef(t, file), Options{})
			if err == nil {
				err = readAll(t.Context(), a, nil)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("got %v; want one line with %q", err, tc.want)
			}
		})
	}
}

// TestDockerArchiveWithLayoutIsADockerArchive: a tarball that holds both
// manifest.json and an OCI layout (docker save since Docker 25) is read
// as the docker-archive it also is, as before OCI archives were read;
// docker-archive:FILE:TAG picks the image by its tag.
func TestDockerArchiveWithLayoutIsADockerArchive(t *testing.T) {
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "both.tar")
	tag, _ := name.NewTag("app:1")
	if err := tarball.WriteToFile(file, tag, img); err != nil {
		t.Fatal(err)
	}
	// Add an oci-layout and an index.json that names nothing real.
	raw, _ := os.ReadFile(file)
	var b bytes.Buffer
	b.Write(raw[:len(raw)-1024]) // drop the end-of-archive blocks
	tw := tar.NewWriter(&b)
	for n, body := range map[string]string{"oci-layout": `{"imageLayoutVersion":"1.0.0"}`, "index.json": `{"schemaVersion":2,"manifests":[]}`} {
		tw.WriteHeader(&tar.Header{Name: n, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body))})
		tw.Write([]byte(body))
	}
	tw.Close()
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	for _, src := range []string{file, "docker-archive:" + file, "docker-archive:" + file + ":app:1"} {
		a, err := Open(t.Context(), parseRef(t, src), Options{})
		if err != nil {
			t.Fatalf("Open(%s): %v", src, err)
		}
		if d, err := a.Digest(); err != nil || d != want {
			t.Errorf("Open(%s) = %v (%v), want %v", src, d, err, want)
		}
		if err := validate.Image(a.(v1.Image)); err != nil {
			t.Errorf("Open(%s): %v", src, err)
		}
	}
	if _, err := Open(t.Context(), parseRef(t, "docker-archive:"+file+":other:1"), Options{}); err == nil {
		t.Error("docker-archive:FILE:other:1 opened; want no such tag")
	}
}
