package pack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/certs"
	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/check"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/evidence"
	"github.com/scratchpack/scratchpack/pack/layer"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
	"github.com/scratchpack/scratchpack/pack/plan"
	"github.com/scratchpack/scratchpack/pack/source"
	"github.com/scratchpack/scratchpack/pack/statusd"
)

// Options says how to build images.
type Options struct {
	Config     Config                // Platform comes from each program; Entrypoint defaults to its image path
	Layer      layer.Options         // mtime and compression
	Add        []plan.Addition       // extra files and directories, from the host
	Include    []plan.Include        // files and trees from the program's own root
	Exclude    []string              // globs left out of Add's and Include's trees (see Plan.Exclude)
	Packages   []string              // packages of the program's root whose files are shipped (--packages)
	Essentials essentials.Essentials // passwd, /tmp, CA roots, zone files
	// DpkgStatus writes /var/lib/dpkg/status.d entries for the Debian
	// packages that own shipped files, as distroless does, so that
	// scanners find them.
	DpkgStatus bool
	// ProgramXattrs are the extended attributes of the program's file:
	// security.capability for ko's linux_capabilities.
	ProgramXattrs map[string]string
	// OmitArm64Variant leaves arm64's variant, v8, out of the config and
	// the index, as ko and docker build do; pack keeps it.
	OmitArm64Variant bool

	// Resolve is how the program was resolved, and how Build resolves
	// what else it packs: the ELF files of Include and Packages, and the
	// data files and plugins the program names. Its Root is where they
	// are looked for (a sysroot, or the --from image; the program's own
	// root when nil). Programs sets it for each program to its Resolve
	// with a shared Cache, CheckSymbols, and the platform's sysroot, so
	// that Build given the same report and Options makes the same image.
	Resolve elfscan.Options
	// DBs are the package databases read so far, which the images of one
	// Programs call share; nil reads each root's database afresh.
	DBs *pkgdb.DBs

	// From, when set, is the image the programs come from: its config
	// carries over where Config says nothing, and its users and groups
	// are merged into the base essentials.
	From *source.Source
}

// Built is one program's image. Close removes its layer's temporary file,
// so it must outlive every output written from the image.
type Built struct {
	Report    *elfscan.Report
	ImagePath string
	Image     v1.Image
	Layer     *layer.Layer
	Platform  v1.Platform
	Certs     *certs.Bundle                             // the CA roots packed, or nil
	ZoneInfo  string                                    // where the zone data packed came from, or ""
	Sources   []string                                  // the host files the image was made from
	Plan      *plan.Plan                                // the image's root file system
	Data      *evidence.Evidence                        // what the program's path literals brought
	owners    func() (map[string]*pkgdb.Package, error) // the package of each file, when the layer has checksums
}

// Close removes the layer's temporary file.
func (b *Built) Close() error { return b.Layer.Close() }

// Owners returns the package that owns each file of the image, by image
// path, as the roots' package databases say: what an SBOM names. The
// databases are read once, while the layer is built, when Options.Layer
// asks for HashFiles (or Options.DpkgStatus is set); otherwise Owners is
// an error.
func (b *Built) Owners() (map[string]*pkgdb.Package, error) {
	if b.owners == nil {
		return nil, errors.New("the image's files were not looked up in their package databases (layer.Options.HashFiles)")
	}
	return b.owners()
}

// Build plans the root file system for the scanned program (the program
// at imagePath, its loader and libraries, the essentials the policy
// chooses for it, the additions), checks the plan (Verify) and the config
// against it (check.Plan), builds the layer in one pass, and
// assembles the image. It stops when ctx is done.
func Build(ctx context.Context, r *elfscan.Report, imagePath string, opts Options) (*Built, error) {
	dbs := cmp.Or(opts.DBs, &pkgdb.DBs{}) // each root's database is read once
	if imagePath == "" {
		var err error
		if imagePath, err = ownPath(dbs, r, opts.From != nil && r.Root == opts.From.Root); err != nil {
			return nil, err
		}
	}
	chosen, err := opts.Essentials.Decide(r)
	if err != nil {
		return nil, err
	}
	cfg := opts.Config
	if opts.From != nil {
		if cfg, err = carry(opts.From, cfg, imagePath, r.Path); err != nil {
			return nil, err
		}
		if chosen.Base {
			chosen.Passwd, chosen.Group = mergeAccounts(opts.From)
			if cfg.User != "" && !hasUser(chosen.Passwd, cfg.User) {
				return nil, fmt.Errorf("user %s is not in %s's /etc/passwd", cfg.User, opts.From.Ref)
			}
		}
	}
	pl := plan.NewPlan()
	pl.Exclude(opts.Exclude...)
	if err := pl.AddRuntime(r, imagePath); err != nil {
		return nil, err
	}
	if err := pl.AddProgram(r, imagePath); err != nil {
		return nil, err
	}
	if len(opts.ProgramXattrs) > 0 {
		if err := pl.SetXattrs(imagePath, opts.ProgramXattrs); err != nil {
			return nil, err
		}
	}
	essentialEnv, err := essentials.Add(pl, chosen)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Path, err)
	}
	for _, a := range opts.Add {
		if err := pl.AddTreeContext(ctx, a); err != nil {
			return nil, err
		}
	}
	if len(opts.Include) > 0 {
		root := opts.Resolve.Root // the sysroot or image; the program's own root otherwise
		if root == nil {
			root = r.Root
		}
		if err := pl.AddIncludes(ctx, root, opts.Include, opts.Resolve); err != nil {
			return nil, err
		}
	}
	run := cfg.withDefaults(imagePath)
	data, err := evidence.Add(ctx, pl, r, evidence.Input{
		Resolve: opts.Resolve, DBs: dbs, Packages: opts.Packages,
		Env: append(run.Env, essentialEnv...), Entrypoint: run.Entrypoint,
		TZData: opts.Essentials.TZData, ZoneInfo: chosen.ZoneInfo,
	})
	if err != nil {
		return nil, err
	}
	// The package of each file, for the status.d entries and the SBOM:
	// the databases are read once, for both.
	var owners func() (map[string]*pkgdb.Package, error)
	if opts.DpkgStatus || opts.Layer.HashFiles {
		owners = sync.OnceValues(func() (map[string]*pkgdb.Package, error) { return statusd.Owners(dbs, pl) })
	}
	if opts.DpkgStatus {
		found, err := owners()
		if err != nil {
			return nil, err
		}
		if err := statusd.Add(pl, dbs, found); err != nil {
			return nil, err
		}
	}
	cfg = cfg.withDefaults(imagePath)
	cfg.Platform = OCIPlatform(r.Platform)
	if opts.OmitArm64Variant && cfg.Platform.Architecture == "arm64" && cfg.Platform.Variant == "v8" {
		cfg.Platform.Variant = ""
	}
	cfg.Env = append(cfg.Env, essentialEnv...)
	if err := plan.Verify(pl, r, imagePath, opts.Resolve); err != nil {
		return nil, err
	}
	if err := check.Plan(pl, cfg.configFile(), imagePath); err != nil {
		return nil, fmt.Errorf("%s: %w", r.Path, err)
	}
	if opts.Layer.HashFiles { // an SBOM will be made: look the packages up while the layer is built
		go owners()
	}
	l, err := layer.Build(ctx, pl, opts.Layer)
	if err != nil {
		return nil, err
	}
	img, err := Image(l, cfg)
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("%s: %w", r.Path, err)
	}
	b := &Built{Report: r, ImagePath: imagePath, Image: img, Layer: l, Platform: cfg.Platform, Certs: chosen.Certs, Sources: pl.HostSources(), Plan: pl, Data: data, owners: owners}
	if chosen.ZoneInfo != nil {
		b.ZoneInfo = chosen.ZoneInfo.String()
	}
	return b, nil
}

// OCIPlatform is a scanned platform as the image model names it.
func OCIPlatform(p elfscan.Platform) v1.Platform {
	return v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
}

// withDefaults fills in what an image has unless told otherwise: the
// program as entrypoint, the nonroot user, and a PATH.
func (c Config) withDefaults(imagePath string) Config {
	if len(c.Entrypoint) == 0 {
		c.Entrypoint = []string{imagePath}
	}
	if c.User == "" {
		c.User = essentials.DefaultUser
	}
	hasPath := slices.ContainsFunc(c.Env, func(kv string) bool { return strings.HasPrefix(kv, "PATH=") })
	if !hasPath {
		c.Env = append([]string{check.DefaultPath}, c.Env...)
	} else {
		c.Env = slices.Clone(c.Env)
	}
	return c
}
