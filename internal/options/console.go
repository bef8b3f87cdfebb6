package options

import (
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/logs"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// Console is where a command's results and logs go: results to Stdout,
// logs to Stderr unless -q.
type Console struct {
	Stdout, Stderr io.Writer
	Log            Log
}

// Logf writes one log line to stderr, unless -q, with what is not
// printable escaped (see quote.Escape), since a log may name what an
// image or a registry said.
func (c Console) Logf(format string, args ...any) {
	if !c.Log.Quiet {
		fmt.Fprintf(c.Stderr, "scratchpack: %s\n", quote.Escape(fmt.Sprintf(format, args...)))
	}
}

// Transport returns the registry options with the progress reporting
// that suits the console: a progress bar on a terminal, a line per blob
// (as ko logs them) otherwise or with -v, nothing with -q or when bars
// of several writers would interleave (bars false).
func (c Console) Transport(reg Registry, bars bool) transport.Options {
	o := reg.Options
	o.UserAgent = "scratchpack/" + cli.Version()
	switch {
	case c.Log.Quiet:
	case bars && cli.IsTerminal(c.Stderr) && !c.Log.Verbose:
		o.Progress = c.Stderr
	default:
		logs.Progress.SetOutput(c.Stderr)
		logs.Progress.SetPrefix("scratchpack: ")
		logs.Progress.SetFlags(0)
	}
	return o
}
