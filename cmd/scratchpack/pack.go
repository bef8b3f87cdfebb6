package main

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/source"
	"github.com/scratchpack/scratchpack/pack/transport"
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

// pack packs bins into one image, or an index of one per platform, and
// writes it where out says. The steps, in order: refuse a command line
// that cannot work, check every output, make the pack options, refuse
// what severalRule refuses of host binaries, check the daemon, open
// --from's image and refuse what severalRule refuses of its binaries,
// pack, log each image's notes, write the outputs and print the
// reference.
func (a *app) pack(out *options.Output, res *options.Resolve, img *options.Image, bins, cmdArgs []string) error {
	if len(bins) == 0 {
		return cli.Usagef("name the binary to pack")
	}
	if err := out.Validate(); err != nil {
		return err
	}
	if out.Dest.Tarball == "-" && cli.IsTerminal(a.Stdout) {
		return cli.Usagef("-o - would write the tarball to the terminal; redirect it (-o - > app.tar, -o - | docker load) or give -o FILE")
	}
	if err := checkOutputs(out); err != nil { // a bad output fails now, not after the layer is made
		return err
	}
	opts, err := img.PackOptions(cmdArgs, a.getenv, res.From.IsZero())
	if err != nil {
		return err
	}
	opts.Layer.Compression = img.Compression(out.Dest)
	opts.Layer.HashFiles = out.SBOM.Wanted(out.Dest) // the SBOM's file checksums
	opts.DpkgStatus = out.SBOM.DpkgStatus
	opts.Layer.Cache = a.layerCache() // an unchanged layer is reused, not built
	progs := make([]pack.Program, len(bins))
	for i, b := range bins {
		progs[i] = pack.Program{Path: b, ImagePath: img.Path}
	}
	// Host binaries are checked against severalRule first: a refusal of
	// the command line beats a missing daemon. Binaries in --from's image
	// are checked once it is open, after the daemon, which is cheaper.
	if res.From.IsZero() {
		if progs, err = onePerImage(progs, out.Dest, res, nil); err != nil {
			return err
		}
	}
	if out.Dest.Daemon {
		if err := transport.CheckDaemon(a.ctx); err != nil {
			return err
		}
	}
	if opts.From, err = a.openFrom(res, out.Registry); err != nil {
		return err
	} else if opts.From != nil {
		defer opts.From.Close()
		if progs, err = onePerImage(progs, out.Dest, res, opts.From); err != nil {
			return err
		}
	}
	po := res.PackOptions(opts)
	po.Static = img.Static
	result, err := pack.Programs(a.ctx, progs, po)
	if err != nil {
		return err
	}
	defer result.Close()
	for _, b := range result.Images {
		for _, note := range notes(b, a.Log.Verbose) {
			a.Logf("%s", note)
		}
	}
	return a.writePacked(out, result)
}

// severalRule is the one rule for several binaries, said wherever it is
// the reason for a refusal.
const severalRule = "several binaries make one index of one image per platform, which --oci-layout and --push hold; -o and --docker hold one image"

// onePerImage applies severalRule to progs before anything is resolved:
// two binaries for one platform are refused; for -o or --docker, several
// binaries are refused unless one --platform picks the binary for it,
// which is then the only one packed, for every output.
func onePerImage(progs []pack.Program, dest transport.Destinations, res *options.Resolve, from *source.Source) ([]pack.Program, error) {
	if len(progs) < 2 {
		return progs, nil
	}
	plats, err := programPlatforms(progs, from)
	if err != nil {
		return nil, err
	}
	for i := range plats {
		for j := range i {
			if plats[i] == plats[j] {
				return nil, fmt.Errorf("%s and %s are both for %s: %s; pack them in separate calls", progs[j].Path, progs[i].Path, plats[i], severalRule)
			}
		}
	}
	if dest.Tarball == "" && !dest.Daemon {
		return progs, nil
	}
	if len(res.Platforms) != 1 {
		return nil, cli.Usagef("%s: give --platform OS/ARCH to pack the binary for it, or one binary", severalRule)
	}
	var picked []pack.Program
	var names []string
	for i, p := range plats {
		if p.Matches(res.Platforms[0]) {
			picked = append(picked, progs[i])
			names = append(names, progs[i].Path+" ("+p.String()+")")
		}
	}
	switch {
	case len(picked) == 1:
		return picked, nil
	case len(picked) > 1:
		return nil, cli.Usagef("--platform %s matches %s; give the variant too", res.Platforms[0], strings.Join(names, " and "))
	}
	return nil, fmt.Errorf("no binary is for %s (they are for %s); build one for it, or change --platform", res.Platforms[0], joinPlatforms(plats))
}
