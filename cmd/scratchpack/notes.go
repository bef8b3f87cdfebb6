package main

import (
	"fmt"

	"github.com/scratchpack/scratchpack/internal/human"
	"github.com/scratchpack/scratchpack/internal/plural"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack"
)

// notes says, a line each, what went into the image: the scan's warnings,
// where the CA roots and zone data came from, and a summary; with verbose
// also every library with why it was chosen, and every file.
func notes(b *pack.Built, verbose bool) []string {
	r := b.Report
	var out []string
	for _, w := range r.Warnings {
		out = append(out, fmt.Sprintf("warning: %s: %s", r.Path, w))
	}
	if c := b.Certs; c != nil {
		extra := ""
		if c.Extra > 0 {
			extra = fmt.Sprintf(" and %d private", c.Extra)
		}
		out = append(out, fmt.Sprintf("%s: CA certificates: %s from %s%s", r.Path, plural.N(c.Roots, "root", "roots"), c.Source, extra))
	}
	if b.ZoneInfo != "" {
		out = append(out, fmt.Sprintf("%s: time zone data from %s", r.Path, b.ZoneInfo))
	}
	if b.Data != nil {
		for _, w := range b.Data.Warnings {
			out = append(out, fmt.Sprintf("warning: %s: %s", r.Path, w))
		}
		if verbose {
			for _, d := range b.Data.Data {
				out = append(out, fmt.Sprintf("%s: data %s: %s", r.Path, quote.Name(d.Path), d.Why))
			}
		}
	}
	if verbose {
		for _, l := range r.Libraries {
			out = append(out, fmt.Sprintf("%s: library %s => %s (via %s, needed by %s)", r.Path, l.Name, l.RealPath, l.Via, l.NeededBy))
		}
		for _, e := range b.Plan.Entries() {
			out = append(out, fmt.Sprintf("%s: file %s", r.Path, e))
		}
	}
	size, _ := b.Layer.Size()
	return append(out, fmt.Sprintf("%s: %s %s, %s, at %s; layer %s %s",
		r.Path, r.Kind, r.Platform, plural.N(len(r.Libraries), "library", "libraries"), b.ImagePath, human.Size(size), b.Layer.Compression()))
}
