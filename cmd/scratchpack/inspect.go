package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// inspectFlags are inspect's own flags.
type inspectFlags struct {
	json     bool
	raw      string
	pick     options.Pick
	registry options.Registry
}

func (a *app) inspectCommand() cli.Command {
	return cli.Command{
		Name:     "inspect",
		Summary:  "Show an image's platform, config, digests and files",
		Usage:    "inspect [flags] IMAGE",
		Examples: helpText("inspect"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var f inspectFlags
			fs.BoolVar(&f.json, "json", false, "print one JSON object per image")
			cli.FlagFunc(fs, "raw", "", "manifest|config", "", "print the image's raw manifest or config", func(s string) error {
				if s != "manifest" && s != "config" {
					return fmt.Errorf("want manifest or config")
				}
				f.raw = s
				return nil
			})
			f.pick.AddFlags(fs)
			f.registry.AddFlags(fs)
			return func(args, after []string) error { return a.inspect(&f, append(args, after...)) }
		},
	}
}

func (a *app) inspect(f *inspectFlags, args []string) error {
	if len(args) != 1 {
		return cli.Usagef("name one image: a tarball, an OCI layout DIR[:NAME], docker://NAME, or a registry reference")
	}
	art, err := transport.Open(a.ctx, args[0], f.registry.Options)
	if err != nil {
		return err
	}
	if f.raw != "" {
		raw, err := transport.Raw(a.ctx, art, f.pick.Platform, f.raw)
		if errors.Is(err, transport.ErrIndex) {
			return cli.Usagef("%s is an index; pick one image with --platform", args[0])
		} else if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		out := string(raw)
		if cli.IsTerminal(a.Stdout) { // as stored when piped, so that its digest can be checked
			out = quote.Text(out)
		}
		_, err = fmt.Fprintf(a.Stdout, "%s\n", out)
		return err
	}
	descs, err := transport.DescribeAll(a.ctx, art, f.pick.Platform)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if descs[0].Index != "" && !f.json {
		fmt.Fprintf(a.Stdout, "%s: index %s, %d images\n", quote.Name(args[0]), descs[0].Index, len(descs))
	}
	for _, d := range descs {
		if !f.json {
			d.WriteText(a.Stdout)
		} else if err := json.NewEncoder(a.Stdout).Encode(d); err != nil {
			return err
		}
	}
	return nil
}
