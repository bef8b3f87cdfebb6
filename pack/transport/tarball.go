package transport

import (
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// WriteTarball writes a as a docker-archive tarball, the format that
// `docker load` and `podman load` read, with every tag in tags. The file
// appears only once it is complete. A docker-archive holds images of one
// platform, so an index is refused.
func WriteTarball(path string, a Artifact, tags []name.Tag) error {
	img, ok := a.(v1.Image)
	if !ok {
		return fmt.Errorf("%s: a docker-archive holds one platform's image, not an index", path)
	}
	refs := make(map[name.Reference]v1.Image, len(tags))
	for _, t := range tags {
		refs[t] = img
	}
	return writeAtomic(path, func(f *os.File) error {
		return tarball.MultiRefWrite(refs, f)
	})
}
