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
	"github.com/scratchpack/scratchpack/internal/tarblock"
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
// of inputs. When the image's layer lies in a file that can take a second
// name beside path, the archive is written around it there (see
// stageInPlace); otherwise the layer is copied into a new file.
func stageTarball(ctx context.Context, path string, inputs []string, a Artifact, tags []name.Tag) (*staged, error) {
	img, ok := a.(v1.Image)
	if !ok {
		return nil, fmt.Errorf("%s: a docker-archive holds one platform's image, not an index", path)
	}
	stream, err := checkOutput(path, inputs)
	if err != nil {
		return nil, err
	}
	if !stream {
		if s, err := stageInPlace(ctx, path, img, tags); s != nil || err != nil {
			return s, err
		}
	}
	return stageChecked(path, stream, func(w io.Writer) error { return tarballTo(ctx, w, img, tags, false) })
}

// tarballTo streams img as a docker-archive into w: each layer as
// HEX.tar.gz, the config, then manifest.json with the tags in the order
// given. It is written here rather than with tarball.MultiRefWrite
// because that orders RepoTags by map iteration (one image with two tags
// gave different bytes from run to run, which a reproducible release
// cannot have), and because this way the first layer can lie in place at
// the start of the file (see stageInPlace) and the others are copied by
// io.Copy, which lets the kernel copy a layer kept in a file into a file.
// With placed, the first layer's header and contents are in w already.
// The headers are those archive/tar writes.
func tarballTo(ctx context.Context, w io.Writer, img v1.Image, tags []name.Tag, placed bool) error {
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	var desc tarball.Descriptor
	for i, l := range layers {
		if err := tarLayer(ctx, w, l, &desc, placed && i == 0); err != nil {
			return err
		}
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return err
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	desc.Config = cfgName.String()
	if err := tarEntry(ctx, w, desc.Config, bytes.NewReader(cfg), int64(len(cfg))); err != nil {
		return err
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
	return tarblock.End(w)
}

// layerEntry is the name of a layer's file in a docker-archive.
func layerEntry(l v1.Layer) (string, error) {
	d, err := l.Digest()
	if err != nil {
		return "", err
	}
	ext := ".tar.gz"
	switch mt, _ := l.MediaType(); mt {
	case types.OCILayerZStd:
		ext = ".tar.zst"
	case types.OCIUncompressedLayer, types.DockerUncompressedLayer:
		ext = ".tar"
	}
	return d.Hex + ext, nil
}

// tarLayer writes one layer's blob into w, or with placed only what
// follows it, and names it in desc.
func tarLayer(ctx context.Context, w io.Writer, l v1.Layer, desc *tarball.Descriptor, placed bool) error {
	name, err := layerEntry(l)
	if err != nil {
		return err
	}
	size, err := l.Size()
	if err != nil {
		return err
	}
	desc.Layers = append(desc.Layers, name)
	if placed {
		return tarblock.Pad(w, size)
	}
	rc, err := l.Compressed()
	if err != nil {
		return err
	}
	defer rc.Close()
	return tarEntry(ctx, w, name, rc, size)
}

// fileHeader is the header of a docker-archive's regular file.
func fileHeader(name string, size int64) *tar.Header {
	return &tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg, Size: size}
}

// tarEntry writes one regular file of size bytes from r: the header, the
// contents, the padding.
func tarEntry(ctx context.Context, w io.Writer, name string, r io.Reader, size int64) error {
	if err := tarblock.WriteHeader(ctxio.Writer(ctx, w), fileHeader(name, size)); err != nil {
		return err
	}
	n, err := io.Copy(w, r)
	if err == nil && n != size {
		err = fmt.Errorf("%s: %d bytes, want %d", name, n, size)
	}
	if err != nil {
		return err
	}
	return tarblock.Pad(w, size)
}
