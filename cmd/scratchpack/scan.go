package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
)

func (a *app) scanCommand() cli.Command {
	return cli.Command{
		Name:     "scan",
		Summary:  "Analyse ELF files: kind, platform, libc, libraries, needs",
		Usage:    "scan [flags] FILE...",
		Examples: helpText("scan"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var res options.Resolve
			var reg options.Registry
			asJSON := fs.Bool("json", false, "print one JSON object per file per line")
			res.AddFlags(fs)
			reg.AddFlags(fs)
			return func(args, after []string) error { return a.scan(&res, reg, *asJSON, append(args, after...)) }
		},
	}
}

func (a *app) scan(res *options.Resolve, reg options.Registry, asJSON bool, files []string) error {
	if len(files) == 0 {
		return cli.Usagef("name at least one file to scan")
	}
	src, err := res.Source(a.ctx, reg, a.Console)
	if err != nil {
		return err
	}
	var root *elfscan.Root
	if src != nil {
		defer src.Close()
		root = src.Root
	}
	reports, errs := elfscan.ScanAll(root, files, res.Options)
	var firstErr error
	for i, r := range reports {
		err := errs[i]
		if err == nil {
			err = r.CheckPlatform(res.Platforms)
		}
		switch {
		case err != nil && firstErr == nil:
			firstErr = err
		case err != nil:
			a.Logf("%s", cli.OneLine(a.withHint(err).Error()))
		case asJSON:
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.Stdout, "%s\n", b)
		default:
			r.WriteText(a.Stdout)
		}
	}
	if firstErr == nil && res.Require {
		var have []elfscan.Platform
		for _, r := range reports {
			have = append(have, r.Platform)
		}
		firstErr = elfscan.Covered(res.Platforms, have)
	}
	return firstErr
}
