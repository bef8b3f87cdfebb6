package options

import (
	"io"
	"testing"

	"github.com/spf13/pflag"
)

// parse registers a group's flags with add on a fresh flag set and parses
// args, as a command line does.
func parse(t *testing.T, add func(*pflag.FlagSet), args ...string) error {
	t.Helper()
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	add(fs)
	return fs.Parse(args)
}
