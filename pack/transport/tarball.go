package transport

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/internal/ctxio"
)

// WriteTarball writes a as a docker-archive tarball, the format that
// `docker load` and `podman load` read, with every tag in tags. A new or
// regular file appears only once it is complete; a device or FIFO is
// written as a stream. A docker-archive holds images of one platform, so
// an index is refused.
func WriteTarball(ctx context.Context, path string, a Artifact, tags []name.Tag) error {
	s, err := stageTarball(ctx, path, nil, a, tags)
	if err != nil {
		return err
	}
	return s.commit()
}

// stageTarball stages WriteTarball's output, refusing to write over one
// of inputs.
func stageTarball(ctx context.Context, path string, inputs []string, a Artifact, tags []name.Tag) (*staged, error) {
	img, ok := a.(v1.Image)
	if !ok {
		return nil, fmt.Errorf("%s: a docker-archive holds one platform's image, not an index", path)
	}
	return stageOutput(path, inputs, func(w io.Writer) error { return tarballTo(ctx, w, img, tags) })
}

// tarballTo streams img as a docker-archive into w, laid out as
// go-containerregistry's tarball.Write lays it out (the config, each layer
// as HEX.tar.gz, then manifest.json), with the tags in the order given.
// It is written here rather than with tarball.MultiRefWrite because that
// orders RepoTags by map iteration: one image with two tags gave different
// bytes from run to run, which a reproducible release cannot have; and
// because archive/tar's writer copies each layer through the process,
// where this hands the layer and w to io.Copy, which lets the kernel copy
// a layer kept in a file into a file. The bytes are those archive/tar
// writes.
func tarballTo(ctx context.Context, w io.Writer, img v1.Image, tags []name.Tag) error {
	cfgName, err := img.ConfigName()
	if err != nil {
		return err
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	if err := tarEntry(ctx, w, cfgName.String(), bytes.NewReader(cfg), int64(len(cfg))); err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	desc := tarball.Descriptor{Config: cfgName.String()}
	for _, l := range layers {
		if err := tarLayer(ctx, w, l, &desc); err != nil {
			return err
		}
	}
	for _, t := range tags {
		ts := t.String()
		if t.Identifier() == name.DefaultTag && !strings.HasSuffix(ts, ":"+name.DefaultTag) {
			ts += ":" + name.DefaultTag // docker load wants the tag spelled out
		}
		desc.RepoTags = append(desc.RepoTags, ts)
	}
	m, err := json.Marshal(tarball.Manifest{desc})
	if err != nil {
		return err
	}
	if err := tarEntry(ctx, w, "manifest.json", bytes.NewReader(m), int64(len(m))); err != nil {
		return err
	}
	_, err = w.Write(make([]byte, 2*blockSize)) // the end of the archive
	return err
}

// tarLayer streams one layer's blob into w and names it in desc.
func tarLayer(ctx context.Context, w io.Writer, l v1.Layer, desc *tarball.Descriptor) error {
	d, err := l.Digest()
	if err != nil {
		return err
	}
	size, err := l.Size()
	if err != nil {
		return err
	}
	ext := ".tar.gz"
	switch mt, _ := l.MediaType(); mt {
	case types.OCILayerZStd:
		ext = ".tar.zst"
	case types.OCIUncompressedLayer, types.DockerUncompressedLayer:
		ext = ".tar"
	}
	rc, err := l.Compressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	desc.Layers = append(desc.Layers, d.Hex+ext)
	return tarEntry(ctx, w, d.Hex+ext, rc, size)
}

// blockSize is a tar archive's unit: headers are one block, contents
// are padded to a whole number of blocks.
const blockSize = 512

// tarEntry writes one regular file of size bytes from r: the header as
// archive/tar writes it, the contents, the padding.
func tarEntry(ctx context.Context, w io.Writer, name string, r io.Reader, size int64) error {
	var hdr bytes.Buffer
	if err := tar.NewWriter(&hdr).WriteHeader(&tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg, Size: size}); err != nil {
		return err
	}
	if _, err := ctxio.Writer(ctx, w).Write(hdr.Bytes()); err != nil {
		return err
	}
	n, err := io.Copy(w, r)
	if err == nil && n != size {
		err = fmt.Errorf("%s: %d bytes, want %d", name, n, size)
	}
	if err != nil {
		return err
	}
	_, err = w.Write(make([]byte, (blockSize-size%blockSize)%blockSize))
	return err
}
