package options

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/imageref"
)

// Resolve says where libraries are looked for and what a program must be
// built for: scan, pack and build register it.
type Resolve struct {
	Options   elfscan.Options
	Platforms []elfscan.Platform
	Require   bool
	From      imageref.Reference // --from, parsed as it is given
	// Sysroots are the roots given as --sysroot OS/ARCH=DIR, by
	// OS/ARCH; a plain --sysroot DIR is Options.Root.
	Sysroots map[string]*elfscan.Root
}

// AddFlags registers --platform, --require-platforms and --from, and the
// library flags.
func (f *Resolve) AddFlags(fs *pflag.FlagSet) {
	cli.FlagFunc(fs, "platform", "", "OS/ARCH[/VARIANT],...", "", "refuse a binary that is for none of these platforms", func(s string) error {
		ps, err := elfscan.ParsePlatforms(s)
		f.Platforms = ps
		return err
	})
	fs.BoolVar(&f.Require, "require-platforms", false, "fail unless every --platform is covered by a binary")
	cli.FlagFunc(fs, "from", "", "IMAGE", "", "take the programs out of IMAGE (a registry reference, DIR[:NAME] or oci:DIR[:NAME], a tarball, docker://NAME): each BINARY is a path in it", cli.Set(&f.From, imageref.Parse))
	f.AddLibraryFlags(fs)
}

// AddLibraryFlags registers the flags that say where libraries are found:
// --sysroot, --lib-path and --gconv. build registers only these.
func (f *Resolve) AddLibraryFlags(fs *pflag.FlagSet) {
	cli.FlagFunc(fs, "gconv", "", "charsets|all", "charsets", "gconv modules for a program that uses iconv: those of the charsets it names, or all", func(s string) error {
		if s != "charsets" && s != "all" {
			return fmt.Errorf("want charsets or all")
		}
		f.Options.GconvAll = s == "all"
		return nil
	})
	cli.FlagFunc(fs, "sysroot", "", "[OS/ARCH=]DIR", "", "resolve libraries inside DIR as if it were / (for cross-arch); with OS/ARCH=, only for programs of that platform (repeatable)", f.setSysroot)
	cli.FlagFunc(fs, "lib-path", "", "DIR", "", "search DIR first for libraries, like LD_LIBRARY_PATH (repeatable; relative to the working directory)", cli.Append(&f.Options.LibPath, filepath.Abs))
}

func (f *Resolve) setSysroot(s string) error {
	plat, dir, keyed := strings.Cut(s, "=")
	if !keyed {
		dir = s
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if !keyed {
		f.Options.Root = elfscan.DirRoot(dir)
		return nil
	}
	p, err := elfscan.ParsePlatform(plat)
	if err != nil {
		return err
	}
	if f.Sysroots == nil {
		f.Sysroots = map[string]*elfscan.Root{}
	}
	f.Sysroots[p.OS+"/"+p.Architecture] = elfscan.DirRoot(dir)
	return nil
}

// PackOptions returns the resolve half of pack's options.
func (f *Resolve) PackOptions(o pack.Options) pack.PackOptions {
	o.Resolve = f.Options
	return pack.PackOptions{Options: o, Sysroots: f.Sysroots, Platforms: f.Platforms, Require: f.Require}
}

// FromPlatform is the platform of --from's image to take the programs
// out of: the first --platform, or this machine's.
func (f *Resolve) FromPlatform() v1.Platform {
	if len(f.Platforms) > 0 {
		return pack.OCIPlatform(f.Platforms[0])
	}
	return v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
}
