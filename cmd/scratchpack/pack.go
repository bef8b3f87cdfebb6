package main

import (
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/pack"
)

func (a *app) packCommand() cli.Command {
	return cli.Command{
		Name:     "pack",
		Summary:  "Pack Linux programs into a single-layer image on scratch",
		Usage:    "pack [flags] BINARY... [-- ARG...]",
		Examples: helpText("pack"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var out options.Output
			var res options.Resolve
			var img options.Image
			out.AddFlags(fs)
			res.AddFlags(fs)
			img.AddFlags(fs)
			a.Log.AddFlags(fs)
			return func(args, after []string) error { return a.pack(&out, &res, &img, args, after) }
		},
	}
}

func (a *app) pack(out *options.Output, res *options.Resolve, img *options.Image, bins, cmdArgs []string) error {
	switch {
	case len(bins) == 0:
		return cli.Usagef("name the binary to pack")
	case out.Dest.Empty():
		return cli.Usagef("nothing to write; give -o FILE, --oci-layout DIR, --push or --docker")
	case out.Dest.Push && len(out.Tags) == 0:
		return cli.Usagef("--push needs -t REGISTRY/REPOSITORY:TAG")
	case out.Dest.Tarball != "" && len(bins) > 1:
		return cli.Usagef("-o writes a docker-archive, which holds one platform; use --oci-layout or --push for %d binaries", len(bins))
	}
	opts, err := img.PackOptions(cmdArgs, a.getenv, res.From == "")
	if err != nil {
		return err
	}
	out.SBOM.Apply(&opts, out.Dest)
	img.ForDestinations(&opts, out.Dest)
	if opts.From, err = res.Source(a.ctx, out.Registry, a.Console); err != nil {
		return err
	} else if opts.From != nil {
		defer opts.From.Close()
	}
	progs := make([]pack.Program, len(bins))
	for i, b := range bins {
		progs[i] = pack.Program{Path: b, ImagePath: img.Path}
	}
	po := res.PackOptions(opts)
	po.Static = img.Static
	result, err := pack.Programs(a.ctx, progs, po)
	if err != nil {
		return err
	}
	defer result.Close()
	for _, b := range result.Images {
		for _, note := range b.Notes(a.Log.Verbose) {
			a.Logf("%s", note)
		}
	}
	return out.Write(a.ctx, a.Console, result, out.Names(result.Images[0].ImagePath))
}
