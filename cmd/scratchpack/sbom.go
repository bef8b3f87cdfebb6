package main

import (
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/pack/sbom"
)

func (a *app) sbomCommand() cli.Command {
	return cli.Command{
		Name:     "sbom",
		Summary:  "Print the SBOM attached to an image in a registry or OCI layout",
		Usage:    "sbom [flags] IMAGE",
		Examples: helpText("sbom"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var reg options.Registry
			var pick options.Pick
			pick.AddFlags(fs)
			reg.AddFlags(fs)
			return func(args, after []string) error {
				if args = append(args, after...); len(args) != 1 {
					return cli.Usagef("name one image: a registry reference or an OCI layout DIR[:NAME]")
				}
				docs, err := sbom.Read(a.ctx, args[0], pick.Platform, reg.Options)
				for _, d := range docs {
					if _, err := a.Stdout.Write(d); err != nil {
						return err
					}
				}
				return err
			}
		},
	}
}
