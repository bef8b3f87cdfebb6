package main

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/internal/plural"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/check"
	"github.com/scratchpack/scratchpack/pack/imageref"
	"github.com/scratchpack/scratchpack/pack/transport"
)

func (a *app) verifyCommand() cli.Command {
	return cli.Command{
		Name:     "verify",
		Summary:  "Check that an image of any origin would run, reading it only",
		Usage:    "verify [flags] IMAGE",
		Examples: helpText("verify"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var reg options.Registry
			var pick options.Pick
			pick.AddFlags(fs)
			reg.AddFlags(fs)
			return func(args, after []string) error { return a.verify(&reg, &pick, append(args, after...)) }
		},
	}
}

func (a *app) verify(reg *options.Registry, pick *options.Pick, args []string) error {
	if len(args) != 1 {
		return cli.Usagef("name one image: a tarball, an OCI layout DIR[:NAME] or oci:DIR[:NAME], docker://NAME, or a registry reference")
	}
	ref, err := imageref.Parse(args[0])
	if err != nil {
		return err
	}
	art, err := transport.Open(a.ctx, ref, reg.Options)
	if err != nil {
		return err
	}
	checks, err := check.Artifact(a.ctx, art, pick.Platform, "")
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	problems := 0
	for _, c := range checks {
		platform := quote.Name(c.Platform)
		for _, p := range c.Problems {
			fmt.Fprintf(a.Stdout, "%s (%s): %s\n", args[0], platform, quote.Line(p))
		}
		if problems += len(c.Problems); len(c.Problems) == 0 {
			fmt.Fprintf(a.Stdout, "%s (%s): ok: %s, %s, %s\n", args[0], platform, quote.Name(c.Entrypoint), c.Report.Kind, plural.N(len(c.Report.Libraries), "library", "libraries"))
		}
	}
	if problems > 0 {
		return fmt.Errorf("%s: %s; it would not run as configured", args[0], plural.N(problems, "problem", "problems"))
	}
	return nil
}
