package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/evidence"
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
	src, err := a.openFrom(res, reg)
	if err != nil {
		return err
	}
	var root *elfscan.Root
	if src != nil {
		defer src.Close()
		root = src.Root
	}
	opts := res.Options
	if opts.Cache == nil { // shared by the scans and the plans of their data
		opts.Cache = elfscan.NewCache()
	}
	reports, errs := elfscan.ScanAll(root, files, opts)
	dataRoot := root // where the data is: the image, or the sysroot
	if dataRoot == nil {
		dataRoot = opts.Root
	}
	var owner evidence.Owner // the package database of the root the data is in
	if r := cmp.Or(dataRoot, firstRoot(reports)); r != nil {
		if owner, err = evidence.PackageOwner(r); err != nil {
			return err
		}
	}
	planner := evidence.NewPlanner(dataRoot, opts, nil, owner)
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
		default:
			data, err := planner.Plan(a.ctx, r)
			if err != nil {
				if a.ctx.Err() != nil {
					return a.ctx.Err()
				}
				data = &evidence.Evidence{Warnings: []string{"what its path literals name could not be planned: " + err.Error()}}
			}
			if err := writeScan(a.Stdout, r, data, asJSON); err != nil {
				return err
			}
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

// writeScan prints a report with the data files, plugins and helpers its
// path literals bring to a plan: in JSON, as the report's "data" and
// "data_warnings"; as text, a line each after the report.
func writeScan(w io.Writer, r *elfscan.Report, d *evidence.Evidence, asJSON bool) error {
	if asJSON {
		b, err := json.Marshal(struct {
			*elfscan.Report
			Data         []evidence.Datum `json:"data,omitempty"`
			DataWarnings []string         `json:"data_warnings,omitempty"`
		}{r, d.Data, d.Warnings})
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	if err := r.WriteText(w); err != nil {
		return err
	}
	var b strings.Builder
	for _, x := range d.Data {
		fmt.Fprintf(&b, "  data:        %s (%s)\n", quote.Name(x.Path), quote.Line(x.Why))
	}
	for _, warn := range d.Warnings {
		fmt.Fprintf(&b, "  warning:     %s\n", quote.Line(warn))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// firstRoot is the root of the first file scanned, or nil.
func firstRoot(reports []*elfscan.Report) *elfscan.Root {
	for _, r := range reports {
		if r != nil {
			return r.Root
		}
	}
	return nil
}
