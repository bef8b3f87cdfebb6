package main

import (
	"encoding/json"
	"errors"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/human"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/internal/plural"
	"github.com/scratchpack/scratchpack/internal/quote"
	"github.com/scratchpack/scratchpack/pack/describe"
	"github.com/scratchpack/scratchpack/pack/imageref"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// inspectFlags are inspect's own flags.
type inspectFlags struct {
	json     bool
	raw      string
	pick     options.Pick
	registry options.Registry
}

func (a *app) inspectCommand() cli.Command {
	return cli.Command{
		Name:     "inspect",
		Summary:  "Show an image's platform, config, digests, sizes, attachments and files",
		Usage:    "inspect [flags] IMAGE",
		Examples: helpText("inspect"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var f inspectFlags
			fs.BoolVar(&f.json, "json", false, "print one JSON object per image")
			cli.FlagFunc(fs, "raw", "", "index|manifest|config", "", "print the raw index, or one image's raw manifest or config", func(s string) error {
				if s != "index" && s != "manifest" && s != "config" {
					return fmt.Errorf("want index, manifest or config")
				}
				f.raw = s
				return nil
			})
			f.pick.AddFlags(fs)
			f.registry.AddFlags(fs)
			return func(args, after []string) error { return a.inspect(&f, append(args, after...)) }
		},
	}
}

func (a *app) inspect(f *inspectFlags, args []string) error {
	if len(args) != 1 {
		return cli.Usagef("name one image: a tarball, an OCI layout DIR[:NAME] or oci:DIR[:NAME], docker://NAME, or a registry reference")
	}
	if f.raw == "index" && f.pick.Platform != nil {
		return cli.Usagef("--raw index prints the whole index; drop --platform, or give --raw manifest")
	}
	ref, err := imageref.Parse(args[0])
	if err != nil {
		return err
	}
	art, err := transport.Open(a.ctx, ref, f.registry.Options)
	if err != nil {
		return err
	}
	if f.raw != "" {
		return a.inspectRaw(f, args[0], art)
	}
	descs, err := describe.All(a.ctx, art, f.pick.Platform)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	for _, d := range descs {
		if err := a.addReferrers(f, ref, d); err != nil {
			return err
		}
	}
	if descs[0].Index != "" && !f.json {
		var size, unpacked int64
		for _, d := range descs {
			size, unpacked = size+d.Size, unpacked+d.UncompressedSize
		}
		fmt.Fprintf(a.Stdout, "%s: index %s, %s, %s, %s unpacked\n", quote.Name(args[0]), descs[0].Index, plural.N(len(descs), "image", "images"),
			human.Size(size), human.Size(unpacked))
	}
	for _, d := range descs {
		if !f.json {
			d.WriteText(a.Stdout)
		} else if err := json.NewEncoder(a.Stdout).Encode(d); err != nil {
			return err
		}
	}
	return nil
}

// inspectRaw prints the index, or one image's manifest or config, as
// stored: quoted on a terminal only, so that a pipe gets the bytes whose
// digest can be checked.
func (a *app) inspectRaw(f *inspectFlags, src string, art transport.Artifact) error {
	var raw []byte
	var err error
	if f.raw == "index" {
		idx, ok := art.(v1.ImageIndex)
		if !ok {
			return cli.Usagef("%s is one image, not an index; give --raw manifest", src)
		}
		raw, err = idx.RawManifest()
	} else {
		raw, err = transport.Raw(a.ctx, art, f.pick.Platform, f.raw)
	}
	if errors.Is(err, transport.ErrIndex) {
		return cli.Usagef("%s is an index; give --raw index for the index, or --platform OS/ARCH for that image's %s", src, f.raw)
	} else if err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	out := string(raw)
	if cli.IsTerminal(a.Stdout) {
		out = quote.Text(out)
	}
	_, err = fmt.Fprintf(a.Stdout, "%s\n", out)
	return err
}

// addReferrers adds to d the artifacts attached to its image where src
// keeps them (a registry, a layout); a tarball and the daemon keep none.
// Attachments that cannot be listed are a warning: the image is shown.
func (a *app) addReferrers(f *inspectFlags, src imageref.Reference, d *describe.Description) error {
	h, err := v1.NewHash(d.Digest)
	if err != nil {
		return err
	}
	atts, err := transport.Referrers(a.ctx, src, h, f.registry.Options)
	switch {
	case errors.Is(err, transport.ErrNoReferrers):
		return nil
	case err != nil && a.ctx.Err() != nil:
		return err
	case err != nil: // the image is still worth showing
		a.Logf("warning: %s: the attachments of %s are not shown: %v; run inspect again to retry", quote.Name(src.String()), d.Digest, err)
		return nil
	}
	return d.AddReferrers(atts)
}
