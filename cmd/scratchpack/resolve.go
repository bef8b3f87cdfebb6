package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack/gobuild"
)

func (a *app) resolveCommand() cli.Command {
	return cli.Command{
		Name:     "resolve",
		Summary:  "Build every ko:// import path in YAML and print the YAML with image references, as ko resolve does",
		Usage:    "resolve [flags] -f FILE|DIR|-",
		Examples: helpText("resolve"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var f buildFlags
			var files []string
			var recursive bool
			f.register(a, fs)
			fs.StringArrayVarP(&files, "filename", "f", nil, "YAML `FILE`, a DIR of .yaml/.yml/.json files, or - for stdin (repeatable)")
			fs.BoolVarP(&recursive, "recursive", "R", false, "read the directories of -f recursively")
			return func(args, after []string) error {
				if len(args)+len(after) > 0 {
					return cli.Usagef("resolve reads YAML from -f, not arguments: %s", strings.Join(append(args, after...), " "))
				}
				return a.resolve(&f, files, recursive)
			}
		},
	}
}

func (a *app) resolve(f *buildFlags, files []string, recursive bool) error {
	if len(files) == 0 {
		return cli.Usagef("name the YAML with -f FILE, -f DIR or -f -")
	}
	docs, err := gobuild.ReadFiles(files, recursive, os.Stdin)
	if err != nil {
		return err
	}
	var refs []string
	for _, d := range docs {
		for _, ref := range d.Refs() {
			if !slices.Contains(refs, ref) {
				refs = append(refs, ref)
			}
		}
	}
	resolved := map[string]string{}
	if len(refs) > 0 {
		out, err := a.buildImages(f, refs)
		if err != nil {
			return err
		}
		for i, ref := range refs {
			resolved[ref] = out[i]
		}
	}
	for i, d := range docs {
		if i > 0 {
			fmt.Fprintln(a.Stdout, "---")
		}
		d.Replace(resolved)
		if err := d.Encode(a.Stdout); err != nil {
			return err
		}
	}
	return nil
}
