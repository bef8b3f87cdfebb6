package transport

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// repoSource is where the blobs of a registry image are fetched: its own
// repository, through one puller, and nowhere else. go-containerregistry
// falls back to a descriptor's urls (a "foreign layer") when the registry
// does not serve a blob; those urls are the image author's to choose, so
// a hostile image would make a pack fetch from any host it names.
type repoSource struct {
	ctx     context.Context
	repo    name.Repository
	puller  *remote.Puller
	timeout time.Duration
}

// blob returns the blob desc names, fetched from the repository by
// digest; desc's urls are dropped.
func (s *repoSource) blob(desc v1.Descriptor) (v1.Layer, error) {
	ref := s.repo.Digest(desc.Digest.String())
	l, err := s.puller.Layer(s.ctx, ref)
	if err != nil {
		return nil, err
	}
	desc.URLs = nil
	return &repoBlob{Layer: l, desc: desc, ref: ref, src: s}, nil
}

// repoImage is a registry image whose layers and config are fetched only
// from its own repository (see repoSource).
type repoImage struct {
	v1.Image
	src *repoSource
}

func (s *repoSource) image(img v1.Image) v1.Image { return &repoImage{Image: img, src: s} }

func (s *repoSource) index(ii v1.ImageIndex) v1.ImageIndex { return &repoIndex{imageIndex: ii, src: s} }

// Layers returns the manifest's layers, in order.
func (r *repoImage) Layers() ([]v1.Layer, error) {
	m, err := r.Manifest()
	if err != nil {
		return nil, err
	}
	ls := make([]v1.Layer, len(m.Layers))
	for i, d := range m.Layers {
		if ls[i], err = r.layer(m, i, d); err != nil {
			return nil, err
		}
	}
	return ls, nil
}

// LayerByDigest returns the layer or config that the manifest names by h.
func (r *repoImage) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	m, err := r.Manifest()
	if err != nil {
		return nil, err
	}
	for i, d := range m.Layers {
		if d.Digest == h {
			return r.layer(m, i, d)
		}
	}
	if m.Config.Digest == h {
		return r.src.blob(m.Config)
	}
	return nil, fmt.Errorf("the manifest names no blob %s", h)
}

// LayerByDiffID returns the layer whose diff_id, as the config names it, is h.
func (r *repoImage) LayerByDiffID(h v1.Hash) (v1.Layer, error) {
	cf, err := verified.ConfigFile(r)
	if err != nil {
		return nil, err
	}
	ls, err := r.Layers()
	if err != nil {
		return nil, err
	}
	for i, d := range cf.RootFS.DiffIDs {
		if d == h && i < len(ls) {
			return ls[i], nil
		}
	}
	return nil, fmt.Errorf("the config names no layer by diff_id %s", h)
}

// ConfigLayer returns the config as a blob.
func (r *repoImage) ConfigLayer() (v1.Layer, error) {
	m, err := r.Manifest()
	if err != nil {
		return nil, err
	}
	return r.src.blob(m.Config)
}

// layer is layer i of m, whose diff_id is read from the config (bounded)
// when asked for.
func (r *repoImage) layer(m *v1.Manifest, i int, d v1.Descriptor) (v1.Layer, error) {
	l, err := r.src.blob(d)
	if err != nil {
		return nil, err
	}
	b := l.(*repoBlob)
	b.diffID = func() (v1.Hash, error) {
		cf, err := verified.ConfigFile(r)
		if err != nil {
			return v1.Hash{}, err
		}
		if i >= len(cf.RootFS.DiffIDs) {
			return v1.Hash{}, fmt.Errorf("the config's rootfs.diff_ids has no entry for layer %d", i)
		}
		return cf.RootFS.DiffIDs[i], nil
	}
	return b, nil
}

// repoBlob is a blob fetched by digest, with the media type and size its
// descriptor names.
type repoBlob struct {
	v1.Layer
	desc   v1.Descriptor
	ref    name.Digest
	src    *repoSource
	diffID func() (v1.Hash, error)
}

// Compressed starts fetching the blob; a failure is said in one line.
func (b *repoBlob) Compressed() (io.ReadCloser, error) {
	rc, err := b.Layer.Compressed()
	if err != nil {
		return nil, registryError("fetch", b.ref, b.src.timeout, context.Cause(b.src.ctx), err)
	}
	return rc, nil
}

func (b *repoBlob) MediaType() (types.MediaType, error) { return b.desc.MediaType, nil }
func (b *repoBlob) Size() (int64, error)                { return b.desc.Size, nil }
func (b *repoBlob) Descriptor() (*v1.Descriptor, error) { d := b.desc; return &d, nil }

func (b *repoBlob) DiffID() (v1.Hash, error) {
	if b.diffID == nil {
		return v1.Hash{}, fmt.Errorf("blob %s is not a layer", b.desc.Digest)
	}
	return b.diffID()
}

// repoIndex is a registry index whose images fetch their blobs only from
// its repository.
type repoIndex struct {
	imageIndex
	src *repoSource
}

// imageIndex lets repoIndex embed a v1.ImageIndex and still define its
// own ImageIndex method.
type imageIndex = v1.ImageIndex

func (r *repoIndex) Image(h v1.Hash) (v1.Image, error) {
	img, err := r.imageIndex.Image(h)
	if err != nil {
		return nil, err
	}
	return r.src.image(img), nil
}

func (r *repoIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	ii, err := r.imageIndex.ImageIndex(h)
	if err != nil {
		return nil, err
	}
	return r.src.index(ii), nil
}

// repoSource returns the source of repo's blobs and the registry options
// that share its puller.
func (o Options) repoSource(ctx context.Context, cancel context.CancelCauseFunc, repo name.Repository) (*repoSource, []remote.Option, error) {
	ro := o.remoteOptions(ctx, cancel, nil)
	p, err := remote.NewPuller(ro...)
	if err != nil {
		return nil, nil, err
	}
	ro = append(ro, remote.Reuse(p))
	return &repoSource{ctx: ctx, repo: repo, puller: p, timeout: o.timeout()}, ro, nil
}
