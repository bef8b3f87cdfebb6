package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack/transport"
)

func (a *app) inspectCommand() cli.Command {
	return cli.Command{
		Name:    "inspect",
		Summary: "Show an image's platform, config, digests and files",
		Usage:   "inspect [flags] IMAGE",
		Examples: `  scratchpack inspect out/hello-go.tar           # a docker-archive (it stores no manifest, so its digest is recomputed)
  scratchpack inspect out/layout:1.2            # an OCI layout, DIR[:TAG]
  scratchpack inspect --json ghcr.io/me/app:1.2 # a registry`,
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var reg registryFlags
			asJSON := fs.Bool("json", false, "print one JSON object per image")
			reg.register(fs)
			return func(args, after []string) error { return a.inspect(&reg, *asJSON, append(args, after...)) }
		},
	}
}

func (a *app) inspect(reg *registryFlags, asJSON bool, args []string) error {
	if len(args) != 1 {
		return usagef("name one image: a tarball, an OCI layout DIR[:TAG], or a registry reference")
	}
	art, err := transport.Open(a.ctx, args[0], reg.opts)
	if err != nil {
		return err
	}
	descs, err := transport.DescribeAll(art)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if mt, _ := art.MediaType(); mt.IsIndex() && !asJSON {
		d, _ := art.Digest()
		fmt.Fprintf(a.stdout, "%s: index %s, %d images\n", args[0], d, len(descs))
	}
	for _, d := range descs {
		if !asJSON {
			d.WriteText(a.stdout)
		} else if err := json.NewEncoder(a.stdout).Encode(d); err != nil {
			return err
		}
	}
	return nil
}
