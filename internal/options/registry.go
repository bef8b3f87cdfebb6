package options

import (
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/pack/transport"
)

// Registry says how to talk to registries: every command that reads or
// writes one registers it.
type Registry struct{ Options transport.Options }

// AddFlags registers --insecure and --timeout.
func (f *Registry) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&f.Options.Insecure, "insecure", false, "allow plain http to the registry (automatic for localhost)")
	fs.DurationVar(&f.Options.Timeout, "timeout", transport.DefaultTimeout, "give up on a registry that does not answer, or an upload that moves no bytes, for `DURATION`")
}

// AddKoFlags registers ko's --insecure-registry, hidden, as another name
// for --insecure.
func (f *Registry) AddKoFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&f.Options.Insecure, "insecure-registry", false, "ko's name for --insecure")
	_ = fs.MarkHidden("insecure-registry")
}
