package options

import (
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack/sbom"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// SBOM says whether and where each image's SBOM goes: pack and build
// register it.
type SBOM struct {
	Format     sbom.Format
	Dir        string
	DpkgStatus bool
}

// AddFlags registers --sbom, --sbom-dir and --dpkg-status.
func (f *SBOM) AddFlags(fs *pflag.FlagSet) {
	f.Format = sbom.SPDX
	cli.FlagFunc(fs, "sbom", "", "spdx|cyclonedx|none", "spdx", "the SBOM of each image, attached where it is pushed or written as a layout (a referrer of the image)", cli.Set(&f.Format, sbom.ParseFormat))
	fs.StringVar(&f.Dir, "sbom-dir", "", "also write each image's SBOM to a file in `DIR`")
	fs.BoolVar(&f.DpkgStatus, "dpkg-status", false, "put /var/lib/dpkg/status.d entries for the Debian packages of the shipped files in the image, as distroless does, for scanners")
}

// Wanted reports whether an SBOM is made for images going to dest: a
// format is asked for and the SBOM has somewhere to go (--sbom-dir, a
// push or a layout, which hold it as a referrer). The layer then records
// each file's checksums for it (layer.Options.HashFiles).
func (f *SBOM) Wanted(dest transport.Destinations) bool {
	return f.Format != sbom.None && (f.Dir != "" || dest.Push || dest.Layout != "")
}
