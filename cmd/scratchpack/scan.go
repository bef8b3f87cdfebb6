package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/elfscan"
)

type scanFlags struct {
	json     bool
	platform string
	sysroot  string
	libPath  []string
}

func (a *app) scanCommand() command {
	return command{
		name:    "scan",
		summary: "Analyse ELF files: kind, platform, libc, libraries, needs",
		usage:   "scan [flags] FILE...",
		examples: `  scratchpack scan ./app
  scratchpack scan --json /usr/bin/curl | jq .libraries
  scratchpack scan --sysroot /usr/aarch64-linux-gnu ./app-arm64`,
		flags: func(fs *pflag.FlagSet) func([]string) error {
			var f scanFlags
			fs.BoolVar(&f.json, "json", false, "print one JSON object per file per line")
			fs.StringVar(&f.platform, "platform", "", "fail unless each file is for one of `OS/ARCH[/VARIANT],...`")
			fs.StringVar(&f.sysroot, "sysroot", "", "resolve libraries inside `DIR` as if it were /")
			fs.StringArrayVar(&f.libPath, "lib-path", nil, "search `DIR` first, like LD_LIBRARY_PATH (repeatable)")
			return func(args []string) error { return a.scan(&f, args) }
		},
	}
}

func (a *app) scan(f *scanFlags, args []string) error {
	files, extra := splitDash(args)
	files = append(files, extra...)
	if len(files) == 0 {
		return usagef("name at least one file to scan")
	}
	platforms, err := parsePlatforms(f.platform)
	if err != nil {
		return err
	}
	opts := elfscan.Options{Sysroot: f.sysroot, LibPath: f.libPath, Cache: elfscan.NewCache()}
	reports, errs := scanAll(files, opts, runtime.NumCPU())
	var firstErr error
	for i, r := range reports {
		err := errs[i]
		if err == nil {
			err = checkPlatforms(r, platforms)
		}
		if err != nil {
			if firstErr == nil {
				firstErr = err
			} else {
				fmt.Fprintf(a.stderr, "scratchpack: %s\n", oneLine(err.Error()))
			}
			continue
		}
		if f.json {
			b, err := json.Marshal(r)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s\n", b)
		} else {
			printReport(a.stdout, r)
		}
	}
	return firstErr
}

// scanAll scans files with up to workers at a time, sharing opts.Cache,
// and returns the reports and errors in the order of files.
func scanAll(files []string, opts elfscan.Options, workers int) ([]*elfscan.Report, []error) {
	reports := make([]*elfscan.Report, len(files))
	errs := make([]error, len(files))
	sem := make(chan struct{}, max(workers, 1))
	var wg sync.WaitGroup
	for i, file := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			reports[i], errs[i] = elfscan.Scan(file, opts)
		}()
	}
	wg.Wait()
	return reports, errs
}

// printReport writes one human-readable block for r.
func printReport(w io.Writer, r *elfscan.Report) {
	fmt.Fprintf(w, "%s\n", r.Path)
	fmt.Fprintf(w, "  kind:        %s\n", r.Kind)
	if r.FloatABI != "" {
		fmt.Fprintf(w, "  platform:    %s (%s float)\n", r.Platform, r.FloatABI)
	} else {
		fmt.Fprintf(w, "  platform:    %s\n", r.Platform)
	}
	fmt.Fprintf(w, "  libc:        %s\n", r.Libc)
	if r.Loader != nil && r.Loader.RealPath != r.Interpreter {
		fmt.Fprintf(w, "  interpreter: %s -> %s\n", r.Interpreter, r.Loader.RealPath)
	} else if r.Interpreter != "" {
		fmt.Fprintf(w, "  interpreter: %s\n", r.Interpreter)
	}
	if r.Go != nil {
		cgo := "off"
		if r.Go.CGO {
			cgo = "on"
		}
		fmt.Fprintf(w, "  go:          %s, %s, cgo %s\n", r.Go.Version, r.Go.Path, cgo)
	}
	if len(r.Needed) > 0 {
		fmt.Fprintf(w, "  needed:      %s\n", strings.Join(r.Needed, " "))
	}
	if len(r.Libraries) > 0 {
		fmt.Fprintf(w, "  libraries:\n")
		for _, l := range r.Libraries {
			fmt.Fprintf(w, "    %s => %s", l.Name, l.Path)
			if l.RealPath != l.Path {
				fmt.Fprintf(w, " -> %s", l.RealPath)
			}
			fmt.Fprintln(w)
		}
	}
	var needs []string
	if r.NeedsCerts {
		needs = append(needs, "ca-certificates")
	}
	if r.NeedsTZData {
		needs = append(needs, "tzdata")
	}
	if len(needs) > 0 {
		fmt.Fprintf(w, "  needs:       %s\n", strings.Join(needs, " "))
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  warning:     %s\n", warn)
	}
}
