package main

import (
	"encoding/json"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/pack/transport"
)

func (a *app) inspectCommand() command {
	return command{
		name:    "inspect",
		summary: "Show an image's platform, config, digests and files",
		usage:   "inspect [flags] IMAGE",
		examples: `  scratchpack inspect out/hello-go.tar           # a docker-archive (it stores no manifest, so its digest is recomputed)
  scratchpack inspect out/layout:1.2            # an OCI layout, DIR[:TAG]
  scratchpack inspect --json ghcr.io/me/app:1.2 # a registry`,
		flags: func(fs *pflag.FlagSet) action {
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
	imgs, err := transport.Images(art)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if idx, ok := art.(v1.ImageIndex); ok && !asJSON {
		d, err := idx.Digest()
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		fmt.Fprintf(a.stdout, "%s: index %s, %d images\n", args[0], d, len(imgs))
	}
	for _, img := range imgs {
		d, err := transport.Describe(img)
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		if asJSON {
			b, err := json.Marshal(d)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s\n", b)
			continue
		}
		d.WriteText(a.stdout)
	}
	return nil
}
