package gobuild

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/check"
)

// Image builds pkg for every platform, builds running at once up to the
// Builder's jobs, and packs the binaries with pack.Programs into one
// image, or an index of one image per platform, with the binary at
// imagePath ("" for /ko-app/NAME, as ko puts it). The package's kodata
// directory goes to KodataRoot, KO_DATA_PATH names it, and the PATH
// holds the binary's directory, as in ko's images. The binaries are
// checked against their platforms (po.Platforms is set to them), the
// image gets the labels of the checkout unless po's config sets them,
// and the binary gets the file capabilities of its builds entry's
// linux_capabilities, as ko gives them.
func (b *Builder) Image(ctx context.Context, pkg Package, plats []elfscan.Platform, imagePath string, po pack.PackOptions) (*pack.Result, error) {
	data, err := kodata(pkg.Dir, b.tmp, b.getenv) // a bad kodata fails before anything is built
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkg.Ref, err)
	}
	caps, err := CapabilityXattr(b.entries[pkg.ImportPath].LinuxCapabilities)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", pkg.Ref, b.config.File, err)
	}
	if caps != nil { // as ko writes them: the binary's security.capability
		po.ProgramXattrs = map[string]string{"security.capability": string(caps)}
	}
	bctx, cancel := context.WithCancel(ctx) // the first failed build stops the others
	defer cancel()
	bins := make([]string, len(plats))
	errs := make(chan error, len(plats))
	for i, p := range plats {
		go func() {
			var err error
			bins[i], err = b.Build(bctx, pkg, p)
			if err != nil {
				cancel()
			}
			errs <- err
		}()
	}
	var first error
	for range plats {
		if err := <-errs; err != nil && (first == nil || first == context.Canceled) {
			first = err
		}
	}
	if first != nil {
		return nil, first
	}
	if imagePath == "" {
		imagePath = AppPath(pkg.ImportPath)
	}
	po.Add = append(slices.Clip(po.Add), data...)
	po.Config.Env = koEnv(po.Config.Env, path.Dir(imagePath))
	progs := make([]pack.Program, len(bins))
	for i, bin := range bins {
		f, err := elfscan.Open(bin) // read once: its header here, the rest by pack.Programs
		if err != nil {
			return nil, fmt.Errorf("%s for %s: %w", pkg.Ref, plats[i], err)
		}
		defer f.Close()
		if err := needsSysroot(f.Report(), plats[i], po); err != nil {
			return nil, fmt.Errorf("%s for %s: %w", pkg.Ref, plats[i], err)
		}
		progs[i] = pack.Program{Path: bin, ImagePath: imagePath, File: f}
	}
	po.Platforms, po.Require = plats, true
	// As ko's: arm64 with no variant, an author, and with no
	// SOURCE_DATE_EPOCH the zero time as created (the layer keeps 1970).
	po.OmitArm64Variant, po.Config.Author = true, author
	if b.getenv("SOURCE_DATE_EPOCH") == "" {
		po.Config.ZeroCreated = true
	}
	if l := vcsLabels(progs[0].File.Report().Go, gitRemote(ctx, pkg.Dir)); len(l) > 0 {
		labels := maps.Clone(l)
		maps.Copy(labels, po.Config.Labels)
		po.Config.Labels = labels
	}
	r, err := pack.Programs(ctx, progs, po)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pkg.Ref, err)
	}
	return r, nil
}

// ErrNoSysroot means a dynamically linked binary was built for another
// architecture and no root holds that architecture's libraries.
var ErrNoSysroot = errors.New("no sysroot for a cross-built cgo binary")

// needsSysroot refuses a dynamically linked binary (r, its header) for another
// architecture when no root is given for it: its loader and libraries
// are not on this machine, and the message names the flag to give.
func needsSysroot(r *elfscan.Report, p elfscan.Platform, po pack.PackOptions) error {
	if p.Architecture == runtime.GOARCH || po.Resolve.Root != nil || po.Sysroots[p.OS+"/"+p.Architecture] != nil {
		return nil
	}
	if r.Kind != elfscan.Dynamic {
		return nil
	}
	return fmt.Errorf("%w: it is dynamically linked, and its loader and libraries are in no root given for %s (Debian's is /usr/%s)",
		ErrNoSysroot, p, strings.TrimSuffix(crossCC(p.Architecture), "-gcc"))
}

// Images makes the image of each package, several at once (builds are
// limited to the Builder's jobs), and hands each result to publish, which
// writes it and returns its reference. A package named twice is built
// once. The references come back in the order of pkgs; the first error
// stops the rest.
func (b *Builder) Images(ctx context.Context, pkgs []Package, plats []elfscan.Platform, imagePath string, po pack.PackOptions,
	publish func(context.Context, Package, *pack.Result) (string, error)) ([]string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make([]string, len(pkgs))
	errs := make([]error, len(pkgs))
	first := map[string]int{}
	var wg sync.WaitGroup
	for i, pkg := range pkgs {
		if _, ok := first[pkg.ImportPath]; ok {
			continue
		}
		first[pkg.ImportPath] = i
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := b.Image(ctx, pkg, plats, imagePath, po)
			if err == nil {
				out[i], err = publish(ctx, pkg, r)
				r.Close()
			}
			if errs[i] = err; err != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	var firstErr error
	for i, pkg := range pkgs {
		j := first[pkg.ImportPath]
		if err := errs[j]; err != nil && (firstErr == nil || errors.Is(firstErr, context.Canceled)) {
			firstErr = err
		}
		out[i] = out[j]
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return out, nil
}

// author is the author of the images build makes. ko writes its own
// name, github.com/ko-build/ko; these say who made them.
const author = "github.com/scratchpack/scratchpack"

// appDir is where ko puts the binary.
const appDir = "/ko-app"

// AppPath is where ko puts the binary of importPath: /ko-app/NAME, NAME
// the import path's last element.
func AppPath(importPath string) string {
	name := path.Base(importPath)
	if name == "." || name == "/" {
		name = "ko-app"
	}
	return path.Join(appDir, name)
}

// koEnv is env with what ko's images set: the PATH (env's, else pack's
// default) ending in dir, and KO_DATA_PATH, unless env sets it.
func koEnv(env []string, dir string) []string {
	out := slices.Clone(env)
	i := slices.IndexFunc(out, func(kv string) bool { return strings.HasPrefix(kv, "PATH=") })
	if i < 0 {
		out = append([]string{check.DefaultPath}, out...)
		i = 0
	}
	if !slices.Contains(strings.Split(strings.TrimPrefix(out[i], "PATH="), ":"), dir) {
		out[i] += ":" + dir
	}
	if !slices.ContainsFunc(out, func(kv string) bool { return strings.HasPrefix(kv, "KO_DATA_PATH=") }) {
		out = append(out, "KO_DATA_PATH="+KodataRoot)
	}
	return out
}
