package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/cli"
)

func (a *app) scanCommand() cli.Command {
	return cli.Command{
		Name:     "scan",
		Summary:  "Analyse ELF files: kind, platform, libc, libraries, needs",
		Usage:    "scan [flags] FILE...",
		Examples: helpText("scan"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var res resolveFlags
			asJSON := fs.Bool("json", false, "print one JSON object per file per line")
			res.register(fs)
			res.registry.register(fs)
			return func(args, after []string) error { return a.scan(&res, *asJSON, append(args, after...)) }
		},
	}
}

func (a *app) scan(res *resolveFlags, asJSON bool, files []string) error {
	if len(files) == 0 {
		return cli.Usagef("name at least one file to scan")
	}
	src, err := res.source(a.ctx)
	if err != nil {
		return err
	}
	var root *elfscan.Root
	if src != nil {
		defer src.Close()
		root = src.Root
	}
	reports, errs := elfscan.ScanAll(root, files, res.opts)
	var firstErr error
	for i, r := range reports {
		err := errs[i]
		if err == nil {
			err = r.CheckPlatform(res.platforms)
		}
		switch {
		case err != nil && firstErr == nil:
			firstErr = err
		case err != nil:
			a.logf("%s", cli.OneLine(a.withHint(err).Error()))
		case asJSON:
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s\n", b)
		default:
			r.WriteText(a.stdout)
		}
	}
	if firstErr == nil && res.require {
		var have []elfscan.Platform
		for _, r := range reports {
			have = append(have, r.Platform)
		}
		firstErr = elfscan.Covered(res.platforms, have)
	}
	return firstErr
}
