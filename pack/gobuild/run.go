package gobuild

import (
	"context"
	"os"

	"github.com/scratchpack/scratchpack/pack"
)

// Options are what Run needs besides the import paths.
type Options struct {
	Dir       string              // where go runs and .ko.yaml is read; "" is the working directory
	Environ   []string            // the environment of go build
	Getenv    func(string) string // KO_CONFIG_PATH, KO_DEFAULTPLATFORMS
	Flags     Flags
	ImagePath string           // where the binary goes in each image; "" for /usr/local/bin/NAME
	Pack      pack.PackOptions // how each image is packed
	Logf      func(string, ...any)
	// Keep is where each binary stays between runs, so that go build
	// finds an unchanged one up to date and does not link it again (see
	// keepBound); "" builds each afresh in a temporary directory.
	Keep string
}

// Run is build as ko does it: it reads the .ko.yaml, finds the main
// package of each ref, builds each for every platform, packs each into an
// image (or index), and hands it to publish, which writes it and returns
// its reference. It returns the references in the order of refs.
func Run(ctx context.Context, refs []string, o Options, publish func(context.Context, Package, *pack.Result) (string, error)) ([]string, error) {
	if o.Dir == "" {
		o.Dir = "."
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	cfg, err := LoadConfig(o.Dir, o.Getenv)
	if err != nil {
		return nil, err
	}
	if note := cfg.BaseNote(); note != "" {
		o.Logf("%s", note)
	}
	tmp, err := os.MkdirTemp("", "scratchpack-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	b, err := NewBuilder(ctx, o.Dir, o.Environ, cfg, o.Flags, tmp, o.Pack.Config.Created, o.Logf)
	if err != nil {
		return nil, err
	}
	if o.Keep != "" {
		b.keep = o.Keep
		defer trimKept(o.Keep, keepBound, o.Logf)
	}
	pkgs, err := b.Load(ctx, refs)
	if err != nil {
		return nil, err
	}
	plats, err := b.Platforms()
	if err != nil {
		return nil, err
	}
	return b.Images(ctx, pkgs, plats, o.ImagePath, o.Pack, publish)
}
