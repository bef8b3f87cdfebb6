package options

import (
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack/gobuild"
)

// Build holds ko's build and publish flags, with ko's names: build and
// resolve register it.
type Build struct {
	Flags                 gobuild.Flags
	Tags                  []string
	Bare, Base, Preserve  bool
	Local, Push           bool
	Tarball, Layout, Refs string
	Trimpath              bool
	TagOnly, Debug        bool // ko's --tag-only and --debug (refused: see CheckKo)
	Registry              Registry
	SBOM                  SBOM
}

// AddFlags registers the build and publish flags and the registry flags
// (with ko's --insecure-registry as another name for --insecure).
func (f *Build) AddFlags(fs *pflag.FlagSet) {
	g := &f.Flags
	cli.FlagFunc(fs, "platform", "", "OS/ARCH[/VARIANT],...|all", "", "build for these platforms (repeatable, as ko's; default: .ko.yaml's defaultPlatforms, else this machine's)", func(s string) error {
		if s != "all" {
			if _, err := elfscan.ParsePlatforms(s); err != nil {
				return err
			}
		}
		switch {
		case g.Platform == "":
			g.Platform = s
		case g.Platform == "all" || s == "all": // as ko's
			return fmt.Errorf("all or specific platforms should be used, not both")
		default:
			g.Platform += "," + s
		}
		return nil
	})
	fs.BoolVar(&g.CGO, "cgo", false, "build with cgo (CGO_ENABLED=1); another architecture's C compiler comes from CC_linux_ARCH")
	fs.StringArrayVar(&g.Ldflags, "ldflags", nil, "go build -ldflags `FLAGS`, replacing .ko.yaml's as ko's do (repeatable; joined with spaces; templates as in .ko.yaml)")
	cli.FlagFunc(fs, "build-tags", "", "TAG,...", "", "go build -tags", func(s string) error {
		g.Tags = append(g.Tags, strings.Split(s, ",")...)
		return nil
	})
	cli.FlagFunc(fs, "build-env", "", "K=V", "", "set K=V for go build (repeatable)", cli.Append(&g.Env, checkKV))
	fs.BoolVar(&f.Trimpath, "trimpath", true, "build with -trimpath, as ko does")
	fs.BoolVar(&g.DisableOptimizations, "disable-optimizations", false, "build with -gcflags 'all=-N -l', for a debugger, as ko's")
	fs.BoolVar(&f.Debug, "debug", false, "ko's delve wrapper: refused, with the way to debug")
	fs.IntVarP(&g.Jobs, "jobs", "j", 0, "builds at once (default the number of CPUs)")
	tagged := false // the first -t replaces the default; later ones add, as ko's do
	cli.FlagFunc(fs, "tags", "t", "TAG,...", "latest", "image tags (repeatable; every one is pushed)", func(s string) error {
		if !tagged {
			f.Tags, tagged = nil, true
		}
		for _, t := range strings.Split(s, ",") {
			if _, err := name.NewTag("x:" + t); err != nil {
				return fmt.Errorf("%q is not a tag", t)
			}
			if !slices.Contains(f.Tags, t) {
				f.Tags = append(f.Tags, t)
			}
		}
		return nil
	})
	f.Tags = []string{"latest"}
	fs.BoolVar(&f.Bare, "bare", false, "name the image KO_DOCKER_REPO itself")
	fs.BoolVarP(&f.Base, "base-import-paths", "B", false, "name the image KO_DOCKER_REPO/LAST-ELEMENT, without the MD5")
	fs.BoolVarP(&f.Preserve, "preserve-import-paths", "P", false, "name the image KO_DOCKER_REPO/IMPORTPATH")
	fs.BoolVarP(&f.Local, "local", "L", false, "load into the Docker daemon instead of pushing, under KO_DOCKER_REPO (ko.local when unset), as ko -L does")
	fs.BoolVar(&f.Push, "push", true, "push to KO_DOCKER_REPO")
	fs.StringVar(&f.Tarball, "tarball", "", "also write a docker-archive tarball to `FILE` (one import path)")
	fs.StringVar(&f.Layout, "oci-layout-path", "", "also write the images into the OCI layout `DIR`")
	fs.BoolVar(&f.TagOnly, "tag-only", false, "print REPO:TAG, without the digest, as ko's (one -t, not latest)")
	fs.StringVar(&f.Refs, "image-refs", "", "write REF@DIGEST for each import path to `FILE`")
	f.Registry.AddFlags(fs)
	f.SBOM.AddFlags(fs)
	f.Registry.AddKoFlags(fs)
}

// GoFlags are the go build settings.
func (f *Build) GoFlags() gobuild.Flags {
	g := f.Flags
	g.NoTrim = !f.Trimpath
	return g
}

// Naming is the naming the flags ask for.
func (f *Build) Naming() (gobuild.Naming, error) {
	n, err := gobuild.ParseNaming(f.Bare, f.Base, f.Preserve)
	if err != nil {
		return n, cli.Usagef("%v", err)
	}
	return n, nil
}
