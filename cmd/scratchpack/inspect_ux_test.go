package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/scratchpack/scratchpack/pack/sbom"
)

// TestInspectRawIndex: --raw index prints the index as stored, bytes
// whose digest is the one pack printed; on one image it says to give
// --raw manifest, and --raw manifest on an index says to give --raw
// index or --platform.
func TestInspectRawIndex(t *testing.T) {
	t.Parallel()
	lay := filepath.Join(t.TempDir(), "layout")
	stdout, stderr, code := sp(nil, "pack", "-q", "-t", "app:1", "--oci-layout", lay, goProgram(t, "hello-go", "amd64"), goProgram(t, "hello-go", "arm64"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	index := strings.TrimSpace(strings.TrimPrefix(stdout, "app:1@"))
	raw, stderr, code := sp(nil, "inspect", "--raw", "index", lay+":app:1")
	sum := sha256.Sum256([]byte(strings.TrimSuffix(raw, "\n")))
	if code != 0 || "sha256:"+hex.EncodeToString(sum[:]) != index {
		t.Errorf("--raw index: exit %d (%s), sha256 %x, want %s", code, stderr, sum, index)
	}
	var im v1.IndexManifest
	if err := json.Unmarshal([]byte(raw), &im); err != nil || len(im.Manifests) != 2 {
		t.Errorf("--raw index is not the index of 2 images: %v\n%s", err, raw)
	}
	text, _, _ := sp(nil, "inspect", lay)
	header := regexp.MustCompile(`^` + regexp.QuoteMeta(lay) + `: index ` + index + `, 2 images, [0-9.]+ (kB|MB), [0-9.]+ (kB|MB) unpacked\n`)
	if !header.MatchString(text) {
		t.Errorf("inspect of an index does not begin with its images and total sizes:\n%s", text)
	}
	_, stderr, code = sp(nil, "inspect", "--raw", "manifest", lay)
	if code != 2 || !strings.Contains(stderr, "is an index; give --raw index for the index, or --platform OS/ARCH for that image's manifest") {
		t.Errorf("--raw manifest of an index: exit %d, %q", code, stderr)
	}
	_, stderr, code = sp(nil, "inspect", "--raw", "index", "--platform", "arm64", lay)
	if code != 2 || !strings.Contains(stderr, "drop --platform") {
		t.Errorf("--raw index --platform: exit %d, %q", code, stderr)
	}
	tarball := filepath.Join(t.TempDir(), "one.tar")
	if _, stderr, code := sp(nil, "pack", "-q", "-o", tarball, "../../testdata/elf/musl-static"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, stderr, code = sp(nil, "inspect", "--raw", "index", tarball)
	if code != 2 || !strings.Contains(stderr, "is one image, not an index; give --raw manifest") {
		t.Errorf("--raw index of one image: exit %d, %q", code, stderr)
	}
}

// TestInspectEnvSizesAndAttachments: each env entry is a line of its own,
// so "GREETING=hello world" and "A=1" cannot be read as one; sizes are
// human-readable with the total and the unpacked size, in JSON exact and
// the same as the layer's own; the SBOM attached in a layout is shown
// with its type and digest, and its fallback tag is not among the
// layout's names.
func TestInspectEnvSizesAndAttachments(t *testing.T) {
	t.Parallel()
	lay := filepath.Join(t.TempDir(), "layout")
	_, stderr, code := sp(nil, "pack", "-q", "-t", "app:1", "--env", "GREETING=hello world", "--env", "A=1", "--oci-layout", lay, "../../testdata/elf/musl-static")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	text, stderr, code := sp(nil, "inspect", lay+":app:1")
	if code != 0 {
		t.Fatalf("inspect: exit %d: %s", code, stderr)
	}
	for _, line := range []string{"  env:        GREETING=hello world\n", "  env:        A=1\n"} {
		if !strings.Contains(text, line) {
			t.Errorf("inspect lacks the line %q:\n%s", line, text)
		}
	}
	size := regexp.MustCompile(`(?m)^  size:       [0-9.]+ (B|kB|MB), [0-9.]+ (B|kB|MB) unpacked, in 1 layer$`)
	layerLine := regexp.MustCompile(`(?m)^  layer sha256:[0-9a-f]{64} \([0-9.]+ (B|kB|MB), [0-9.]+ (B|kB|MB) unpacked, application/vnd\.oci\.image\.layer\.v1\.tar\+gzip\)$`)
	if !size.MatchString(text) || !layerLine.MatchString(text) {
		t.Errorf("inspect shows no human-readable sizes:\n%s", text)
	}

	// What the layout itself holds: the image's layer and the fallback
	// tag index of its attachments.
	lp, err := layout.FromPath(lay)
	if err != nil {
		t.Fatal(err)
	}
	ii, _ := lp.ImageIndex()
	im, err := ii.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var img v1.Image
	var attached []v1.Descriptor
	for _, d := range im.Manifests {
		switch n := d.Annotations["org.opencontainers.image.ref.name"]; {
		case n == "app:1":
			img, _ = ii.Image(d.Digest)
		case strings.Contains(n, ":sha256-"):
			refs, _ := ii.ImageIndex(d.Digest)
			rm, err := refs.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			attached = append(attached, rm.Manifests...)
		}
	}
	if img == nil || len(attached) != 1 {
		t.Fatalf("layout holds image %v and %d attachments; want app:1 and its SBOM", img, len(attached))
	}
	layers, _ := img.Layers()
	wantSize, _ := layers[0].Size()
	rc, _ := layers[0].Uncompressed()
	wantUnpacked, err := io.Copy(io.Discard, rc)
	if err != nil {
		t.Fatal(err)
	}

	js, _, _ := sp(nil, "inspect", "--json", lay+":app:1")
	var d struct {
		Size             int64 `json:"size"`
		UncompressedSize int64 `json:"uncompressed_size"`
		Layers           []struct {
			Size             int64 `json:"size"`
			UncompressedSize int64 `json:"uncompressed_size"`
		}
		Referrers []struct {
			Digest       string `json:"digest"`
			ArtifactType string `json:"artifact_type"`
			Size         int64  `json:"size"`
		}
	}
	if err := json.Unmarshal([]byte(js), &d); err != nil {
		t.Fatal(err)
	}
	if d.Size != wantSize || d.UncompressedSize != wantUnpacked || len(d.Layers) != 1 || d.Layers[0].Size != wantSize || d.Layers[0].UncompressedSize != wantUnpacked {
		t.Errorf("sizes %+v; want %d stored and %d unpacked", d, wantSize, wantUnpacked)
	}
	if len(d.Referrers) != 1 || d.Referrers[0].Digest != attached[0].Digest.String() || d.Referrers[0].ArtifactType != sbom.SPDX.MediaType() || d.Referrers[0].Size <= 0 {
		t.Errorf("referrers %+v; want the SBOM %s", d.Referrers, attached[0].Digest)
	}
	if want := "  attached:   " + sbom.SPDX.MediaType() + " " + attached[0].Digest.String() + " ("; !strings.Contains(text, want) {
		t.Errorf("inspect lacks %q:\n%s", want, text)
	}

	_, stderr, code = sp(nil, "inspect", lay+":nope")
	if code != 1 || !strings.Contains(stderr, "app:1") || strings.Contains(stderr, "sha256-") {
		t.Errorf("the layout's names: exit %d, %q; want app:1 and no fallback tag", code, stderr)
	}
	// With a second image, the layout alone names no image: the names
	// listed are the two images', without their attachments' tags.
	if _, stderr, code := sp(nil, "pack", "-q", "-t", "app:2", "--env", "B=2", "--oci-layout", lay, "../../testdata/elf/musl-static"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	_, stderr, code = sp(nil, "inspect", lay)
	if want := lay + ": the layout has app:1, app:2; name one as DIR:NAME"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("inspect of a layout of two images: exit %d, %q; want %q", code, stderr, want)
	}
}
