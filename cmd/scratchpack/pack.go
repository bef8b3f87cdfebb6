package main

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/logs"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/transport"
)

func (a *app) packCommand() cli.Command {
	return cli.Command{
		Name:     "pack",
		Summary:  "Pack Linux programs into a single-layer image on scratch",
		Usage:    "pack [flags] BINARY... [-- ARG...]",
		Examples: helpText("pack"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var out outputFlags
			var res resolveFlags
			var img imageFlags
			var log logFlags
			out.register(fs)
			res.register(fs)
			img.register(fs)
			log.register(fs)
			return func(args, after []string) error { return a.pack(&out, &res, &img, &log, args, after) }
		},
	}
}

func (a *app) pack(out *outputFlags, res *resolveFlags, img *imageFlags, log *logFlags, bins, cmdArgs []string) error {
	a.quiet = log.quiet
	switch {
	case len(bins) == 0:
		return cli.Usagef("name the binary to pack")
	case out.dest.Empty():
		return cli.Usagef("nothing to write; give -o FILE, --oci-layout DIR, --push or --docker")
	case out.dest.Push && len(out.tags) == 0:
		return cli.Usagef("--push needs -t REGISTRY/REPOSITORY:TAG")
	case out.dest.Tarball != "" && len(bins) > 1:
		return cli.Usagef("-o writes a docker-archive, which holds one platform; use --oci-layout or --push for %d binaries", len(bins))
	}
	opts, err := img.options(cmdArgs, a.getenv, res.from == "")
	if err != nil {
		return err
	}
	res.registry = out.registry
	if opts.From, err = res.source(a.ctx); err != nil {
		return err
	} else if opts.From != nil {
		defer opts.From.Close()
	}
	progs := make([]pack.Program, len(bins))
	for i, b := range bins {
		progs[i] = pack.Program{Path: b, ImagePath: img.path}
	}
	result, err := pack.Programs(a.ctx, progs, pack.PackOptions{Options: opts, Resolve: res.opts, Platforms: res.platforms, Require: res.require, Static: img.static})
	if err != nil {
		return err
	}
	defer result.Close()
	for _, b := range result.Images {
		for _, note := range b.Notes(log.verbose) {
			a.logf("%s", note)
		}
	}
	digest, err := result.Artifact.Digest()
	if err != nil {
		return err
	}
	tags := out.names(result.Images[0].ImagePath)
	dest, refTo := out.dest, a.stdout
	if dest.Tarball == "-" { // the tarball is the result: the reference is a log
		dest.Tarball, dest.Stream, refTo = "", a.stdout, a.stderr
	}
	dest.Inputs = result.Sources()
	topts := out.registry.opts
	topts.UserAgent = "scratchpack/" + cli.Version()
	switch {
	case log.quiet:
	case cli.IsTerminal(a.stderr) && !log.verbose:
		topts.Progress = a.stderr
	default: // a line per blob, pushed or already there, as ko logs them
		logs.Progress.SetOutput(a.stderr)
		logs.Progress.SetPrefix("scratchpack: ")
		logs.Progress.SetFlags(0)
	}
	if err := transport.Write(a.ctx, result.Artifact, tags, dest, topts, a.logf); err != nil {
		return err
	}
	fmt.Fprintf(refTo, "%s@%s\n", tags[0], digest)
	return nil
}
