package options

import "github.com/spf13/pflag"

// Log says how much goes to stderr.
type Log struct{ Quiet, Verbose bool }

// AddFlags registers -q and -v.
func (f *Log) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVarP(&f.Quiet, "quiet", "q", false, "print only the results, no logs")
	fs.BoolVarP(&f.Verbose, "verbose", "v", false, "log every file placed, every library and why, every blob pushed or skipped")
}
