package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// checkKV checks a K=V value.
func checkKV(s string) (string, error) {
	if k, _, ok := strings.Cut(s, "="); !ok || k == "" {
		return "", fmt.Errorf("want K=V")
	}
	return s, nil
}

// setKV returns a setter of K=V values into *m.
func setKV(m *map[string]string) func(string) error {
	return func(s string) error {
		if _, err := checkKV(s); err != nil {
			return err
		}
		if *m == nil {
			*m = map[string]string{}
		}
		k, v, _ := strings.Cut(s, "=")
		(*m)[k] = v
		return nil
	}
}

// resolveFlags say where libraries are looked for and what a program must
// be built for: scan and pack register them.
type resolveFlags struct {
	opts      elfscan.Options
	platforms []elfscan.Platform
	require   bool
	from      string
	registry  registryFlags
}

func (f *resolveFlags) register(fs *pflag.FlagSet) {
	cli.FlagFunc(fs, "platform", "", "OS/ARCH[/VARIANT],...", "", "refuse a binary that is for none of these platforms", func(s string) error {
		f.platforms = nil
		for _, p := range strings.Split(s, ",") {
			pl, err := elfscan.ParsePlatform(strings.TrimSpace(p))
			if err != nil {
				return err
			}
			f.platforms = append(f.platforms, pl)
		}
		return nil
	})
	fs.BoolVar(&f.require, "require-platforms", false, "fail unless every --platform is covered by a binary")
	cli.FlagFunc(fs, "gconv", "", "charsets|all", "charsets", "gconv modules for a program that uses iconv: those of the charsets it names, or all", func(s string) error {
		if s != "charsets" && s != "all" {
			return fmt.Errorf("want charsets or all")
		}
		f.opts.GconvAll = s == "all"
		return nil
	})
	fs.StringVar(&f.from, "from", "", "take the programs out of `IMAGE` (a registry reference, DIR[:NAME], a tarball, docker://NAME): each BINARY is a path in it")
	cli.FlagFunc(fs, "sysroot", "", "DIR", "", "resolve libraries inside DIR as if it were / (for cross-arch)", func(s string) error {
		if fi, err := os.Stat(s); err != nil || !fi.IsDir() {
			return fmt.Errorf("%s is not a directory", s)
		}
		f.opts.Root = elfscan.DirRoot(s)
		return nil
	})
	cli.FlagFunc(fs, "lib-path", "", "DIR", "", "search DIR first for libraries, like LD_LIBRARY_PATH (repeatable; relative to the working directory)", cli.Append(&f.opts.LibPath, filepath.Abs))
}

// imageFlags shape every image: pack and build register them.
type imageFlags struct {
	opts                 pack.Options
	path                 string
	static, noEssentials bool
}

func (f *imageFlags) register(fs *pflag.FlagSet) {
	o := &f.opts
	o.Essentials, o.Layer.Compression = pack.DefaultEssentials(), pack.Gzip
	cli.FlagFunc(fs, "path", "", "PATH", "", "where the binary goes in the image (default /usr/local/bin/BINARY)", cli.Set(&f.path, pack.CleanPath))
	fs.BoolVar(&f.static, "static", false, "refuse a dynamically linked binary")
	cli.FlagFunc(fs, "certs", "", "auto|always|never|embedded|FILE", "auto", "CA roots: when the binary needs them, always, never, the embedded Mozilla set, or a PEM file", o.Essentials.SetCerts)
	fs.StringArrayVar(&o.Essentials.CertsFrom.Extra, "ca", nil, "add a private CA from a PEM `FILE` to the bundle (repeatable)")
	cli.FlagFunc(fs, "tzdata", "", "auto|always|never", "auto", "time zone data: when the binary needs it, always or never", cli.Set(&o.Essentials.TZData, pack.ParseWhen))
	fs.BoolVar(&f.noEssentials, "no-essentials", false, "leave out /etc/passwd, /etc/group, nsswitch.conf, /tmp and the home directories")
	cli.FlagFunc(fs, "entrypoint", "", "PATH", "", "entrypoint (default: the binary's image path)", cli.Set(&o.Config.Entrypoint, func(s string) ([]string, error) { return []string{s}, nil }))
	cli.FlagFunc(fs, "env", "", "K=V", "", "set K=V in the image's environment (repeatable)", cli.Append(&o.Config.Env, checkKV))
	cli.FlagFunc(fs, "workdir", "", "DIR", "", "working directory of the container, an absolute path", func(s string) error {
		if !strings.HasPrefix(s, "/") {
			return fmt.Errorf("want an absolute path")
		}
		o.Config.WorkingDir = s
		return nil
	})
	fs.StringVar(&o.Config.User, "user", "", "`NAME|UID[:GID]` the container runs as (default nonroot, 65532:65532)")
	cli.FlagFunc(fs, "expose", "", "PORT[/PROTO]", "", "document a port the program listens on (repeatable)", cli.Append(&o.Config.ExposedPorts, pack.ParsePort))
	cli.FlagFunc(fs, "label", "", "K=V", "", "set an image label (repeatable)", setKV(&o.Config.Labels))
	cli.FlagFunc(fs, "annotation", "", "K=V", "", "set a manifest annotation (repeatable)", setKV(&o.Config.Annotations))
	cli.FlagFunc(fs, "add", "", "SRC:DST[:MODE]", "", "add a host file or directory (repeatable)", cli.Append(&o.Add, pack.ParseAddition))
	cli.FlagFunc(fs, "include", "", "PATH[:DST]", "", "copy a file or tree from the program's root (--from's image, --sysroot, the host), with the libraries of every ELF file in it (repeatable)", cli.Append(&o.Include, pack.ParseInclude))
	cli.FlagFunc(fs, "compression", "", "gzip|zstd|none", "gzip", "layer compression", cli.Set(&o.Layer.Compression, pack.ParseCompression))
}

// options finishes the image options with what only the whole command
// line and the environment say: cmdArgs become the Cmd, and the
// environment gives SOURCE_DATE_EPOCH and GOROOT.
func (f *imageFlags) options(cmdArgs []string, getenv func(string) string, checkUser bool) (pack.Options, error) {
	o := f.opts
	o.Essentials.Base = !f.noEssentials
	if o.Config.User != "" && checkUser { // with --from, the image's users count: pack checks them
		if err := pack.CheckUser(o.Config.User, o.Essentials.Base); err != nil {
			return o, cli.Usagef("--%v", err)
		}
	}
	created, err := pack.SourceDate(getenv("SOURCE_DATE_EPOCH"))
	o.Layer.ModTime, o.Config.Created, o.Config.Cmd, o.Essentials.GoRoot = created, created, cmdArgs, getenv("GOROOT")
	return o, err
}

// outputFlags say where images go: pack and build register them.
type outputFlags struct {
	tags     []name.Tag
	dest     transport.Destinations
	registry registryFlags
}

func (f *outputFlags) register(fs *pflag.FlagSet) {
	cli.FlagFunc(fs, "tag", "t", "NAME[:TAG],...", "", "image names and tags (repeatable or comma-separated; default BINARY:latest)", func(s string) error {
		for _, ref := range strings.Split(s, ",") {
			if strings.Contains(ref, "@") {
				return fmt.Errorf("give a tag, not a digest: the digest is what pack prints")
			}
			t, err := name.NewTag(strings.TrimSpace(ref))
			if err != nil {
				return fmt.Errorf("%q is not an image name (want NAME[:TAG], lower case): %v", ref, err)
			}
			f.tags = append(f.tags, t)
		}
		return nil
	})
	fs.StringVarP(&f.dest.Tarball, "output", "o", "", "write a docker-archive tarball (for docker load) to `FILE`; - is stdout")
	fs.StringVar(&f.dest.Layout, "oci-layout", "", "create or add to the OCI image layout `DIR`")
	fs.BoolVar(&f.dest.Push, "push", false, "push to the registry named in each -t")
	fs.BoolVar(&f.dest.Daemon, "docker", false, "load into the local Docker daemon")
	fs.StringVar(&f.dest.ImageRefs, "image-refs", "", "write REF@DIGEST for every tag to `FILE`, as ko and crane do")
	fs.StringVar(&f.dest.MetadataFile, "metadata-file", "", "write what was made to `FILE` as JSON: tags, digests, image IDs and layers per platform")
	f.registry.register(fs)
}

// names returns the tags, or one made from the program's name in the
// image.
func (f *outputFlags) names(bin string) []name.Tag {
	if len(f.tags) > 0 {
		return f.tags
	}
	t, _ := name.NewTag(pack.DefaultRepository(bin) + ":latest")
	return []name.Tag{t}
}

// registryFlags say how to talk to registries: every command that reads
// or writes one registers them.
type registryFlags struct{ opts transport.Options }

func (f *registryFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&f.opts.Insecure, "insecure", false, "allow plain http to the registry (automatic for localhost)")
	fs.DurationVar(&f.opts.Timeout, "timeout", transport.DefaultTimeout, "give up on a registry that does not answer, or an upload that moves no bytes, for `DURATION`")
}

// logFlags say how much goes to stderr.
type logFlags struct{ quiet, verbose bool }

func (f *logFlags) register(fs *pflag.FlagSet) {
	fs.BoolVarP(&f.quiet, "quiet", "q", false, "print only the results, no logs")
	fs.BoolVarP(&f.verbose, "verbose", "v", false, "log every file placed, every library and why, every blob pushed or skipped")
}

// source opens --from's image for the first --platform, or this
// machine's; nil when there is no --from.
func (f *resolveFlags) source(ctx context.Context) (*pack.Source, error) {
	if f.from == "" {
		return nil, nil
	}
	p := v1.Platform{OS: "linux", Architecture: runtime.GOARCH}
	if len(f.platforms) > 0 {
		p = pack.OCIPlatform(f.platforms[0])
	}
	return pack.OpenSource(ctx, f.from, p, f.registry.opts, pack.DefaultCacheDir(), "")
}

// pickFlags choose one image of an index: inspect and verify register
// them.
type pickFlags struct{ platform *v1.Platform }

func (f *pickFlags) register(fs *pflag.FlagSet) {
	cli.FlagFunc(fs, "platform", "", "OS/ARCH[/VARIANT]", "", "of an index, only the image for this platform", func(s string) error {
		p, err := elfscan.ParsePlatform(s)
		oci := pack.OCIPlatform(p)
		f.platform = &oci
		return err
	})
}
