package options

import (
	"bytes"
	"context"
	"io"
	"os"
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
// repository, adds them to dest as attachments, and returns what writes
// them into --sbom-dir once every other output is written.
func (f *SBOM) attach(r *pack.Result, tags []name.Tag, dest *transport.Destinations) (commit func() error, err error) {
	commit = func() error { return nil }
	if !f.wanted(*dest) {
		return commit, nil
	}
	repo := strings.TrimSuffix(tags[0].String(), ":"+tags[0].TagStr()) // as given: app, ghcr.io/me/app
	docs, err := r.SBOMs(repo, "scratchpack-"+cli.Version())
	if err != nil {
		return nil, err
	}
	var files []func() error
	for i, d := range docs {
		var b bytes.Buffer
		if err := f.Format.Write(&b, d); err != nil {
			return nil, err
		}
		att, err := transport.Attachment(r.Images[i].Image, f.Format.MediaType(), b.Bytes())
		if err != nil {
			return nil, err
		}
		dest.Attachments = append(dest.Attachments, att)
		if f.Dir == "" {
			continue
		}
		file := filepath.Join(f.Dir, path.Base(repo)+"-"+strings.ReplaceAll(d.Platform, "/", "-")+f.Format.Ext())
		data := b.Bytes()
		files = append(files, func() error {
			return transport.WriteOutput(file, dest.Inputs, func(w io.Writer) error {
				_, err := w.Write(data)
				return err
			})
		})
	}
	if f.Dir == "" {
		return commit, nil
	}
	return func() error {
		if err := os.MkdirAll(f.Dir, 0o755); err != nil {
			return err
		}
		for _, write := range files {
			if err := write(); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// write writes r under tags to dest with its SBOMs: attached where dest
// takes them, and into --sbom-dir once every other output is written.
func (f *SBOM) write(ctx context.Context, c Console, r *pack.Result, tags []name.Tag, dest transport.Destinations, o transport.Options) error {
	dest.Inputs = r.Sources()
	sbomFiles, err := f.attach(r, tags, &dest)
	if err != nil {
		return err
	}
	if !dest.Empty() {
		if err := transport.Write(ctx, r.Artifact, tags, dest, o, c.Logf); err != nil {
			return err
		}
	}
	return sbomFiles()
}
