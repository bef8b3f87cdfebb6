package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack"
)

// packFlags are the flags of "scratchpack pack".
type packFlags struct {
	tags        []string
	output      string
	layoutDir   string
	push        bool
	docker      bool
	insecure    bool
	imagePath   string
	platform    string
	static      bool
	entrypoint  string
	env         []string
	workdir     string
	user        string
	expose      []string
	labels      []string
	annotations []string
	adds        []string
	compression string
	sysroot     string
	libPath     []string
	essentials  essentialsFlags
}

func (a *app) packCommand() command {
	return command{
		name:    "pack",
		summary: "Pack Linux programs into a single-layer image on scratch",
		usage:   "pack [flags] BINARY... [-- ARG...]",
		examples: `  # A static Go program, as a tarball for docker load:
  CGO_ENABLED=0 go build -o hello . && scratchpack pack -t hello:1.0 -o hello.tar ./hello

  # A dynamic C program with its libraries, pushed; arguments after -- become Cmd:
  scratchpack pack -t ghcr.io/me/srv:1.2 --push ./srv -- --listen :8080

  # One binary per platform make a multi-arch index:
  scratchpack pack -t ghcr.io/me/app:1.2 --push out/app-amd64 out/app-arm64

  # An arm64 program whose libraries live in a cross sysroot:
  scratchpack pack --sysroot /usr/aarch64-linux-gnu --oci-layout out/layout ./app-arm64`,
		flags: func(fs *pflag.FlagSet) func([]string) error {
			var f packFlags
			fs.StringArrayVarP(&f.tags, "tag", "t", nil, "image name and tag, NAME[:TAG] (repeatable; default BINARY:latest)")
			fs.StringVarP(&f.output, "output", "o", "", "write a docker-archive tarball (for docker load) to `FILE`")
			fs.StringVar(&f.layoutDir, "oci-layout", "", "create or add to the OCI image layout `DIR`")
			fs.BoolVar(&f.push, "push", false, "push to the registry named in each -t")
			fs.BoolVar(&f.docker, "docker", false, "load into the local Docker daemon")
			fs.BoolVar(&f.insecure, "insecure", false, "allow plain http to the registry (automatic for localhost)")
			fs.StringVar(&f.imagePath, "path", "", "where the binary goes in the image (default /usr/local/bin/BINARY)")
			fs.StringVar(&f.platform, "platform", "", "refuse unless each binary is for one of `OS/ARCH[/VARIANT],...`")
			fs.BoolVar(&f.static, "static", false, "refuse a dynamically linked binary")
			fs.StringVar(&f.sysroot, "sysroot", "", "resolve libraries inside `DIR` as if it were / (for cross-arch)")
			fs.StringArrayVar(&f.libPath, "lib-path", nil, "search `DIR` first for libraries, like LD_LIBRARY_PATH (repeatable)")
			fs.StringVar(&f.essentials.certs, "certs", "auto", "CA roots: auto (when the binary needs them), always, never, embedded, or a PEM `FILE`")
			fs.StringArrayVar(&f.essentials.ca, "ca", nil, "add a private CA from a PEM `FILE` to the bundle (repeatable)")
			fs.StringVar(&f.essentials.tzdata, "tzdata", "auto", "time zone data: auto (when the binary needs it), always or never")
			fs.BoolVar(&f.essentials.noEssentials, "no-essentials", false, "leave out /etc/passwd, /etc/group, nsswitch.conf, /tmp and the home directories")
			fs.StringVar(&f.entrypoint, "entrypoint", "", "entrypoint `PATH` (default: the binary's image path)")
			fs.StringArrayVar(&f.env, "env", nil, "set `K=V` in the image's environment (repeatable)")
			fs.StringVar(&f.workdir, "workdir", "", "working `DIR` of the container")
			fs.StringVar(&f.user, "user", "", "`NAME|UID[:GID]` the container runs as (default nonroot, 65532:65532)")
			fs.StringArrayVar(&f.expose, "expose", nil, "document a `PORT[/PROTO]` the program listens on (repeatable)")
			fs.StringArrayVar(&f.labels, "label", nil, "set an image label `K=V` (repeatable)")
			fs.StringArrayVar(&f.annotations, "annotation", nil, "set a manifest annotation `K=V` (repeatable)")
			fs.StringArrayVar(&f.adds, "add", nil, "add a host file or directory, `SRC:DST[:MODE]` (repeatable)")
			fs.StringVar(&f.compression, "compression", "gzip", "layer compression: gzip, zstd or none")
			return func(args []string) error { return a.pack(&f, args) }
		},
	}
}

func (a *app) pack(f *packFlags, args []string) error {
	bins, cmdArgs := splitDash(args)
	switch {
	case len(bins) == 0:
		return usagef("name the binary to pack")
	case f.output == "" && f.layoutDir == "" && !f.push && !f.docker:
		return usagef("nothing to write; give -o FILE, --oci-layout DIR, --push or --docker")
	case f.push && len(f.tags) == 0:
		return usagef("--push needs -t REGISTRY/REPOSITORY:TAG")
	case f.output != "" && len(bins) > 1:
		return usagef("-o writes a docker-archive, which holds one platform; use --oci-layout or --push for %d binaries", len(bins))
	}
	tags, err := parseTags(f.tags, bins[0])
	if err != nil {
		return err
	}
	platforms, err := parsePlatforms(f.platform)
	if err != nil {
		return err
	}
	opts, err := f.options(cmdArgs, a.getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return err
	}

	// Every binary's header first, so that a wrong platform or --static
	// is refused before any library is looked for or layer built.
	seen := map[string]string{}
	for _, bin := range bins {
		r, err := elfscan.Scan(bin, elfscan.Options{NoResolve: true})
		if err != nil {
			return err
		}
		if err := checkPlatforms(r, platforms); err != nil {
			return err
		}
		if r.Kind == elfscan.Dynamic && f.static {
			return fmt.Errorf("%s: dynamically linked (interpreter %s), and --static was given; link it statically", bin, r.Interpreter)
		}
		if other, ok := seen[r.Platform.String()]; ok {
			return fmt.Errorf("%s and %s are both for %s; an index holds one image per platform", other, bin, r.Platform)
		}
		seen[r.Platform.String()] = bin
	}
	var built []*pack.Built
	defer func() {
		for _, b := range built {
			b.Close()
		}
	}()
	scanOpts := elfscan.Options{Sysroot: f.sysroot, LibPath: f.libPath, Cache: elfscan.NewCache()}
	for _, bin := range bins {
		r, err := elfscan.Scan(bin, scanOpts)
		if err != nil {
			return err
		}
		for _, w := range r.Warnings {
			fmt.Fprintf(a.stderr, "scratchpack: warning: %s: %s\n", bin, w)
		}
		o := opts
		if o.Essentials, err = a.essentials(&f.essentials, r); err != nil {
			return err
		}
		b, err := pack.Build(r, o)
		if err != nil {
			return err
		}
		built = append(built, b)
		size, _ := b.Layer.Size()
		fmt.Fprintf(a.stderr, "scratchpack: %s: %s %s, %d libraries, at %s; layer %d bytes %s\n",
			bin, r.Kind, r.Platform, len(r.Libraries), b.ImagePath, size, opts.Layer.Compression)
	}
	art := pack.Artifact{Image: built[0].Image}
	if len(built) > 1 {
		if art.Index, err = pack.Index(built, opts.Config.Annotations); err != nil {
			return err
		}
		art.Image = nil
	}
	digest, err := art.Digest()
	if err != nil {
		return err
	}
	if err := a.writeOutputs(f, art, built, tags); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s@%s\n", tags[0], digest)
	return nil
}

// options turns the flags that shape every image into pack.Options;
// cmdArgs become the Cmd and sourceDate is SOURCE_DATE_EPOCH.
func (f *packFlags) options(cmdArgs []string, sourceDate string) (pack.Options, error) {
	compression, err := pack.ParseCompression(f.compression)
	if err != nil {
		return pack.Options{}, usagef("%v", err)
	}
	env, err := checkKV("--env", f.env)
	if err != nil {
		return pack.Options{}, err
	}
	labels, err := checkKV("--label", f.labels)
	if err != nil {
		return pack.Options{}, err
	}
	if err := f.essentials.check(); err != nil {
		return pack.Options{}, err
	}
	if f.user != "" {
		if err := pack.CheckUser(f.user, !f.essentials.noEssentials); err != nil {
			return pack.Options{}, usagef("%v", err)
		}
	}
	annotations, err := checkKV("--annotation", f.annotations)
	if err != nil {
		return pack.Options{}, err
	}
	var adds []pack.Addition
	for _, s := range f.adds {
		add, err := pack.ParseAddition(s)
		if err != nil {
			return pack.Options{}, usagef("%v", err)
		}
		adds = append(adds, add)
	}
	ports, err := parsePorts(f.expose)
	if err != nil {
		return pack.Options{}, err
	}
	created, err := sourceDateEpoch(sourceDate)
	if err != nil {
		return pack.Options{}, err
	}
	var imagePath string
	if f.imagePath != "" {
		if imagePath, err = pack.CleanPath(f.imagePath); err != nil {
			return pack.Options{}, usagef("--path: %v", err)
		}
	}
	var entrypoint []string
	if f.entrypoint != "" {
		entrypoint = []string{f.entrypoint}
	}
	return pack.Options{
		ImagePath: imagePath,
		Layer:     pack.LayerOptions{ModTime: created, Compression: compression},
		Add:       adds,
		Config: pack.Config{
			Entrypoint:   entrypoint,
			Cmd:          cmdArgs,
			Env:          append([]string{"PATH=/usr/local/bin:/usr/bin:/bin"}, env...),
			WorkingDir:   f.workdir,
			User:         f.user,
			ExposedPorts: ports,
			Labels:       kvMap(labels),
			Annotations:  kvMap(annotations),
			Created:      created,
		},
	}, nil
}

// writeOutputs writes the artifact to every output the flags ask for.
func (a *app) writeOutputs(f *packFlags, art pack.Artifact, built []*pack.Built, tags []name.Tag) error {
	if f.output != "" {
		if err := pack.WriteTarball(f.output, art.Image, tags); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "scratchpack: wrote %s\n", f.output)
	}
	if f.layoutDir != "" {
		if err := pack.WriteLayout(f.layoutDir, art, tags); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "scratchpack: wrote %s\n", f.layoutDir)
	}
	if f.docker {
		b := hostPlatformImage(built)
		if err := pack.LoadDaemon(a.ctx, b.Image, tags); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "scratchpack: loaded %s (%s) into the Docker daemon\n", tags[0], b.Platform.String())
	}
	if f.push {
		var progress io.Writer
		if isTerminal(a.stderr) {
			progress = a.stderr
		}
		if err := pack.Push(a.ctx, art, tags, pack.PushOptions{Insecure: f.insecure, Progress: progress, UserAgent: "scratchpack/" + version()}); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "scratchpack: pushed %s\n", tags[0])
	}
	return nil
}

// hostPlatformImage picks, of several platforms' images, the one this
// machine's daemon runs natively; the first when none matches.
func hostPlatformImage(built []*pack.Built) *pack.Built {
	for _, b := range built {
		if b.Platform.OS == "linux" && b.Platform.Architecture == runtime.GOARCH {
			return b
		}
	}
	return built[0]
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// parseTags checks each -t value, or makes one from the binary's name.
func parseTags(raw []string, bin string) ([]name.Tag, error) {
	if len(raw) == 0 {
		raw = []string{defaultRepo(bin) + ":latest"}
	}
	tags := make([]name.Tag, 0, len(raw))
	for _, s := range raw {
		t, err := name.NewTag(s)
		if err != nil {
			return nil, usagef("-t %q is not an image name (want NAME[:TAG], lower case): %v", s, err)
		}
		tags = append(tags, t)
	}
	return tags, nil
}

// defaultRepo turns a file name into a repository name: lower case, with
// anything a repository name cannot hold turned into '-'.
func defaultRepo(bin string) string {
	base := bin[strings.LastIndexByte(bin, '/')+1:]
	var b strings.Builder
	for _, c := range strings.ToLower(base) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	repo := strings.Trim(b.String(), "-._")
	if repo == "" {
		return "app"
	}
	return repo
}

// checkKV checks that each value is K=V with a non-empty K.
func checkKV(flag string, vals []string) ([]string, error) {
	for _, v := range vals {
		if k, _, ok := strings.Cut(v, "="); !ok || k == "" {
			return nil, usagef("%s %q: want K=V", flag, v)
		}
	}
	return vals, nil
}

func kvMap(vals []string) map[string]string {
	if len(vals) == 0 {
		return nil
	}
	m := make(map[string]string, len(vals))
	for _, v := range vals {
		k, val, _ := strings.Cut(v, "=")
		m[k] = val
	}
	return m
}

// parsePorts normalises PORT[/PROTO] to the config's "PORT/proto" form.
func parsePorts(vals []string) ([]string, error) {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		port, proto, ok := strings.Cut(v, "/")
		if !ok {
			proto = "tcp"
		}
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || (proto != "tcp" && proto != "udp" && proto != "sctp") {
			return nil, usagef("--expose %q: want PORT[/tcp|udp|sctp], PORT from 1 to 65535", v)
		}
		out = append(out, fmt.Sprintf("%d/%s", n, proto))
	}
	return out, nil
}

// sourceDateEpoch parses SOURCE_DATE_EPOCH; unset means the Unix epoch.
func sourceDateEpoch(s string) (time.Time, error) {
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: want a whole number of seconds since 1970", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// parsePlatforms parses a comma-separated --platform list.
func parsePlatforms(s string) ([]elfscan.Platform, error) {
	if s == "" {
		return nil, nil
	}
	var out []elfscan.Platform
	for _, p := range strings.Split(s, ",") {
		pl, err := elfscan.ParsePlatform(strings.TrimSpace(p))
		if err != nil {
			return nil, usagef("--platform: %v", err)
		}
		out = append(out, pl)
	}
	return out, nil
}

// checkPlatforms refuses a binary that is for none of the platforms asked
// for; an empty list accepts any.
func checkPlatforms(r *elfscan.Report, want []elfscan.Platform) error {
	if len(want) == 0 {
		return nil
	}
	names := make([]string, len(want))
	for i, p := range want {
		if r.Platform.Matches(p) {
			return nil
		}
		names[i] = p.String()
	}
	list := strings.Join(names, ", ")
	return fmt.Errorf("%s: built for %s, not %s; build it for %s or drop --platform", r.Path, r.Platform, list, list)
}
