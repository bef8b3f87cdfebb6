package transport

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Open reads an image or index from where the outputs write them: a
// docker-archive tarball (a file), an OCI layout (DIR or DIR:TAG), or a
// registry reference. A reference that names no registry is taken for a
// missing file, never looked up on Docker Hub: that takes docker.io/NAME.
func Open(ctx context.Context, src string, o Options) (Artifact, error) {
	if fi, err := os.Stat(src); err == nil && fi.Mode().IsRegular() {
		img, err := tarball.ImageFromPath(src, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: not a docker-archive tarball: %w", src, err)
		}
		return img, nil
	}
	if dir, tag, ok := layoutRef(src); ok {
		return openLayout(dir, tag)
	}
	var opts []name.Option
	if o.Insecure {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(src, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: no such file or OCI layout, and not an image reference", src)
	}
	if ref.Context().RegistryStr() == name.DefaultRegistry && !strings.HasPrefix(src, "docker.io/") && !strings.HasPrefix(src, name.DefaultRegistry+"/") {
		return nil, fmt.Errorf("%s: no such file or OCI layout; for an image on Docker Hub, write docker.io/%s", src, src)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	desc, err := remote.Get(ref, o.remoteOptions(ctx, cancel)...)
	if err != nil {
		return nil, registryError("read", ref, o.timeout(), context.Cause(ctx), err)
	}
	if desc.MediaType.IsIndex() {
		return desc.ImageIndex()
	}
	return desc.Image()
}

// layoutRef splits DIR[:TAG] when DIR is an OCI layout.
func layoutRef(src string) (dir, tag string, ok bool) {
	isLayout := func(d string) bool {
		_, err := os.Stat(filepath.Join(d, "oci-layout"))
		return err == nil
	}
	if isLayout(src) {
		return src, "", true
	}
	if i := strings.LastIndexByte(src, ':'); i > 0 && isLayout(src[:i]) {
		return src[:i], src[i+1:], true
	}
	return "", "", false
}

func openLayout(dir, tag string) (Artifact, error) {
	lp, err := layout.FromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	ii, err := lp.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	im, err := ii.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	var tags []string
	for _, d := range im.Manifests {
		t := d.Annotations[AnnotationRefName]
		tags = append(tags, t)
		if t != tag && !(tag == "" && len(im.Manifests) == 1) {
			continue
		}
		if d.MediaType.IsIndex() {
			return ii.ImageIndex(d.Digest)
		}
		return ii.Image(d.Digest)
	}
	return nil, fmt.Errorf("%s: no image tagged %q; the layout has %s; name one as DIR:TAG", dir, tag, strings.Join(tags, ", "))
}
