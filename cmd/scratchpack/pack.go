package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack"
)

// packFlags are the flags of "scratchpack pack".
type packFlags struct {
	tags        []string
	output      string
	imagePath   string
	platform    string
	static      bool
	entrypoint  string
	env         []string
	workdir     string
	user        string
	expose      []string
	labels      []string
	compression string
	sysroot     string
	libPath     []string
}

func (a *app) packCommand() command {
	return command{
		name:    "pack",
		summary: "Pack a Linux program into a single-layer image on scratch",
		usage:   "pack [flags] BINARY [-- ARG...]",
		examples: `  # Pack a static Go program into a tarball for docker load:
  CGO_ENABLED=0 go build -o hello . && scratchpack pack -t hello:1.0 -o hello.tar ./hello

  # Arguments after -- become the image's Cmd:
  scratchpack pack -o srv.tar ./srv -- --listen :8080`,
		flags: func(fs *pflag.FlagSet) func([]string) error {
			var f packFlags
			fs.StringArrayVarP(&f.tags, "tag", "t", nil, "image name and tag, NAME[:TAG] (repeatable; default BINARY:latest)")
			fs.StringVarP(&f.output, "output", "o", "", "write a docker-archive tarball (for docker load) to `FILE`")
			fs.StringVar(&f.imagePath, "path", "", "where the binary goes in the image (default /usr/local/bin/BINARY)")
			fs.StringVar(&f.platform, "platform", "", "refuse unless the binary is for `OS/ARCH[/VARIANT]`")
			fs.BoolVar(&f.static, "static", false, "refuse a dynamically linked binary")
			fs.StringVar(&f.sysroot, "sysroot", "", "resolve libraries inside `DIR` as if it were / (for cross-arch)")
			fs.StringArrayVar(&f.libPath, "lib-path", nil, "search `DIR` first for libraries, like LD_LIBRARY_PATH (repeatable)")
			fs.StringVar(&f.entrypoint, "entrypoint", "", "entrypoint `PATH` (default: the binary's image path)")
			fs.StringArrayVar(&f.env, "env", nil, "set `K=V` in the image's environment (repeatable)")
			fs.StringVar(&f.workdir, "workdir", "", "working `DIR` of the container")
			fs.StringVar(&f.user, "user", "", "`UID[:GID]` the container runs as")
			fs.StringArrayVar(&f.expose, "expose", nil, "document a `PORT[/PROTO]` the program listens on (repeatable)")
			fs.StringArrayVar(&f.labels, "label", nil, "set an image label `K=V` (repeatable)")
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
	case len(bins) > 1:
		return usagef("one binary at a time; got %d", len(bins))
	case f.output == "":
		return usagef("nothing to write; give -o FILE")
	}
	bin := bins[0]
	compression, err := pack.ParseCompression(f.compression)
	if err != nil {
		return usagef("%v", err)
	}
	tags, err := parseTags(f.tags, bin)
	if err != nil {
		return err
	}
	env, err := checkKV("--env", f.env)
	if err != nil {
		return err
	}
	labels, err := checkKV("--label", f.labels)
	if err != nil {
		return err
	}
	ports, err := parsePorts(f.expose)
	if err != nil {
		return err
	}
	created, err := sourceDateEpoch(a.getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return err
	}

	// The header first, so that a wrong platform or --static is refused
	// before any library is looked for.
	r, err := elfscan.Scan(bin, elfscan.Options{NoResolve: true})
	if err != nil {
		return err
	}
	if err := checkPlatform(r, f.platform); err != nil {
		return err
	}
	if r.Kind == elfscan.Dynamic && f.static {
		return fmt.Errorf("%s: dynamically linked (interpreter %s), and --static was given; link it statically", bin, r.Interpreter)
	}
	if r, err = elfscan.Scan(bin, elfscan.Options{Sysroot: f.sysroot, LibPath: f.libPath}); err != nil {
		return err
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(a.stderr, "scratchpack: warning: %s: %s\n", bin, w)
	}

	imagePath := pack.ProgramPath(bin)
	if f.imagePath != "" {
		if imagePath, err = pack.CleanPath(f.imagePath); err != nil {
			return usagef("--path: %v", err)
		}
	}
	plan := pack.NewPlan()
	if err := plan.AddRuntime(r, imagePath); err != nil {
		return err
	}
	if err := plan.AddProgram(r, imagePath); err != nil {
		return err
	}
	if err := pack.Verify(plan, r, imagePath); err != nil {
		return err
	}
	layer, err := pack.BuildLayer(plan, pack.LayerOptions{ModTime: created, Compression: compression})
	if err != nil {
		return err
	}
	defer layer.Close()

	entrypoint := []string{imagePath}
	if f.entrypoint != "" {
		entrypoint = []string{f.entrypoint}
	}
	img, err := pack.Image(layer, pack.Config{
		Platform:     v1.Platform{OS: r.Platform.OS, Architecture: r.Platform.Architecture, Variant: r.Platform.Variant},
		Entrypoint:   entrypoint,
		Cmd:          cmdArgs,
		Env:          append([]string{"PATH=/usr/local/bin:/usr/bin:/bin"}, env...),
		WorkingDir:   f.workdir,
		User:         f.user,
		ExposedPorts: ports,
		Labels:       kvMap(labels),
		Created:      created,
	})
	if err != nil {
		return err
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	if err := pack.WriteTarball(f.output, img, tags); err != nil {
		return err
	}
	size, _ := layer.Size()
	fmt.Fprintf(a.stderr, "scratchpack: packed %s (%s, %s, %d libraries) at %s, layer %d bytes %s, into %s\n",
		bin, r.Kind, r.Platform, len(r.Libraries), imagePath, size, compression, f.output)
	fmt.Fprintf(a.stdout, "%s@%s\n", tags[0], digest)
	return nil
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

// checkPlatform refuses a binary that is not for the --platform asked for.
func checkPlatform(r *elfscan.Report, want string) error {
	if want == "" {
		return nil
	}
	p, err := elfscan.ParsePlatform(want)
	if err != nil {
		return usagef("--platform: %v", err)
	}
	if !r.Platform.Matches(p) {
		return fmt.Errorf("%s: built for %s, not %s; build it for %s or drop --platform", r.Path, r.Platform, p, p)
	}
	return nil
}
