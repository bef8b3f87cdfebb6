package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/gobuild"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// buildFlags are what build and resolve share: ko's flags, where
// libraries are found, and every image flag of pack.
type buildFlags struct {
	build options.Build
	res   options.Resolve
	img   options.Image
}

func (f *buildFlags) register(a *app, fs *pflag.FlagSet) {
	f.build.AddFlags(fs)
	f.res.AddLibraryFlags(fs)
	f.img.AddFlags(fs)
	f.img.AddKoFlags(fs)
	a.Log.AddFlags(fs)
}

// buildCommand is build, or publish, ko's older name for it, which
// scripts still use.
func (a *app) buildCommand(name string) cli.Command {
	summary := "Build Go main packages for each platform and publish them, as ko build does"
	if name != "build" {
		summary = "Another name for build, as ko's publish is"
	}
	return cli.Command{
		Name:     name,
		Summary:  summary,
		Usage:    "build [flags] IMPORTPATH...",
		Examples: helpText("build"),
		Flags: func(fs *pflag.FlagSet) cli.Action {
			var f buildFlags
			f.register(a, fs)
			return func(args, after []string) error {
				refs, err := a.buildImages(&f, append(args, after...))
				for _, r := range refs {
					fmt.Fprintln(a.Stdout, r)
				}
				return err
			}
		},
	}
}

// buildImages builds and publishes one image per import path, several at
// once, and returns their references in the order given. No import path
// is the working directory's package, as in ko. The steps, in order:
// refuse what ko's flags ask for that cannot be done, say where the
// images go, check every output, the daemon and --sbom-dir, make the
// pack options, reserve --image-refs, then build and publish each import
// path (see publisher) and write --image-refs.
func (a *app) buildImages(f *buildFlags, refs []string) ([]string, error) {
	if len(refs) == 0 {
		refs = []string{"."}
	}
	if err := f.build.CheckKo(); err != nil {
		return nil, err
	}
	target, err := f.build.Target(a.getenv, len(refs))
	if err != nil {
		return nil, err
	}
	naming, err := f.build.Naming()
	if err != nil {
		return nil, err
	}
	if target.Dest.Tarball != "" && severalPlatforms(f.build.Flags.Platform) {
		return nil, cli.Usagef("%s: give --tarball one --platform, or write the index with --oci-layout-path or a push", severalRule)
	}
	if err := target.Dest.Check(); err != nil { // a bad output fails now, not after the builds
		return nil, err
	}
	if target.Dest.Daemon {
		if err := transport.CheckDaemon(a.ctx); err != nil {
			return nil, err
		}
	}
	if f.build.SBOM.Dir != "" {
		if err := os.MkdirAll(f.build.SBOM.Dir, 0o755); err != nil { // as ko makes it
			return nil, fmt.Errorf("--sbom-dir: %w", err)
		}
		if err := transport.CheckDir(f.build.SBOM.Dir); err != nil {
			return nil, err
		}
	}
	opts, err := f.img.PackOptions(nil, a.getenv, true)
	if err != nil {
		return nil, err
	}
	opts.Layer.Compression = f.img.Compression(target.Dest)
	opts.Layer.HashFiles = f.build.SBOM.Wanted(target.Dest) // the SBOM's file checksums
	opts.DpkgStatus = f.build.SBOM.DpkgStatus
	opts.Layer.Cache = a.layerCache() // an unchanged layer is reused, not built
	po := f.res.PackOptions(opts)
	po.Static = f.img.Static
	pub := &publisher{a: a, flags: &f.build, target: target, naming: naming, registry: a.registryOptions(f.build.Registry, false)}
	var refsFile *transport.Reserved
	if f.build.Refs != "" { // checked before anything is built or pushed
		if refsFile, err = transport.Reserve(f.build.Refs, nil); err != nil {
			return nil, err
		}
		defer refsFile.Abort()
	}
	var mu sync.Mutex
	recorded := map[string][]string{} // the --image-refs lines of each printed reference
	// go build's outputs are kept, so that an unchanged one is not linked again.
	keep := keptBuildsDir()
	out, err := gobuild.Run(a.ctx, refs, gobuild.Options{Environ: a.environ(), Getenv: a.getenv, Flags: f.build.GoFlags(), ImagePath: f.img.Path, Pack: po, Logf: a.Logf, Keep: keep},
		func(ctx context.Context, pkg gobuild.Package, r *pack.Result) (string, error) {
			if a.Log.Verbose { // every file placed, kodata's among them
				for _, b := range r.Images {
					for _, note := range notes(b, true) { // named by import path, not the temporary binary
						a.Logf("%s for %s: %s", pkg.ImportPath, b.Report.Platform, strings.TrimPrefix(note, b.Report.Path+": "))
					}
				}
			}
			ref, err := pub.publish(ctx, pkg.ImportPath, r)
			if err == nil && refsFile != nil {
				var lines []string
				if lines, err = imageRefs(ref, r); err == nil {
					mu.Lock()
					recorded[ref] = lines
					mu.Unlock()
				}
			}
			return ref, err
		})
	if err != nil {
		return nil, err
	}
	if refsFile != nil {
		err = refsFile.Write(func(w io.Writer) error {
			for _, ref := range out {
				if _, err := io.WriteString(w, strings.Join(recorded[ref], "\n")+"\n"); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return out, err
}

// imageRefs are the --image-refs lines of one published image, as ko
// writes them: the reference printed; for an index, REPO@DIGEST of the
// index and then of each platform's image, which cosign sign needs.
func imageRefs(printed string, r *pack.Result) ([]string, error) {
	if len(r.Images) < 2 {
		return []string{printed}, nil
	}
	ref, err := name.ParseReference(printed)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", printed, err)
	}
	raw, err := r.Artifact.RawManifest()
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	d, err := r.Artifact.Digest()
	if err != nil {
		return nil, err
	}
	lines := []string{ref.Context().Digest(d.String()).String()}
	for _, desc := range m.Manifests {
		lines = append(lines, ref.Context().Digest(desc.Digest.String()).String())
	}
	return lines, nil
}

// severalPlatforms reports whether a --platform value names more than one
// platform: a list, or all.
func severalPlatforms(flag string) bool {
	return flag == "all" || strings.Contains(flag, ",")
}
