package main

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack/gobuild"
)

// resolveFlags are resolve's: the build flags and which YAML to read.
type resolveFlags struct {
	buildFlags
	files     []string
	recursive bool
	selector  gobuild.Selector
}

func (f *resolveFlags) register(a *app, fs *pflag.FlagSet) {
	f.buildFlags.register(a, fs)
	fs.StringArrayVarP(&f.files, "filename", "f", nil, "YAML `FILE`, a DIR of .yaml/.yml/.json files, or - for stdin (repeatable)")
	fs.BoolVarP(&f.recursive, "recursive", "R", false, "read the directories of -f recursively")
	cli.FlagFunc(fs, "selector", "l", "SELECTOR", "", "keep only the objects whose labels match, as kubectl's -l (key=v,key!=v,key in (a,b),!key)", func(s string) error {
		sel, err := gobuild.ParseSelector(s)
		f.selector = sel
		return err
	})
}

func (a *app) resolveCommand() cli.Command {
	return cli.Command{
		Name:     "resolve",
		Summary:  "Build every ko:// import path in YAML and print the YAML with image references, as ko resolve does",
		Usage:    "resolve [flags] -f FILE|DIR|-",
		Examples: helpText("resolve"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var f resolveFlags
			f.register(a, fs)
			return func(args, after []string) error {
				if len(args)+len(after) > 0 {
					return cli.Usagef("resolve reads YAML from -f, not arguments: %s", strings.Join(append(args, after...), " "))
				}
				return a.resolve(&f, a.Stdout)
			}
		},
	}
}

// resolve reads the YAML of -f, keeps the objects -l selects, builds
// every import path they name and writes them to w with the references
// in place: each file's documents followed by "\n---\n", as ko does
// (kubectl applies what precedes a delimiter).
func (a *app) resolve(f *resolveFlags, w io.Writer) error {
	if len(f.files) == 0 {
		return cli.Usagef("name the YAML with -f FILE, -f DIR or -f -")
	}
	docs, err := gobuild.ReadFiles(f.files, f.recursive, os.Stdin)
	if err != nil {
		return err
	}
	var refs []string
	for i, d := range docs {
		if docs[i], err = d.Select(f.selector); err != nil {
			return fmt.Errorf("-l: %w", err)
		}
		for _, ref := range docs[i].Refs() {
			if !slices.Contains(refs, ref) {
				refs = append(refs, ref)
			}
		}
	}
	resolved := map[string]string{}
	if len(refs) > 0 {
		out, err := a.buildImages(&f.buildFlags, refs)
		if err != nil {
			return err
		}
		for i, ref := range refs {
			resolved[ref] = out[i]
		}
	}
	for _, d := range docs { // each file's documents and a delimiter, byte for byte as ko writes them
		d.Replace(resolved)
		if err := d.Encode(w); err != nil {
			return err
		}
		if _, err := io.WriteString(w, "\n---\n"); err != nil {
			return err
		}
	}
	return nil
}
