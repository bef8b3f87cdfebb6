package transport

import (
	"bytes"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// MaxConfigSize bounds the config of an image that is read, as
// go-containerregistry bounds manifests: a config holds settings and
// history, a few kilobytes, and one of hundreds of megabytes would cost
// gigabytes to parse.
const MaxConfigSize = 32 << 20

// RawConfig returns img's config as stored, refusing, before it is read,
// one that its manifest says is larger than MaxConfigSize.
func RawConfig(img v1.Image) ([]byte, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	if m.Config.Size > MaxConfigSize {
		return nil, fmt.Errorf("its config is %d bytes, more than the %d MiB scratchpack reads of one (MaxConfigSize); a config that large is not an image's", m.Config.Size, MaxConfigSize>>20)
	}
	raw, err := img.RawConfigFile()
	if err == nil && len(raw) > MaxConfigSize {
		err = fmt.Errorf("its config is %d bytes, more than the %d MiB scratchpack reads of one (MaxConfigSize)", len(raw), MaxConfigSize>>20)
	}
	return raw, err
}

// ConfigFile is img.ConfigFile, with the config bounded as RawConfig
// bounds it.
func ConfigFile(img v1.Image) (*v1.ConfigFile, error) {
	raw, err := RawConfig(img)
	if err != nil {
		return nil, err
	}
	return v1.ParseConfigFile(bytes.NewReader(raw))
}
