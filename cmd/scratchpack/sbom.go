package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/pack/transport"
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
			return func(args, after []string) error { return a.sbom(&reg, &pick, append(args, after...)) }
		},
	}
}

func (a *app) sbom(reg *options.Registry, pick *options.Pick, args []string) error {
	if len(args) != 1 {
		return cli.Usagef("name one image: a registry reference or an OCI layout DIR[:NAME]")
	}
	art, err := transport.Open(a.ctx, args[0], reg.Options)
	if err != nil {
		return err
	}
	imgs, err := transport.Pick(art, pick.Platform)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	for _, img := range imgs {
		d, err := img.Digest()
		if err != nil {
			return err
		}
		atts, err := transport.Attached(a.ctx, args[0], d, reg.Options)
		if err != nil {
			return err
		}
		found := false
		for _, att := range atts {
			typ, data, err := transport.AttachmentData(att)
			if err != nil {
				return fmt.Errorf("%s: attachment of %s: %w", args[0], d, err)
			}
			if typ == "application/spdx+json" || typ == "application/vnd.cyclonedx+json" {
				found = true
				if _, err := a.Stdout.Write(data); err != nil {
					return err
				}
			}
		}
		if !found {
			return fmt.Errorf("%s: image %s has no SBOM attached; pack or build it with --push or --oci-layout, and --sbom spdx or cyclonedx", args[0], d)
		}
	}
	return nil
}
