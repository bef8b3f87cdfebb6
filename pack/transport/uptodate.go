package transport

import (
	"context"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// upToDate reports whether every tag already names a in its registry, so
// that a push uploads nothing: a registry that holds a manifest holds its
// blobs. It asks with a HEAD of each tag; any failure, or a tag that
// names something else, is "no", and the push then finds out for itself.
func upToDate(ctx context.Context, a Artifact, tags []name.Tag, o Options) bool {
	want, err := a.Digest()
	if err != nil {
		return false
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	opts := o.remoteOptions(ctx, cancel, nil)
	for _, t := range tags {
		var ref name.Reference = t
		if o.Insecure {
			if ref, err = name.NewTag(t.String(), name.Insecure); err != nil {
				return false
			}
		}
		d, err := remote.Head(ref, opts...)
		if err != nil || d.Digest != want {
			return false
		}
	}
	return true
}
