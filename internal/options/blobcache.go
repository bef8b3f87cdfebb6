package options

import (
	"github.com/scratchpack/scratchpack/pack/blobcache"
	"github.com/scratchpack/scratchpack/pack/layer"
)

// BlobCache opens the blob cache in dir, which tells what it does at -v
// and warns of a blob too large to keep. No dir, or a cache that cannot
// be opened (said as a warning), is nil: blobs are downloaded each run.
func (c Console) BlobCache(dir string) *blobcache.Cache {
	if dir == "" {
		return nil
	}
	o := blobcache.Options{Warnf: func(format string, args ...any) { c.Logf("warning: "+format, args...) }}
	if c.Log.Verbose {
		o.Logf = c.Logf
	}
	bc, err := blobcache.Open(dir, o)
	if err != nil {
		o.Warnf("%v; downloading without it", err)
		return nil
	}
	return bc
}

// LayerCache opens the layer cache beside the blob cache in dir (see
// layer.Cache), which tells what it does at -v. No dir, or a cache
// that cannot be opened, is no cache: every layer is built.
func (c Console) LayerCache(dir string) *layer.Cache {
	if dir == "" {
		return nil
	}
	var logf func(string, ...any)
	if c.Log.Verbose {
		logf = c.Logf
	}
	lc, err := layer.NewCache(dir, logf, func(format string, args ...any) { c.Logf("warning: "+format, args...) })
	if err != nil {
		return nil
	}
	return lc
}
