package source

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/blobcache"
	"github.com/scratchpack/scratchpack/pack/imagefs"
	"github.com/scratchpack/scratchpack/pack/imageref"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// Source is an image programs are taken out of (--from): its file
// system, read as a root, and its config.
type Source struct {
	Ref    string
	Root   *elfscan.Root
	Config *v1.ConfigFile
	fs     *imagefs.FS
}

// Open opens the image ref (any form package imageref parses) for
// platform p, picking p's image of an index, and reads its file system
// without running anything. Blobs from a registry are read through cache, when it is
// set, so that a second pack downloads nothing; each is verified against
// its digest before it is kept and again before it is served.
func Open(ctx context.Context, ref imageref.Reference, p v1.Platform, o transport.Options, cache *blobcache.Cache, tmpDir string) (*Source, error) {
	art, err := transport.Open(ctx, ref, o)
	if err != nil {
		return nil, err
	}
	img, err := transport.Select(ctx, art, p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	if cache != nil && ref.Kind() == imageref.Registry && ref.NamesRegistry() {
		img = cache.Image(ctx, img)
	}
	cf, err := verified.ConfigFile(img)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	var tars *blobcache.Cache // the layers' tar streams are kept with their blobs: a second pack decompresses nothing
	if cache != nil && ref.Kind() == imageref.Registry && ref.NamesRegistry() {
		tars = cache
	}
	fsys, err := imagefs.OpenCached(ctx, img, tmpDir, tars)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	return &Source{Ref: ref.String(), Root: elfscan.FSRoot(fsys, "image "+ref.String()), Config: cf, fs: fsys}, nil
}

// Close removes the image's temporary file.
func (s *Source) Close() error { return s.fs.Close() }

// DefaultCacheDir is where blobs of --from images are kept (see
// blobcache): $XDG_CACHE_HOME/scratchpack/blobs, or
// ~/.cache/scratchpack/blobs; "" when there is no home directory.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "scratchpack", "blobs")
}
