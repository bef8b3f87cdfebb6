package options

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack"
)

// Pick chooses one image of an index: inspect and verify register it.
type Pick struct{ Platform *v1.Platform }

// AddFlags registers --platform.
func (f *Pick) AddFlags(fs *pflag.FlagSet) {
	cli.FlagFunc(fs, "platform", "", "OS/ARCH[/VARIANT]", "", "of an index, only the image for this platform", func(s string) error {
		p, err := elfscan.ParsePlatform(s)
		oci := pack.OCIPlatform(p)
		f.Platform = &oci
		return err
	})
}
