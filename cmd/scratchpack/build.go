package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/gobuild"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// buildFlags are what build and resolve share: ko's flags, where
// libraries are found, and every image flag of pack.
type buildFlags struct {
	build options.Build
	res   options.Resolve
	img   options.Image
}

func (f *buildFlags) register(a *app, fs *pflag.FlagSet) {
	f.build.AddFlags(fs)
	f.res.AddLibraryFlags(fs)
	f.img.AddFlags(fs)
	a.Log.AddFlags(fs)
}

func (a *app) buildCommand() cli.Command {
	return cli.Command{
		Name:     "build",
		Summary:  "Build Go main packages for each platform and publish them, as ko build does",
		Usage:    "build [flags] IMPORTPATH...",
		Examples: helpText("build"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var f buildFlags
			f.register(a, fs)
			return func(args, after []string) error {
				refs, err := a.buildImages(&f, append(args, after...))
				for _, r := range refs {
					fmt.Fprintln(a.Stdout, r)
				}
				return err
			}
		},
	}
}

// buildImages builds and publishes one image per import path, several at
// once, and returns their references in the order given.
func (a *app) buildImages(f *buildFlags, refs []string) ([]string, error) {
	if len(refs) == 0 {
		return nil, cli.Usagef("name the main package to build: ./cmd/app, or an import path")
	}
	pub, err := f.build.Publisher(a.getenv, len(refs))
	if err != nil {
		return nil, err
	}
	cfg, err := gobuild.LoadConfig(".", a.getenv)
	if err != nil {
		return nil, err
	}
	if len(cfg.Ignored) > 0 {
		a.Logf("%s: %s ignored: scratchpack images have no base image", cfg.File, strings.Join(cfg.Ignored, ", "))
	}
	opts, err := f.img.PackOptions(nil, a.getenv, true)
	if err != nil {
		return nil, err
	}
	f.build.SBOM.Apply(&opts, pub.Destinations())
	po := f.res.PackOptions(opts)
	po.Static = f.img.Static
	pkgs, err := gobuild.Load(a.ctx, ".", a.environ(), refs)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "scratchpack-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	b, err := gobuild.NewBuilder(a.ctx, ".", a.environ(), cfg, f.build.GoFlags(), tmp, opts.Config.Created, a.Logf)
	if err != nil {
		return nil, err
	}
	plats, err := b.Platforms()
	if err != nil {
		return nil, cli.Usagef("--platform: %v", err)
	}
	out, err := b.Images(a.ctx, pkgs, plats, f.img.Path, po, func(ctx context.Context, pkg gobuild.Package, r *pack.Result) (string, error) {
		return pub.Publish(ctx, a.Console, pkg.ImportPath, r)
	})
	if err != nil {
		return nil, err
	}
	if f.build.Refs != "" {
		err = transport.WriteOutput(f.build.Refs, nil, func(w io.Writer) error {
			_, err := io.WriteString(w, strings.Join(out, "\n")+"\n")
			return err
		})
	}
	return out, err
}
