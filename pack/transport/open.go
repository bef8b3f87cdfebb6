package transport

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/daemon"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
)

// Open reads an image or index from where the outputs write them: a
// docker-archive tarball (a file), an OCI layout (DIR or DIR:NAME), the
// Docker daemon (docker://NAME), or a registry reference. A reference
// that names no registry is looked for in the daemon, and is otherwise
// taken for a missing file, never looked up on Docker Hub: that takes
// docker.io/NAME.
func Open(ctx context.Context, src string, o Options) (Artifact, error) {
	if n, ok := strings.CutPrefix(src, "docker://"); ok {
		return openDaemon(ctx, n)
	}
	if fi, err := os.Stat(src); err == nil && fi.Mode().IsRegular() {
		if err := checkArchiveConfig(src); err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		img, err := tarball.ImageFromPath(src, nil)
		if err != nil {
			return nil, fmt.Errorf("%s: not a docker-archive tarball: %w", src, err)
		}
		return verified.Local(img), nil
	}
	if dir, tag, ok := layoutRef(src); ok {
		return openLayout(dir, tag)
	}
	if rest, ok := strings.CutPrefix(src, "oci:"); ok {
		return nil, fmt.Errorf("%s: no OCI layout at %s (no oci-layout file there); name the layout's directory", src, quote.Name(rest))
	}
	if isLocalPath(src) { // never a registry's name: no lookup on the network
		return nil, fmt.Errorf("%s: no such file or OCI layout", src)
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
		if img, err := daemon.Image(ref, daemon.WithContext(ctx)); err == nil {
			if _, err := img.Digest(); err == nil {
				return verified.Local(img), nil
			}
		}
		return nil, fmt.Errorf("%s: no such file, OCI layout or daemon image; for an image on Docker Hub, write docker.io/%s", src, src)
	}
	// The image's blobs are read later, lazily, with this context: it is
	// cancelled only by the watchdog (or the caller), never on return.
	ctx, cancel := context.WithCancelCause(ctx)
	rs, ro, err := o.repoSource(ctx, cancel, ref.Context())
	if err != nil {
		cancel(nil)
		return nil, err
	}
	desc, err := remote.Get(ref, ro...)
	if err != nil {
		err = registryError("read", ref, o.timeout(), context.Cause(ctx), err)
		cancel(nil)
		return nil, err
	}
	if desc.MediaType.IsIndex() {
		ii, err := desc.ImageIndex()
		if err != nil {
			return nil, err
		}
		return rs.index(ii), nil
	}
	img, err := desc.Image()
	if err != nil {
		return nil, err
	}
	return rs.image(img), nil
}

// isLayout reports whether d is an OCI image layout.
func isLayout(d string) bool {
	_, err := os.Stat(filepath.Join(d, "oci-layout"))
	return err == nil
}

// isLocalPath reports whether src is written as a path on this machine
// (/..., ./..., ../..., ~...), which a registry reference never is.
func isLocalPath(src string) bool {
	return src == "." || src == ".." || strings.HasPrefix(src, "/") || strings.HasPrefix(src, "./") ||
		strings.HasPrefix(src, "../") || strings.HasPrefix(src, "~")
}

// layoutRef splits [oci:]DIR[:NAME] when DIR is an OCI layout; NAME may
// hold colons of its own (app:1.2, localhost:5000/app:1.2).
func layoutRef(src string) (dir, ref string, ok bool) {
	src = strings.TrimPrefix(src, "oci:")
	if isLayout(src) {
		return src, "", true
	}
	for i := 0; i < len(src); i++ {
		if src[i] == ':' && i > 0 && isLayout(src[:i]) {
			return src[:i], src[i+1:], true
		}
	}
	return "", "", false
}

// openLayout opens the entry of the layout named ref: its full name, or a
// tag that only one entry has (as layouts written before names were full
// name entries by tag alone); no ref opens a layout's only entry.
func openLayout(dir, ref string) (Artifact, error) {
	ii, im, err := layoutIndex(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	var exact, byTag, images []v1.Descriptor
	for _, d := range im.Manifests {
		if n := d.Annotations[AnnotationRefName]; !fallbackName.MatchString(n) { // referrers are not images
			images = append(images, d)
		}
	}
	for _, d := range im.Manifests {
		n := d.Annotations[AnnotationRefName]
		if !fallbackName.MatchString(n) { // an image's attachments, which inspect shows with it
			names = append(names, n)
		}
		switch {
		case n == ref || ref == "" && len(images) == 1 && d.Digest == images[0].Digest:
			exact = append(exact, d)
		case ref != "" && !strings.Contains(ref, ":") && (n == ref || strings.HasSuffix(n, ":"+ref)):
			byTag = append(byTag, d)
		}
	}
	if len(exact) == 0 && len(byTag) == 1 {
		exact = byTag
	}
	switch {
	case len(exact) == 0 && ref == "":
		return nil, fmt.Errorf("%s: the layout has %s; name one as DIR:NAME", dir, quote.List(names))
	case len(exact) == 0:
		return nil, fmt.Errorf("%s: no image named %q; the layout has %s; name one as DIR:NAME", dir, ref, quote.List(names))
	}
	if exact[0].MediaType.IsIndex() {
		return ii.ImageIndex(exact[0].Digest)
	}
	return ii.Image(exact[0].Digest)
}

// layoutIndex reads the layout's index.json (see layoutDir).
func layoutIndex(dir string) (v1.ImageIndex, *v1.IndexManifest, error) {
	ii, err := readLayoutIndex(dir)
	if err != nil {
		return nil, nil, err
	}
	return ii, ii.im, nil
}

// openDaemon reads an image from the local Docker daemon.
func openDaemon(ctx context.Context, n string) (Artifact, error) {
	ref, err := name.ParseReference(n)
	if err != nil {
		return nil, fmt.Errorf("docker://%s: not an image name: %v", n, err)
	}
	img, err := daemon.Image(ref, daemon.WithContext(ctx))
	if err == nil {
		_, err = img.Digest() // the daemon is asked only now
	}
	if err != nil {
		return nil, fmt.Errorf("docker://%s: %v", n, err)
	}
	return verified.Local(img), nil
}

// IsRemote reports whether src names a registry image rather than a
// file, a layout or the daemon.
func IsRemote(src string) bool {
	if strings.HasPrefix(src, "docker://") {
		return false
	}
	if _, err := os.Stat(src); err == nil {
		return false
	}
	if _, _, ok := layoutRef(src); ok {
		return false
	}
	return true
}
