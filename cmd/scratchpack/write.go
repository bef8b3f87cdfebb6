package main

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// imageWrite is one command's result and where it goes.
type imageWrite struct {
	result   *pack.Result
	tags     []name.Tag
	dest     transport.Destinations
	sbom     options.SBOM
	registry transport.Options
	ko       *koSBOMs // build's: the SBOMs named and pushed as ko's; nil for pack
}

// writeImages writes w's result under its tags to its destinations with
// its SBOMs (see attachSBOMs): attached where the destinations take
// them, and into --sbom-dir, all or nothing, no output replacing one of
// the result's inputs. With ko set, the SBOMs are also pushed at
// cosign's tags once the images are. No destination and no file writes
// nothing.
func (a *app) writeImages(ctx context.Context, w imageWrite) error {
	dest := w.dest
	dest.Inputs = w.result.Sources()
	cosign, err := attachSBOMs(w.sbom, w.result, w.tags, &dest, w.ko)
	if err != nil {
		return err
	}
	if dest.Empty() && len(dest.Files) == 0 {
		return nil
	}
	if err := transport.Write(ctx, w.result.Artifact, w.tags, dest, w.registry, a.Logf); err != nil {
		return err
	}
	if !dest.Push {
		return nil
	}
	return pushCosignSBOMs(ctx, cosign, w.tags, w.registry)
}

// checkOutputs checks every output of pack before any work (see
// transport.Destinations.Check), and that --sbom-dir can be made.
func checkOutputs(out *options.Output) error {
	if err := out.Dest.Check(); err != nil {
		return err
	}
	if out.SBOM.Dir != "" {
		return transport.CheckDir(out.SBOM.Dir)
	}
	return nil
}

// writePacked writes pack's result to every output of out, under out's
// names for it (see options.Output.Names), and prints the first name
// with the digest: on stdout, or, when the tarball itself goes to stdout
// (-o -), on stderr.
func (a *app) writePacked(out *options.Output, r *pack.Result) error {
	digest, err := r.Artifact.Digest()
	if err != nil {
		return err
	}
	tags := out.Names(r.Images[0].ImagePath)
	dest, refTo := out.Dest, a.Stdout
	if dest.Tarball == "-" {
		dest.Tarball, dest.Stream, refTo = "", a.Stdout, a.Stderr
	}
	w := imageWrite{result: r, tags: tags, dest: dest, sbom: out.SBOM, registry: a.registryOptions(out.Registry, true)}
	if err := a.writeImages(a.ctx, w); err != nil {
		return err
	}
	_, err = fmt.Fprintf(refTo, "%s@%s\n", tags[0], digest)
	return err
}
