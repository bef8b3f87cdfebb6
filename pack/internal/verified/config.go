package verified

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// MaxConfigSize bounds an image's config, as go-containerregistry bounds
// a manifest: decoding one costs ten times its size, and real configs are
// kilobytes (a long history, a few hundred).
const MaxConfigSize = 16 << 20

// RawConfig reads img's config as stored, refusing one whose manifest
// says it is larger than MaxConfigSize before it is fetched, one that
// turns out larger, and one whose bytes do not hash to the digest the
// manifest names.
//
// A Local image's config is named by the image (its ConfigName), not by a
// manifest that would be computed from every layer; its source read it,
// bounded (see transport's checkArchiveConfig).
func RawConfig(img v1.Image) ([]byte, v1.Hash, error) {
	var want v1.Hash
	limit := int64(MaxConfigSize) // what may be read of it
	if isLocal(img) {
		h, err := img.ConfigName()
		if err != nil {
			return nil, want, fmt.Errorf("reading the config's name: %w", err)
		}
		want = h
	} else {
		m, err := img.Manifest()
		if err != nil {
			return nil, want, fmt.Errorf("reading the manifest: %w", err)
		}
		if m.Config.Size > MaxConfigSize {
			return nil, want, fmt.Errorf("config %s: the manifest says it is %d bytes, more than the %d MiB bound verified.MaxConfigSize", m.Config.Digest, m.Config.Size, MaxConfigSize>>20)
		}
		want = m.Config.Digest
		if m.Config.Size > 0 {
			limit = m.Config.Size
		}
	}
	raw, err := readConfig(img, want, limit)
	if err != nil {
		return nil, want, fmt.Errorf("config %s: %w", want, err)
	}
	if int64(len(raw)) > limit {
		if limit < MaxConfigSize {
			return nil, want, fmt.Errorf("config %s: it is longer than the %d bytes its manifest says", want, limit)
		}
		return nil, want, fmt.Errorf("config %s: it is more than the %d MiB bound verified.MaxConfigSize", want, MaxConfigSize>>20)
	}
	if want.Algorithm != "sha256" {
		return nil, want, fmt.Errorf("config %s: digest algorithm %q is not supported", want, want.Algorithm)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != want.Hex {
		return nil, want, fmt.Errorf("config %s: its bytes hash to sha256:%s, not to the digest that names it", want, got)
	}
	return raw, want, nil
}

// ConfigFile reads img's config as RawConfig does and parses it.
func ConfigFile(img v1.Image) (*v1.ConfigFile, error) {
	raw, want, err := RawConfig(img)
	if err != nil {
		return nil, err
	}
	cf, err := v1.ParseConfigFile(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", want, err)
	}
	return cf, nil
}

// readConfig reads the config named h as a blob, no more than limit+1
// bytes of it into a buffer sized once, where img serves it as one (a
// registry, an OCI layout, whose RawConfigFile would read a blob file of
// any size whole), and through RawConfigFile otherwise.
func readConfig(img v1.Image, h v1.Hash, limit int64) ([]byte, error) {
	if isLocal(img) {
		return img.RawConfigFile()
	}
	l, err := img.LayerByDigest(h)
	if err != nil {
		return img.RawConfigFile()
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var buf bytes.Buffer
	buf.Grow(int(min(limit, MaxConfigSize)) + bytes.MinRead)
	_, err = buf.ReadFrom(io.LimitReader(rc, limit+1))
	return buf.Bytes(), err
}
