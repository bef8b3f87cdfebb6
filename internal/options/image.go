package options

import (
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/essentials"
	"github.com/scratchpack/scratchpack/pack/evidence"
	"github.com/scratchpack/scratchpack/pack/layer"
	"github.com/scratchpack/scratchpack/pack/plan"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// Image shapes every image: pack and build register it.
type Image struct {
	Options      pack.Options
	Path         string // --path: where the program goes
	Static       bool
	NoEssentials bool

	compressionSet bool // --compression was given
}

// AddFlags registers the image flags: --path, --static, --certs, --ca,
// --tzdata, --no-essentials, the config (--entrypoint, --env, --workdir,
// --user, --expose, --label, --annotation), --add, --include, --packages,
// --exclude and --compression.
func (f *Image) AddFlags(fs *pflag.FlagSet) {
	o := &f.Options
	o.Essentials, o.Layer.Compression = essentials.Default(), layer.Gzip
	cli.FlagFunc(fs, "path", "", "PATH", "", "where the binary goes in the image (default /usr/local/bin/BINARY)", cli.Set(&f.Path, plan.CleanPath))
	fs.BoolVar(&f.Static, "static", false, "refuse a dynamically linked binary")
	cli.FlagFunc(fs, "certs", "", "auto|always|never|embedded|FILE", "auto", "CA roots: when the binary needs them, always, never, the embedded Mozilla set, or a PEM file", o.Essentials.SetCerts)
	fs.StringArrayVar(&o.Essentials.CertsFrom.Extra, "ca", nil, "add a private CA from a PEM `FILE` to the bundle (repeatable)")
	cli.FlagFunc(fs, "tzdata", "", "auto|always|never", "auto", "time zone data: when the binary needs it, always or never", cli.Set(&o.Essentials.TZData, essentials.ParseWhen))
	fs.BoolVar(&f.NoEssentials, "no-essentials", false, "leave out /etc/passwd, /etc/group, nsswitch.conf, /tmp and the home directories")
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
	cli.FlagFunc(fs, "add", "", "SRC:DST[:MODE]", "", "add a host file or directory (repeatable)", cli.Append(&o.Add, plan.ParseAddition))
	cli.FlagFunc(fs, "include", "", "PATH[:DST]", "", "copy a file or tree from the program's root (--from's image, --sysroot, the host), with the libraries of every loadable ELF file in it; other files, .o and debug files too, are data (repeatable)", cli.Append(&o.Include, plan.ParseInclude))
	cli.FlagFunc(fs, "packages", "", "NAME,...", "", "ship the files of these packages of the program's root (--from's image, --sysroot, the host), with the libraries of their ELF files; not their docs (repeatable)", func(s string) error {
		names, err := evidence.ParsePackages(s)
		o.Packages = append(o.Packages, names...)
		return err
	})
	cli.FlagFunc(fs, "exclude", "", "GLOB", "", "leave out of --add and --include trees what matches GLOB, a directory with all it holds: the image path, or with no / in GLOB the name alone ('*.o', __pycache__, /usr/lib/python3.11/test) (repeatable)", cli.Append(&o.Exclude, plan.ParseExclude))
	cli.FlagFunc(fs, "compression", "", "gzip|zstd|none", "", "layer compression (default gzip; none when the Docker daemon is the only destination)", func(s string) error {
		f.compressionSet = true
		return cli.Set(&o.Layer.Compression, layer.ParseCompression)(s)
	})
}

// Compression is the layer compression for dest: --compression's, and
// when it was not given, none when the Docker daemon is the only
// destination. The daemon keeps layers uncompressed, so a gzip layer
// would be compressed here only for dockerd to decompress it
// (containerd's 48 MB into the daemon: 0.27 s with gzip, 0.11 s
// without); the image ID, the digest of the config, is the same.
func (f *Image) Compression(dest transport.Destinations) layer.Compression {
	if dest.DaemonOnly() && !f.compressionSet {
		return layer.None
	}
	return f.Options.Layer.Compression
}

// PackOptions finishes the image options with what only the whole command
// line and the environment say: cmdArgs become the Cmd, and the
// environment gives SOURCE_DATE_EPOCH and GOROOT. A --user is checked
// against the essential users unless the users come from an image
// (checkUser false), where pack checks them.
func (f *Image) PackOptions(cmdArgs []string, getenv func(string) string, checkUser bool) (pack.Options, error) {
	o := f.Options
	o.Essentials.Base = !f.NoEssentials
	if o.Config.User != "" && checkUser {
		if err := essentials.CheckUser(o.Config.User, o.Essentials.Base); err != nil {
			return o, cli.Usagef("--%v", err)
		}
	}
	created, err := pack.SourceDate(getenv("SOURCE_DATE_EPOCH"))
	o.Layer.ModTime, o.Config.Created, o.Config.Cmd, o.Essentials.GoRoot = created, created, cmdArgs, getenv("GOROOT")
	return o, err
}
