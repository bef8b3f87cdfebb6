package evidence

import (
	"context"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/pkgdb"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// Input is what the data a program needs depends on, beyond the program.
type Input struct {
	// Resolve resolves the ELF objects that data brings (plugins,
	// helpers); its Root is where the data is looked for, the program's
	// own root when nil.
	Resolve elfscan.Options
	// DBs are the package databases read so far; nil reads afresh.
	DBs *pkgdb.DBs
	// Packages are packages whose files are shipped whole (--packages).
	Packages []string
	// Env and Entrypoint are the image's: LANG picks the locales, TZ the
	// zone file, TERM the terminfo entry; the entrypoint's directory is
	// where an interpreter's prefix is looked for.
	Env        []string
	Entrypoint []string
	// TZData and ZoneInfo are the essentials' zone data policy and the
	// zone data it chose (nil for none): a TZ zone file is added unless
	// TZData is Never or ZoneInfo holds every zone.
	TZData   essentials.When
	ZoneInfo *essentials.ZoneInfo

	// files are the packages' files read so far, for Env; nil reads
	// afresh. A Planner shares them across its programs.
	files *pkgFiles
	// trees are the run-time data trees walked so far; nil walks
	// afresh. A Planner shares them across its programs.
	trees *treeWalks
}

// Add adds to p what the scanned program r needs at run time
// beyond its loader and libraries, in the one order pack and scan both
// use: the files of in.Packages and the packages' own evidence, then the
// run-time data (locales, gconv modules, terminfo, python's library, the
// TZ zone), then what the path literals of r, and of every ELF object
// those steps brought, name. It returns the path literals' evidence.
func Add(ctx context.Context, p *plan.Plan, r *elfscan.Report, in Input) (*Evidence, error) {
	if in.DBs == nil {
		in.DBs = &pkgdb.DBs{}
	}
	if err := addFound(ctx, p, r, in); err != nil {
		return nil, err
	}
	return addNamedPathsOf(ctx, p, in.DBs, withBroughtPaths(p, r), in.Resolve)
}

// addFound is Add's first two steps: the package evidence and the
// run-time data, whose plugins name paths too.
func addFound(ctx context.Context, p *plan.Plan, r *elfscan.Report, in Input) error {
	files := in.files
	if files == nil {
		files = newPkgFiles(in.Env)
	}
	if err := addPackagesOf(ctx, p, in.DBs, r, in.Packages, in.Resolve, defaultBounds(), files); err != nil {
		return err
	}
	return addRunTimeData(ctx, p, r, in)
}
