package pack

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Artifact is what the outputs write: one image, or an index of images
// for several platforms. Exactly one of the fields is set.
type Artifact struct {
	Image v1.Image
	Index v1.ImageIndex
}

// Digest is the digest of the image manifest or of the index.
func (a Artifact) Digest() (v1.Hash, error) {
	if a.Index != nil {
		return a.Index.Digest()
	}
	return a.Image.Digest()
}

func (a Artifact) taggable() remote.Taggable {
	if a.Index != nil {
		return a.Index
	}
	return a.Image
}

func (a Artifact) appendable() mutate.Appendable {
	if a.Index != nil {
		return a.Index
	}
	return a.Image
}
