package elfscan

import (
	"fmt"
	"io"
	"strings"

	"github.com/scratchpack/scratchpack/internal/quote"
)

// WriteText writes the report as the indented block `scratchpack scan`
// prints. Names from the file (DT_NEEDED, the interpreter, Go's build
// info) and paths are printed through quote.Name, so that no name can
// send an escape sequence or pass for another line.
func (r *Report) WriteText(w io.Writer) error {
	q := quote.Name
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", q(r.Path))
	fmt.Fprintf(&b, "  kind:        %s\n", r.Kind)
	if r.FloatABI != "" {
		fmt.Fprintf(&b, "  platform:    %s (%s float)\n", r.Platform, r.FloatABI)
	} else {
		fmt.Fprintf(&b, "  platform:    %s\n", r.Platform)
	}
	fmt.Fprintf(&b, "  libc:        %s\n", r.Libc)
	if r.Loader != nil && r.Loader.RealPath != r.Interpreter {
		fmt.Fprintf(&b, "  interpreter: %s -> %s\n", q(r.Interpreter), q(r.Loader.RealPath))
	} else if r.Interpreter != "" {
		fmt.Fprintf(&b, "  interpreter: %s\n", q(r.Interpreter))
	}
	if r.Go != nil {
		cgo := "off"
		if r.Go.CGO {
			cgo = "on"
		}
		fmt.Fprintf(&b, "  go:          %s, %s, cgo %s\n", q(r.Go.Version), q(r.Go.Path), cgo)
	}
	if len(r.Needed) > 0 {
		fmt.Fprintf(&b, "  needed:      %s\n", strings.Join(quote.Names(r.Needed), " "))
	}
	if len(r.Libraries) > 0 {
		fmt.Fprintf(&b, "  libraries:\n")
		for _, l := range r.Libraries {
			fmt.Fprintf(&b, "    %s => %s", q(l.Name), q(l.Path))
			if l.RealPath != l.Path {
				fmt.Fprintf(&b, " -> %s", q(l.RealPath))
			}
			fmt.Fprintln(&b)
		}
	}
	for _, l := range r.Loads {
		packed := "not packed"
		if l.Packed {
			packed = "packed"
		}
		fmt.Fprintf(&b, "  loads:       %s (%s): %s\n", q(l.Name), packed, quote.Line(l.Why))
	}
	for _, d := range r.DataFiles {
		fmt.Fprintf(&b, "  reads:       %s (%s)\n", q(d.Path), quote.Line(d.NeededBy))
	}
	var needs []string
	if r.NeedsCerts {
		needs = append(needs, "ca-certificates")
	}
	if r.NeedsTZData {
		needs = append(needs, "tzdata")
	}
	if len(needs) > 0 {
		fmt.Fprintf(&b, "  needs:       %s\n", strings.Join(needs, " "))
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(&b, "  warning:     %s\n", quote.Line(warn))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
