package main

import (
	"context"
	"fmt"
	"io"
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
	if d := pub.Destinations(); (d.Daemon || d.Tarball != "") && severalPlatforms(f.build.Flags.Platform) {
		return nil, cli.Usagef("%s: give -L and --tarball one --platform, or write the index with --oci-layout-path or a push", severalRule)
	}
	if err := pub.Destinations().Check(); err != nil { // a bad output fails now, not after the builds
		return nil, err
	}
	if pub.Destinations().Daemon {
		if err := transport.CheckDaemon(a.ctx); err != nil {
			return nil, err
		}
	}
	if f.build.SBOM.Dir != "" {
		if err := transport.CheckDir(f.build.SBOM.Dir); err != nil {
			return nil, err
		}
	}
	opts, err := f.img.PackOptions(nil, a.getenv, true)
	if err != nil {
		return nil, err
	}
	opts.Layer.Cache = a.LayerCache(pack.DefaultCacheDir()) // an unchanged layer is reused, not built
	f.build.SBOM.Apply(&opts, pub.Destinations())
	f.img.ForDestinations(&opts, pub.Destinations())
	po := f.res.PackOptions(opts)
	po.Static = f.img.Static
	var refsFile *transport.Reserved
	if f.build.Refs != "" { // checked before anything is built or pushed
		if refsFile, err = transport.Reserve(f.build.Refs, nil); err != nil {
			return nil, err
		}
		defer refsFile.Abort()
	}
	out, err := gobuild.Run(a.ctx, refs, gobuild.Options{Environ: a.environ(), Getenv: a.getenv, Flags: f.build.GoFlags(), ImagePath: f.img.Path, Pack: po, Logf: a.Logf},
		func(ctx context.Context, pkg gobuild.Package, r *pack.Result) (string, error) {
			if a.Log.Verbose { // every file placed, kodata's among them
				for _, b := range r.Images {
					for _, note := range b.Notes(true) { // named by import path, not the temporary binary
						a.Logf("%s for %s: %s", pkg.ImportPath, b.Report.Platform, strings.TrimPrefix(note, b.Report.Path+": "))
					}
				}
			}
			return pub.Publish(ctx, a.Console, pkg.ImportPath, r)
		})
	if err != nil {
		return nil, err
	}
	if refsFile != nil {
		err = refsFile.Write(func(w io.Writer) error {
			_, err := io.WriteString(w, strings.Join(out, "\n")+"\n")
			return err
		})
	}
	return out, err
}

// severalPlatforms reports whether a --platform value names more than one
// platform: a list, or all.
func severalPlatforms(flag string) bool {
	return flag == "all" || strings.Contains(flag, ",")
}
