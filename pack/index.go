package pack

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Index makes an OCI image index of images for different platforms, with
// annotations on the index itself. Two images for the same platform are an
// error naming both programs.
func Index(built []*Built, annotations map[string]string) (v1.ImageIndex, error) {
	seen := map[string]string{}
	adds := make([]mutate.IndexAddendum, 0, len(built))
	for _, b := range built {
		key := b.Platform.String()
		if other, ok := seen[key]; ok {
			return nil, fmt.Errorf("%s and %s are both for %s; an index holds one image per platform", other, b.Report.Path, key)
		}
		seen[key] = b.Report.Path
		p := b.Platform
		adds = append(adds, mutate.IndexAddendum{Add: b.Image, Descriptor: v1.Descriptor{Platform: &p}})
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	idx = mutate.AppendManifests(idx, adds...)
	if len(annotations) > 0 {
		idx = mutate.Annotations(idx, annotations).(v1.ImageIndex)
	}
	return idx, nil
}
