package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/imageref"
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
					return cli.Usagef("name one image: a registry reference, or an OCI layout DIR[:NAME] or oci:DIR[:NAME]")
				}
				ref, err := imageref.Parse(args[0])
				if err != nil {
					return err
				}
				docs, err := sbom.Read(a.ctx, ref, pick.Platform, reg.Options)
				if err != nil {
					return err
				}
				for _, d := range docs {
					// Which SBOM, as an image may carry one each way: the
					// media type and tag come from the registry, so quoted.
					fmt.Fprintf(a.Stderr, "scratchpack: %s\n", quote.Line(fmt.Sprintf("%s: printing the %s document of %s", args[0], d.MediaType, d.From)))
					if _, err := a.Stdout.Write(d.Data); err != nil {
						return err
					}
				}
				return nil
			}
		},
	}
}
