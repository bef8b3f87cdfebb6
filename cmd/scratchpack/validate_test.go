package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// outputFlags are the flags of pack and build that name an image file
// or layout the command writes: validateOutputs checks each of them.
var outputFlags = map[string]func(string, ...validate.Option) error{
	"-o":                validateTarball,
	"--output":          validateTarball,
	"--tarball":         validateTarball,
	"--oci-layout":      validateLayout,
	"--oci-layout-path": validateLayout,
}

// validateOutputs runs go-containerregistry's validate over every
// tarball and layout a successful command line wrote, so that each image
// a test makes is checked as a registry or runtime would read it:
// manifest, config and every layer's digest, diff_id and size.
//
// go-containerregistry reads a docker-archive's layers as gzip or
// uncompressed only, so a tarball of zstd layers (which docker load
// takes) has its manifest and config validated, and its layers left to
// the tests that read them.
func validateOutputs(args []string) error {
	zstd := false
	for i, a := range args {
		zstd = zstd || a == "--compression=zstd" || a == "--compression" && i+1 < len(args) && args[i+1] == "zstd"
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		flag, value, ok := strings.Cut(a, "=")
		check := outputFlags[flag]
		if check == nil {
			continue
		}
		if !ok {
			if i+1 == len(args) {
				break
			}
			i++
			value = args[i]
		}
		if value == "-" || value == "" {
			continue
		}
		var opts []validate.Option
		if zstd && flag != "--oci-layout" && flag != "--oci-layout-path" {
			opts = append(opts, validate.Fast)
		}
		if err := check(value, opts...); err != nil {
			return fmt.Errorf("%s %s: %w", flag, value, err)
		}
	}
	return nil
}

// validateTarball validates each image of a docker-archive tarball; a
// tarball written to a device or FIFO is gone, and left alone.
func validateTarball(path string, opts ...validate.Option) error {
	if fi, err := os.Stat(path); err != nil || !fi.Mode().IsRegular() {
		return err
	}
	m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(path) })
	if err != nil {
		return err
	}
	for _, d := range m {
		var tag *name.Tag
		if len(m) > 1 {
			if len(d.RepoTags) == 0 {
				return fmt.Errorf("an image of %d has no tag", len(m))
			}
			t, err := name.NewTag(d.RepoTags[0])
			if err != nil {
				return err
			}
			tag = &t
		}
		img, err := tarball.ImageFromPath(path, tag)
		if err != nil {
			return err
		}
		if err := validateImage(img, opts...); err != nil {
			return err
		}
	}
	return nil
}

// validated holds the layers validateImage checked whole, by what their
// image says of them (digest, diff_id, size, media type): the tests pack
// the same inputs again and again, under other names and configs (and a
// layout keeps what earlier packs added), and under -race validating a
// layer costs as much as packing it.
var validated sync.Map // layerClaim => bool

// layerClaim is what an image says of one of its layers.
type layerClaim struct {
	digest, diffID v1.Hash
	size           int64
	mediaType      types.MediaType
}

// validateImage validates img's manifest and config (validate.Fast)
// every time, and each of its layers whole once per claim, unless opts
// say Fast: validate.Layer checks the layer's bytes against what the
// manifest and config claim of it (digest, size, diff_id). The claims
// are read from them rather than from the layer, whose DiffID a layout
// computes by decompressing it: under -race, decompressing the layers
// was a sixth of these tests' time.
func validateImage(img v1.Image, opts ...validate.Option) error {
	if err := validate.Image(img, validate.Fast); err != nil {
		return err
	}
	if len(opts) > 0 { // validate.Fast: the layers are left alone
		return nil
	}
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	layers := 0 // the layers so far, which have diff_ids (an artifact's blobs have none)
	for i, desc := range m.Layers {
		c := layerClaim{digest: desc.Digest, size: desc.Size, mediaType: desc.MediaType}
		if desc.MediaType.IsLayer() {
			if layers >= len(cf.RootFS.DiffIDs) {
				return fmt.Errorf("layer %d: the config has %d diff_ids", i, len(cf.RootFS.DiffIDs))
			}
			c.diffID = cf.RootFS.DiffIDs[layers]
			layers++
		}
		if _, ok := validated.Load(c); ok {
			continue
		}
		l, err := img.LayerByDigest(desc.Digest)
		if err != nil {
			return fmt.Errorf("layer %d: %w", i, err)
		}
		if err := validateLayer(claimedLayer{l, c}); err != nil {
			return fmt.Errorf("layer %d: %w", i, err)
		}
		validated.Store(c, true)
	}
	return nil
}

// claimedLayer is a layer that says what its image claims of it.
type claimedLayer struct {
	v1.Layer
	c layerClaim
}

func (l claimedLayer) Digest() (v1.Hash, error)            { return l.c.digest, nil }
func (l claimedLayer) DiffID() (v1.Hash, error)            { return l.c.diffID, nil }
func (l claimedLayer) Size() (int64, error)                { return l.c.size, nil }
func (l claimedLayer) MediaType() (types.MediaType, error) { return l.c.mediaType, nil }

// validateLayer checks a layer's bytes against its claims: a layer's
// with validate.Layer, another blob's (an SBOM attached as an artifact)
// by its digest and size, as validate.Image does.
func validateLayer(l claimedLayer) error {
	if l.c.mediaType.IsLayer() {
		return validate.Layer(l)
	}
	rc, err := l.Compressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	h, n, err := v1.SHA256(rc)
	if err != nil {
		return err
	}
	if h != l.c.digest || n != l.c.size {
		return fmt.Errorf("blob %s of %d bytes holds %d bytes of %s", l.c.digest, l.c.size, n, h)
	}
	return nil
}

// validateLayout validates an OCI layout: its index and every index in
// it with validate.Fast, and each image it holds with validateImage.
func validateLayout(dir string, opts ...validate.Option) error {
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return err
	}
	return validateIndex(idx, opts...)
}

func validateIndex(idx v1.ImageIndex, opts ...validate.Option) error {
	if err := validate.Index(idx, validate.Fast); err != nil {
		return err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	for _, desc := range m.Manifests {
		switch {
		case desc.MediaType.IsIndex():
			child, err := idx.ImageIndex(desc.Digest)
			if err != nil {
				return err
			}
			if err := validateIndex(child, opts...); err != nil {
				return err
			}
		case desc.MediaType.IsImage():
			img, err := idx.Image(desc.Digest)
			if err != nil {
				return err
			}
			if err := validateImage(img, opts...); err != nil {
				return fmt.Errorf("image %s: %w", desc.Digest, err)
			}
		}
	}
	return nil
}

// The check itself fails on an image whose layer is not what its
// manifest says: a byte of the layer changed, in a tarball and in a
// layout.
func TestValidateOutputsRefusesACorruptLayer(t *testing.T) {
	t.Parallel()
	bin := "../../testdata/elf/musl-static"
	dir := t.TempDir()
	out, lay := filepath.Join(dir, "img.tar"), filepath.Join(dir, "layout")
	if _, stderr, code := sp(nil, "pack", "-o", out, "--oci-layout", lay, bin); code != 0 {
		t.Fatalf("pack: exit %d: %s", code, stderr)
	}
	// In the tarball, the layer is the entry named NAME.tar.gz (the
	// config is sha256:HEX, the manifest manifest.json).
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var rewritten bytes.Buffer
	tr, tw := tar.NewReader(bytes.NewReader(b)), tar.NewWriter(&rewritten)
	flipped := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(h.Name, ".tar.gz") {
			body[len(body)/2] ^= 0xff
			flipped++
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil || flipped != 1 {
		t.Fatalf("rewriting the tarball: %v, %d layers changed", err, flipped)
	}
	if err := os.WriteFile(out, rewritten.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	validated.Clear() // the pack validated this image whole; its layer changed since
	if err := validateOutputs([]string{"pack", "-o", out, bin}); err == nil {
		t.Error("a tarball with a changed layer byte passed")
	}
	// In the layout, the largest blob is the layer.
	blobs, _ := filepath.Glob(filepath.Join(lay, "blobs", "sha256", "*"))
	largest, size := "", int64(0)
	for _, p := range blobs {
		if fi, err := os.Stat(p); err == nil && fi.Size() > size {
			largest, size = p, fi.Size()
		}
	}
	layer, err := os.ReadFile(largest)
	if err != nil {
		t.Fatal(err)
	}
	layer[len(layer)/2] ^= 0xff
	validated.Clear() // the pack validated this image whole; its blob changed since
	if err := os.WriteFile(largest, layer, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := validateOutputs([]string{"pack", "--oci-layout=" + lay, bin}); err == nil {
		t.Error("a layout with a changed layer byte passed")
	}
}
