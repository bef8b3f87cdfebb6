package verified

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// bigConfig is an image whose manifest says its config is huge, and which
// fails the test if the config is read anyway.
type bigConfig struct {
	v1.Image
	t *testing.T
}

func (b bigConfig) Manifest() (*v1.Manifest, error) {
	m, err := b.Image.Manifest()
	if err != nil {
		return nil, err
	}
	m = m.DeepCopy()
	m.Config.Size = 300 << 20
	return m, nil
}

func (b bigConfig) RawConfigFile() ([]byte, error) {
	b.t.Fatal("the config was read although its descriptor is over the bound")
	return nil, nil
}

func TestConfigCappedBeforeFetch(t *testing.T) {
	_, err := ConfigFile(bigConfig{empty.Image, t})
	if err == nil || !strings.Contains(err.Error(), "more than the 16 MiB bound verified.MaxConfigSize") {
		t.Fatalf("error %v, want the bound named", err)
	}
}

// lyingConfig is an image whose config bytes are not the ones its
// manifest names, or are larger than it says.
type lyingConfig struct {
	v1.Image
	raw []byte
}

func (l lyingConfig) RawConfigFile() ([]byte, error) { return l.raw, nil }

func TestConfigCappedAfterRead(t *testing.T) {
	// The manifest names a config of a hundred bytes: no more is kept.
	_, err := ConfigFile(lyingConfig{empty.Image, make([]byte, MaxConfigSize+1)})
	if err == nil || !strings.Contains(err.Error(), "bytes its manifest says") {
		t.Fatalf("error %v, want the manifest's size named", err)
	}
}

func TestConfigDigestChecked(t *testing.T) {
	_, err := ConfigFile(lyingConfig{empty.Image, []byte(`{"architecture":"amd64","os":"linux"}`)})
	if err == nil || !strings.Contains(err.Error(), "not to the digest that names it") {
		t.Fatalf("error %v, want a digest mismatch", err)
	}
}

func TestConfigRead(t *testing.T) {
	img, err := mutate.Config(empty.Image, v1.Config{User: "nobody"})
	if err != nil {
		t.Fatal(err)
	}
	cf, err := ConfigFile(img)
	if err != nil || cf.Config.User != "nobody" {
		t.Fatalf("config %+v, %v", cf, err)
	}
}

// An OCI layout's config blob is read with a limit: a blob file larger
// than its descriptor says is refused at the bound (a 256 MiB file costs
// no more memory than the bound), and one of the right size with other
// bytes by its digest.
func TestLayoutConfigBounded(t *testing.T) {
	dir := t.TempDir()
	img, err := mutate.Config(empty.Image, v1.Config{User: "nobody"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	name, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	blob := filepath.Join(dir, "blobs", "sha256", name.Hex)
	digest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		bytes   []byte
		size    int64 // the file's size, sparse, when more than bytes
		wantErr string
	}{
		{nil, 256 << 20, "bytes its manifest says"},
		{bytes.Replace(raw, []byte("nobody"), []byte("nobodx"), 1), 0, "not to the digest that names it"},
	} {
		if err := os.WriteFile(blob, c.bytes, 0o644); err != nil {
			t.Fatal(err)
		}
		if c.size > 0 {
			if err := os.Truncate(blob, c.size); err != nil {
				t.Fatal(err)
			}
		}
		limg, err := p.Image(digest)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err = ConfigFile(limg)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("error %v, want %q", err, c.wantErr)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 3*MaxConfigSize {
			t.Errorf("reading the config allocated %d MiB; the bound is %d MiB", alloc>>20, MaxConfigSize>>20)
		}
	}
}
