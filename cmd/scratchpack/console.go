package main

import (
	"fmt"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/blobcache"
	"github.com/scratchpack/scratchpack/pack/layer"
	"github.com/scratchpack/scratchpack/pack/source"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// Logf writes one log line to stderr, unless -q, with what is not
// printable escaped (see quote.Escape), since a log may name what an
// image or a registry said.
func (a *app) Logf(format string, args ...any) {
	if !a.Log.Quiet {
		fmt.Fprintf(a.Stderr, "scratchpack: %s\n", quote.Escape(fmt.Sprintf(format, args...)))
	}
}

// warnf logs a warning.
func (a *app) warnf(format string, args ...any) { a.Logf("warning: "+format, args...) }

// verbosef is Logf at -v, else nil: what a library logs only when asked.
func (a *app) verbosef() func(string, ...any) {
	if a.Log.Verbose {
		return a.Logf
	}
	return nil
}

// registryOptions returns the options of reg with the progress
// reporting that suits the console: a progress bar on a terminal, a line
// per blob (as ko logs them) otherwise or with -v, nothing with -q or
// when bars of several writers would interleave (bars false).
func (a *app) registryOptions(reg options.Registry, bars bool) transport.Options {
	o := reg.Options
	o.UserAgent = "scratchpack/" + cli.Version()
	switch {
	case a.Log.Quiet:
	case bars && cli.IsTerminal(a.Stderr) && !a.Log.Verbose:
		o.Progress = a.Stderr
	default:
		o.Log = a.Logf
	}
	return o
}

// blobCache opens the blob cache in source.DefaultCacheDir, which tells
// what it does at -v and warns of a blob too large to keep. No cache
// directory, or a cache that cannot be opened (said as a warning), is
// nil: blobs are downloaded each run.
func (a *app) blobCache() *blobcache.Cache {
	dir := source.DefaultCacheDir()
	if dir == "" {
		return nil
	}
	bc, err := blobcache.Open(dir, blobcache.Options{Warnf: a.warnf, Logf: a.verbosef()})
	if err != nil {
		a.warnf("%v; downloading without it", err)
		return nil
	}
	return bc
}

// layerCache opens the layer cache beside the blob cache (see
// layer.Cache), which tells what it does at -v. No cache directory,
// or a cache that cannot be opened, is no cache: every layer is built.
func (a *app) layerCache() *layer.Cache {
	dir := source.DefaultCacheDir()
	if dir == "" {
		return nil
	}
	lc, err := layer.NewCache(dir, a.verbosef(), a.warnf)
	if err != nil {
		return nil
	}
	return lc
}
