package imagefs

import (
	"bytes"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

func gzipOf(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := gzip.NewWriter(&out)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func zstdOf(t testing.TB, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw, err := zstd.NewWriter(&out)
	if err != nil {
		t.Fatal(err)
	}
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// A layer is used only when its bytes are what the manifest and config
// say; each way they can differ refuses the image with one line naming
// the layer and what did not match.
func TestLayerMustVerify(t *testing.T) {
	honest := tarOf(t, reg("bin/app", "good"))
	evil := tarOf(t, reg("bin/app", "evil"))
	gz := gzipOf(t, honest)
	cases := []struct {
		name    string
		layer   *rawLayer
		wantErr string
	}{
		{"compressed bytes that do not match the manifest's digest",
			&rawLayer{blob: gzipOf(t, evil), digest: sha(gz), diffID: sha(honest), size: int64(len(gzipOf(t, evil)))},
			"not to the digest the manifest names"},
		{"uncompressed bytes that do not match the diff_id",
			&rawLayer{blob: gz, digest: sha(gz), diffID: sha(evil), size: int64(len(gz))},
			"not to the diff_id " + sha(evil).String()},
		{"a blob cut short",
			&rawLayer{blob: gz[:len(gz)/2], digest: sha(gz), diffID: sha(honest), size: int64(len(gz))},
			"truncated"},
		{"a blob longer than the manifest says",
			&rawLayer{blob: append(append([]byte{}, gz...), 0), digest: sha(gz), diffID: sha(honest), size: int64(len(gz))},
			"the manifest says"},
		{"bytes after the tar end-of-archive that the digest does not cover",
			&rawLayer{blob: append(append([]byte{}, honest...), "evil"...), digest: sha(honest), diffID: sha(honest), size: int64(len(honest) + 4)},
			"not to the digest the manifest names"},
		{"a zstd window past the bound",
			// A frame that declares a 256 MiB window (Window_Descriptor
			// 0x90) and holds one empty raw block.
			plainLayerOf([]byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x90, 0x01, 0x00, 0x00}, honest),
			"MiB bound"},
		{"a blob that is not a tar stream",
			plainLayer([]byte("this is not a tar stream, not gzip, not zstd, and longer than a block?")),
			"not a tar stream"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := openImage(t, imageOf(t, c.layer))
			if err == nil {
				t.Fatal("opened; want an error")
			}
			msg := err.Error()
			if !strings.Contains(msg, c.wantErr) || !strings.Contains(msg, "layer "+c.layer.digest.String()) || strings.Contains(msg, "\n") {
				t.Fatalf("error %q, want one line naming layer %s and with %q", msg, c.layer.digest, c.wantErr)
			}
		})
	}
}

// plainLayerOf is a layer of blob with honest digest and size, whose
// config claims diff_id sha(tar).
func plainLayerOf(blob, tar []byte) *rawLayer {
	return &rawLayer{blob: blob, digest: sha(blob), diffID: sha(tar), size: int64(len(blob))}
}

// gzip, zstd and uncompressed layers are told apart by their first bytes.
func TestCompressions(t *testing.T) {
	lower := tarOf(t, reg("a", "gzip"))
	middle := tarOf(t, reg("b", "zstd"))
	upper := tarOf(t, reg("c", "plain"))
	img := imageOf(t, plainLayerOf(gzipOf(t, lower), lower), plainLayerOf(zstdOf(t, middle), middle), plainLayer(upper))
	fsys, err := openImage(t, img)
	if err != nil {
		t.Fatal(err)
	}
	got := flatten(t, fsys)
	if got["a"] != "f:gzip" || got["b"] != "f:zstd" || got["c"] != "f:plain" || len(got) != 3 {
		t.Fatalf("got %v", got)
	}
	zl, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(middle)), nil }, tarball.WithCompression("zstd"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openImage(t, imageOf(t, zl)); err != nil {
		t.Fatalf("go-containerregistry's zstd layer: %v", err)
	}
}

// A manifest and config that list different numbers of layers refuse the
// image.
func TestLayerCountMismatch(t *testing.T) {
	img := imageOf(t, gzLayer(t, reg("a", "1")))
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf.RootFS.DiffIDs = append(cf.RootFS.DiffIDs, v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)})
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	_, err = openImage(t, img)
	if err == nil || !strings.Contains(err.Error(), "the manifest lists 1 layer and the config's rootfs.diff_ids 2") {
		t.Fatalf("error %v, want the count mismatch", err)
	}
}

// A docker-archive's or the daemon's layers (verified.Local) are read
// uncompressed and checked against the config's diff_ids alone.
func TestLocalImageChecksDiffIDs(t *testing.T) {
	honest, evil := tarOf(t, reg("a", "good")), tarOf(t, reg("a", "evil"))
	fsys, err := openImage(t, verified.Local(imageOf(t, plainLayer(honest))))
	if err != nil {
		t.Fatal(err)
	}
	if got := flatten(t, fsys); got["a"] != "f:good" {
		t.Fatalf("got %v", got)
	}
	lying := &rawLayer{blob: evil, digest: sha(evil), diffID: sha(honest), size: int64(len(evil))}
	_, err = openImage(t, verified.Local(imageOf(t, lying)))
	if err == nil || !strings.Contains(err.Error(), "layer "+sha(honest).String()+": its uncompressed bytes hash to "+sha(evil).String()) {
		t.Fatalf("error %v, want the diff_id mismatch named", err)
	}
}
