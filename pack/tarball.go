package pack

import (
	"os"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// WriteTarball writes img as a docker-archive tarball, the format that
// `docker load` and `podman load` read, with every tag in tags. The file
// appears only once it is complete.
func WriteTarball(path string, img v1.Image, tags []name.Tag) error {
	refs := make(map[name.Reference]v1.Image, len(tags))
	for _, t := range tags {
		refs[t] = img
	}
	return writeAtomic(path, func(f *os.File) error {
		return tarball.MultiRefWrite(refs, f)
	})
}
