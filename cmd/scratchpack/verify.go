package main

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/transport"
)

func (a *app) verifyCommand() cli.Command {
	return cli.Command{
		Name:     "verify",
		Summary:  "Check that an image of any origin would run, reading it only",
		Usage:    "verify [flags] IMAGE",
		Examples: helpText("verify"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var reg registryFlags
			var only *v1.Platform
			cli.FlagFunc(fs, "platform", "", "OS/ARCH[/VARIANT]", "", "of an index, check only the image for this platform", func(s string) error {
				p, err := elfscan.ParsePlatform(s)
				only = &v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
				return err
			})
			reg.register(fs)
			return func(args, after []string) error { return a.verify(&reg, only, append(args, after...)) }
		},
	}
}

func (a *app) verify(reg *registryFlags, only *v1.Platform, args []string) error {
	if len(args) != 1 {
		return cli.Usagef("name one image: a tarball, an OCI layout DIR[:NAME], docker://NAME, or a registry reference")
	}
	art, err := transport.Open(a.ctx, args[0], reg.opts)
	if err != nil {
		return err
	}
	imgs, err := transport.Images(art)
	if only != nil {
		var img v1.Image
		img, err = transport.Select(art, *only)
		imgs = []v1.Image{img}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	problems := 0
	for _, img := range imgs {
		c, err := pack.CheckImage(img, "")
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		for _, p := range c.Problems {
			fmt.Fprintf(a.stdout, "%s (%s): %s\n", args[0], c.Platform, p)
		}
		problems += len(c.Problems)
		if len(c.Problems) == 0 {
			fmt.Fprintf(a.stdout, "%s (%s): ok: %s, %s, %d libraries\n", args[0], c.Platform, c.Entrypoint, c.Report.Kind, len(c.Report.Libraries))
		}
	}
	if problems > 0 {
		return fmt.Errorf("%s: %d problems; it would not run as configured", args[0], problems)
	}
	return nil
}
