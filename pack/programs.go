package pack

import (
	"context"
	"errors"
	"fmt"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
)

// Errors a caller may want to explain in its own terms, for errors.Is.
var (
	// ErrNotStatic means a static program was asked for and the program
	// is dynamically linked.
	ErrNotStatic = errors.New("not statically linked")
	// ErrEntrypoints means the programs of one index would have
	// different image paths.
	ErrEntrypoints = errors.New("programs of one index at different paths")
)

// Program is one program to pack.
type Program struct {
	Path      string        // a host path; or, with Root, an absolute path in Root
	Root      *elfscan.Root // where Path is; nil for the host
	ImagePath string        // where it goes in the image; DefaultDir/BASE when empty
	// File, when set, is the program opened already (elfscan.Open, by
	// a caller that read its header): Programs reads it, not Path, and
	// leaves closing it to the caller.
	File *elfscan.File
}

// PackOptions says how Programs checks, resolves and packs programs.
type PackOptions struct {
	// Options is what every image gets; its Resolve says where libraries
	// are looked for (a shared Cache is added when it has none), and
	// Programs gives each program's Build its own copy (see
	// Options.Resolve).
	Options
	// Sysroots replace Resolve.Root for the programs of one platform,
	// keyed OS/ARCH (linux/arm64): one call packs an amd64 program
	// resolved on the host and an arm64 one resolved in a cross sysroot.
	Sysroots  map[string]*elfscan.Root
	Platforms []elfscan.Platform // refuse a program for none of these; empty accepts any
	Require   bool               // refuse unless every one of Platforms has a program
	Static    bool               // refuse a dynamically linked program
}

// Result is what Programs made: the artifact to write (one image, or an
// index of one image per platform) and each program's image, in order.
// Close removes the layers' temporary files once every output is written.
type Result struct {
	Artifact Artifact
	Images   []*Built
}

// Artifact is what Programs made to be written: a v1.Image, or a
// v1.ImageIndex of one image per platform. Its methods are what both
// have, so that a writer (pack/transport) takes it as it is.
type Artifact interface {
	MediaType() (types.MediaType, error)
	Digest() (v1.Hash, error)
	Size() (int64, error)
	RawManifest() ([]byte, error)
}

// Sources returns the host files every image was made from: what no
// output may replace.
func (r *Result) Sources() []string {
	var out []string
	for _, b := range r.Images {
		out = append(out, b.Sources...)
	}
	return out
}

// Close removes the layers' temporary files.
func (r *Result) Close() error {
	var errs []error
	for _, b := range r.Images {
		errs = append(errs, b.Close())
	}
	return errors.Join(errs...)
}

// Programs packs programs into one image each, on scratch: it checks
// every program's header first (platform, static, one image per
// platform) so that a mistake is refused before any library is looked
// for, then resolves each program's libraries, applies the essentials
// policy, builds and verifies its image, and puts several images into an
// index with the config's annotations.
func Programs(ctx context.Context, progs []Program, opts PackOptions) (*Result, error) {
	if len(progs) == 0 {
		return nil, errors.New("no program to pack")
	}
	if opts.From != nil {
		progs = slices.Clone(progs)
		for i := range progs {
			if progs[i].Root == nil {
				progs[i].Root = opts.From.Root
			}
		}
		if opts.Resolve.Root == nil {
			opts.Resolve.Root = opts.From.Root
		}
	}
	opts.DBs = &pkgdb.DBs{} // each root's database is read once for all the images
	seen := map[string]string{}
	roots := make([]*elfscan.Root, len(progs))
	var plats []elfscan.Platform
	paths := make([]string, len(progs))
	opened := make([]*elfscan.File, len(progs)) // each read once: its header here, the rest by its Scan below
	var files []*elfscan.File                   // those opened here
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	for i, p := range progs {
		f, err := p.File, error(nil)
		if f == nil {
			if f, err = p.open(); err != nil {
				return nil, err
			}
			files = append(files, f)
		}
		opened[i] = f
		r := f.Report()
		if err := r.CheckPlatform(opts.Platforms); err != nil {
			return nil, err
		}
		if r.Kind == elfscan.Dynamic && opts.Static {
			return nil, &detailError{ErrNotStatic, fmt.Sprintf("%s: dynamically linked (interpreter %s), not static", r.Path, r.Interpreter)}
		}
		if other, ok := seen[r.Platform.String()]; ok {
			return nil, fmt.Errorf("%s and %s are both for %s; an index holds one image per platform", other, r.Path, r.Platform)
		}
		seen[r.Platform.String()] = r.Path
		plats = append(plats, r.Platform)
		roots[i] = opts.Sysroots[r.Platform.OS+"/"+r.Platform.Architecture]
		if paths[i] = p.ImagePath; paths[i] == "" {
			if paths[i], err = ownPath(opts.DBs, r, opts.From != nil && r.Root == opts.From.Root); err != nil {
				return nil, err
			}
		}
		if paths[i] != paths[0] {
			return nil, &detailError{ErrEntrypoints, fmt.Sprintf("%s and %s would go to %s and %s, and one index has one entrypoint", progs[0].Path, r.Path, paths[0], paths[i])}
		}
	}
	if opts.Require {
		if err := elfscan.Covered(opts.Platforms, plats); err != nil {
			return nil, err
		}
	}
	resolve := opts.Resolve
	if resolve.Cache == nil {
		resolve.Cache = elfscan.NewCache()
	}
	resolve.CheckSymbols = true // refuse what the loader would stop on
	res := &Result{}
	for i := range progs {
		if err := ctx.Err(); err != nil {
			res.Close()
			return nil, err
		}
		o := resolve
		if roots[i] != nil {
			o.Root = roots[i]
		}
		r, err := opened[i].Scan(o)
		if err == nil {
			var b *Built
			bo := opts.Options
			bo.Resolve = o
			if b, err = Build(ctx, r, paths[i], bo); err == nil {
				res.Images = append(res.Images, b)
			}
		}
		if err != nil {
			res.Close()
			return nil, err
		}
	}
	res.Artifact = res.Images[0].Image
	if len(res.Images) > 1 {
		idx, err := Index(res.Images, opts.Config.Annotations)
		if err != nil {
			res.Close()
			return nil, err
		}
		res.Artifact = idx
	}
	return res, nil
}

// open opens the program where it is, and reads its header.
func (p Program) open() (*elfscan.File, error) {
	if p.Root == nil {
		return elfscan.Open(p.Path)
	}
	return elfscan.OpenFile(p.Root, p.Path)
}

// detailError is a sentinel error with a more specific message.
type detailError struct {
	sentinel error
	msg      string
}

func (e *detailError) Error() string { return e.msg }

func (e *detailError) Unwrap() error { return e.sentinel }
