package main

import (
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/pack/source"
)

// openFrom opens --from's image, for the platform res picks (see
// options.Resolve.FromPlatform), its blobs read through the blob cache;
// nil when there is no --from. The caller closes it.
func (a *app) openFrom(res *options.Resolve, reg options.Registry) (*source.Source, error) {
	if res.From.IsZero() {
		return nil, nil
	}
	return source.Open(a.ctx, res.From, res.FromPlatform(), reg.Options, a.blobCache(), "")
}
