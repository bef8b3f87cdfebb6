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
		Name:    "pack",
		Summary: "Pack Linux programs into a single-layer image on scratch",
		Usage:   "pack [flags] BINARY... [-- ARG...]",
		Examples: `  # A static Go program, as a tarball for docker load:
  CGO_ENABLED=0 go build -o hello . && scratchpack pack -t hello:1.0 -o hello.tar ./hello

  # A dynamic C program with its libraries, pushed; arguments after -- become Cmd:
  scratchpack pack -t ghcr.io/me/srv:1.2 --push ./srv -- --listen :8080

  # One binary per platform make a multi-arch index:
  scratchpack pack -t ghcr.io/me/app:1.2 --push out/app-amd64 out/app-arm64

  # An arm64 program whose libraries live in a cross sysroot:
  scratchpack pack --sysroot /usr/aarch64-linux-gnu --oci-layout out/layout ./app-arm64`,
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
		return usagef("name the binary to pack")
	case out.dest.Empty():
		return usagef("nothing to write; give -o FILE, --oci-layout DIR, --push or --docker")
	case out.dest.Push && len(out.tags) == 0:
		return usagef("--push needs -t REGISTRY/REPOSITORY:TAG")
	case out.dest.Tarball != "" && len(bins) > 1:
		return usagef("-o writes a docker-archive, which holds one platform; use --oci-layout or --push for %d binaries", len(bins))
	}
	opts, err := img.options(cmdArgs, a.getenv)
	if err != nil {
		return err
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
		a.logBuilt(b, log.verbose)
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
	topts.UserAgent = "scratchpack/" + version()
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

// logBuilt says on stderr what went into one program's image, and with
// verbose every library and why, and every file.
func (a *app) logBuilt(b *pack.Built, verbose bool) {
	r := b.Report
	for _, w := range r.Warnings {
		a.logf("warning: %s: %s", r.Path, w)
	}
	if c := b.Certs; c != nil {
		extra := ""
		if c.Extra > 0 {
			extra = fmt.Sprintf(" and %d from --ca", c.Extra)
		}
		a.logf("%s: CA certificates: %d roots from %s%s", r.Path, c.Roots, c.Source, extra)
	}
	if b.ZoneInfo != "" {
		a.logf("%s: time zone data from %s", r.Path, b.ZoneInfo)
	}
	if verbose {
		for _, l := range r.Libraries {
			a.logf("%s: library %s => %s (via %s, needed by %s)", r.Path, l.Name, l.RealPath, l.Via, l.NeededBy)
		}
		for _, e := range b.Plan.Entries() {
			a.logf("%s: file %s", r.Path, e)
		}
	}
	size, _ := b.Layer.Size()
	a.logf("%s: %s %s, %d libraries, at %s; layer %d bytes %s", r.Path, r.Kind, r.Platform, len(r.Libraries), b.ImagePath, size, b.Layer.Compression())
}
