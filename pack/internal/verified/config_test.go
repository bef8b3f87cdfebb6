package verified

import (
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
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
	_, err := ConfigFile(lyingConfig{empty.Image, make([]byte, MaxConfigSize+1)})
	if err == nil || !strings.Contains(err.Error(), "more than the 16 MiB bound") {
		t.Fatalf("error %v, want the bound named", err)
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
