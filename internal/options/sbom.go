package options

import (
	"bytes"
	"context"
	"path"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack"
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

// Apply sets the pack options an SBOM needs: file checksums when an SBOM
// will be made for dest, and the status.d entries.
func (f *SBOM) Apply(o *pack.Options, dest transport.Destinations) {
	o.Layer.HashFiles = f.wanted(dest)
	o.DpkgStatus = f.DpkgStatus
}

// wanted reports whether an SBOM has somewhere to go.
func (f *SBOM) wanted(dest transport.Destinations) bool {
	return f.Format != sbom.None && (f.Dir != "" || dest.Push || dest.Layout != "")
}

// attach makes the SBOM of each image of r, named after tags[0]'s
// repository, and adds them to dest: as attachments, and as files in
// --sbom-dir, which transport.Write stages and commits with every other
// output.
func (f *SBOM) attach(r *pack.Result, tags []name.Tag, dest *transport.Destinations) error {
	if !f.wanted(*dest) {
		return nil
	}
	repo := strings.TrimSuffix(tags[0].String(), ":"+tags[0].TagStr()) // as given: app, ghcr.io/me/app
	docs, err := r.SBOMs(repo, "scratchpack-"+cli.Version())
	if err != nil {
		return err
	}
	for i, d := range docs {
		var b bytes.Buffer
		if err := f.Format.Write(&b, d); err != nil {
			return err
		}
		file := path.Base(repo) + "-" + strings.ReplaceAll(d.Platform, "/", "-") + f.Format.Ext() // app-linux-amd64.spdx.json
		att, err := transport.Attachment(r.Images[i].Image, f.Format.MediaType(), file, b.Bytes())
		if err != nil {
			return err
		}
		dest.Attachments = append(dest.Attachments, att)
		if f.Dir != "" {
			dest.Files = append(dest.Files, transport.File{Path: filepath.Join(f.Dir, file), Data: b.Bytes()})
		}
	}
	return nil
}

// write writes r under tags to dest with its SBOMs: attached where dest
// takes them, and into --sbom-dir, all or nothing.
func (f *SBOM) write(ctx context.Context, c Console, r *pack.Result, tags []name.Tag, dest transport.Destinations, o transport.Options) error {
	dest.Inputs = r.Sources()
	if err := f.attach(r, tags, &dest); err != nil {
		return err
	}
	if dest.Empty() && len(dest.Files) == 0 {
		return nil
	}
	return transport.Write(ctx, r.Artifact, tags, dest, o, c.Logf)
}
