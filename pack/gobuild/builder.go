package gobuild

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scratchpack/scratchpack/elfscan"
)

// ErrNeedsCgo means a package was built without cgo and has no Go files
// without it: it imports "C".
var ErrNeedsCgo = errors.New("it may need cgo (CGO_ENABLED=1)")

// Flags are the go build settings of the command line: Ldflags replace
// the config's, as ko's --ldflags do; the environment adds to (and
// overrides) the config's.
type Flags struct {
	Ldflags  []string // each a -ldflags value, all joined with spaces; they replace the config's
	Tags     []string // build tags
	Env      []string // K=V for go build
	NoTrim   bool     // build without -trimpath
	CGO      bool     // CGO_ENABLED=1
	Jobs     int      // builds at once; 0 is the number of CPUs
	Platform string   // --platform: a list, "all", or "" for the default

	// DisableOptimizations builds with -gcflags all=-N -l, as ko's
	// --disable-optimizations does, for a debugger.
	DisableOptimizations bool
}

// Builder builds main packages, each for a list of platforms.
type Builder struct {
	dir     string   // where go runs: the working directory
	environ []string // the environment it runs in
	config  *Config
	flags   Flags
	tmp     string
	keep    string // where binaries stay between runs (Options.Keep); "" for none
	created time.Time
	logf    func(string, ...any)
	sem     chan struct{}
	entries map[string]Entry // the config's builds, by import path
	bases   []string         // each entry's directory, absolute, in the config's order

	warmMu sync.Mutex
	warm   map[string]chan struct{} // closed when the first build for a platform ends

	once   sync.Once
	git    gitInfo
	goenv  map[string]string
	goeErr error
}

// NewBuilder returns a Builder that runs go in dir with environ, writes
// binaries under tmp, and dates templates with created (the
// SOURCE_DATE_EPOCH, or now). It reads the config's builds entries to
// know which import path each is for.
func NewBuilder(ctx context.Context, dir string, environ []string, c *Config, f Flags, tmp string, created time.Time, logf func(string, ...any)) (*Builder, error) {
	if f.Jobs <= 0 {
		f.Jobs = runtime.NumCPU()
	}
	b := &Builder{dir: dir, environ: environ, config: c, flags: f, tmp: tmp, created: created, logf: logf,
		sem: make(chan struct{}, f.Jobs), entries: map[string]Entry{}}
	for i, e := range c.Builds {
		main := e.Main
		if main == "" {
			main = "."
		}
		base := filepath.Join(dir, e.Dir) // as ko joins it: to the working directory, wherever the config is
		if abs, err := filepath.Abs(base); err == nil {
			b.bases = append(b.bases, abs)
		}
		if fi, err := os.Stat(filepath.Join(base, main)); err == nil && fi.Mode().IsRegular() {
			main = filepath.Dir(main)
		}
		pkgs, err := Load(ctx, base, environ, []string{"./" + filepath.ToSlash(filepath.Clean(main))})
		if err != nil {
			return nil, fmt.Errorf("%s: builds entry %d (id %q): %w", c.File, i, e.ID, err)
		}
		b.entries[pkgs[0].ImportPath] = e
	}
	return b, nil
}

// Load finds the main packages refs name, as ko finds them: a local
// path (./caps/cmd) inside a builds entry's directory is listed there,
// so that an entry can be a module of its own; every other ref is listed
// in the working directory.
func (b *Builder) Load(ctx context.Context, refs []string) ([]Package, error) {
	out := make([]Package, len(refs))
	var rest []string
	var at []int
	for i, r := range refs {
		if p, ok := b.inEntry(ctx, r); ok {
			out[i] = p
			continue
		}
		rest, at = append(rest, r), append(at, i)
	}
	if len(rest) == 0 {
		return out, nil
	}
	pkgs, err := Load(ctx, b.dir, b.environ, rest)
	if err != nil {
		return nil, err
	}
	for j, p := range pkgs {
		out[at[j]] = p
	}
	return out, nil
}

// inEntry lists ref in the first builds entry's directory that holds it
// and has a main package there.
func (b *Builder) inEntry(ctx context.Context, ref string) (Package, bool) {
	p, _ := TrimScheme(ref)
	if p != "." && p != ".." && !strings.HasPrefix(p, "./") && !strings.HasPrefix(p, "../") {
		return Package{}, false
	}
	abs, err := filepath.Abs(filepath.Join(b.dir, p))
	if err != nil {
		return Package{}, false
	}
	wd, _ := filepath.Abs(b.dir)
	for _, base := range b.bases {
		rel, err := filepath.Rel(base, abs)
		if err != nil || base == wd || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		pkgs, err := Load(ctx, base, b.environ, []string{"./" + filepath.ToSlash(rel)})
		if err != nil {
			continue
		}
		pkgs[0].Ref = ref
		return pkgs[0], true
	}
	return Package{}, false
}

// Platforms returns the platforms to build for.
func (b *Builder) Platforms() ([]elfscan.Platform, error) {
	return Platforms(b.flags.Platform, b.config)
}

// Build builds pkg for p and returns the binary's path, named after the
// import path's last element as ko names it. The first build for each
// platform runs before the others for it, so that a cold build cache
// gets the standard library compiled once per platform, not by every
// import path at once (ko's order: one path's platforms first).
func (b *Builder) Build(ctx context.Context, pkg Package, p elfscan.Platform) (string, error) {
	if gate, first := b.warmGate(p); first {
		defer close(gate)
	} else {
		select {
		case <-gate:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	select {
	case b.sem <- struct{}{}:
		defer func() { <-b.sem }()
	case <-ctx.Done():
		return "", ctx.Err()
	}
	start := time.Now()
	e, hasEntry := b.entries[pkg.ImportPath]
	dir := b.dir
	if hasEntry && e.Dir != "" {
		dir = filepath.Join(b.dir, e.Dir)
	}
	env, err := b.env(pkg, p, e, hasEntry)
	if err != nil {
		return "", err
	}
	flags, ldflags := pick(e.Flags, b.config.DefaultFlags), pick(e.Ldflags, b.config.DefaultLdflags)
	if len(b.flags.Ldflags) > 0 { // the command line's replace the config's, as ko's do
		ldflags = b.flags.Ldflags
	}
	var data map[string]any
	if hasTemplate(flags) || hasTemplate(ldflags) { // go env and git cost tens of ms: only for templates
		if data, err = b.templateData(ctx, env); err != nil {
			return "", err
		}
	}
	if flags, err = expand(flags, data); err != nil {
		return "", fmt.Errorf("%s: %w", b.config.File, err)
	}
	if ldflags, err = expand(ldflags, data); err != nil {
		return "", fmt.Errorf("%s: %w", b.config.File, err)
	}

	out := filepath.Join(b.tmp, strings.NewReplacer("/", "-").Replace(pkg.ImportPath+"@"+p.String()), path.Base(pkg.ImportPath))
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	target := out // where go build writes: out, or the slot of a binary kept between runs
	if b.keep != "" {
		s, err := openSlot(ctx, b.keep, dir, pkg, p)
		switch {
		case ctx.Err() != nil:
			return "", ctx.Err()
		case err != nil:
			b.logf("%s for %s: not kept for the next build: %v", pkg.ImportPath, p, err)
		default:
			defer s.unlock()
			target = s.binary(path.Base(pkg.ImportPath))
		}
	}
	args := []string{"build", "-o", target}
	if !b.flags.NoTrim {
		args = append(args, "-trimpath")
	}
	if b.flags.DisableOptimizations {
		args = append(args, "-gcflags", "all=-N -l")
	}
	if len(b.flags.Tags) > 0 {
		args = append(args, "-tags", strings.Join(b.flags.Tags, ","))
	}
	if len(ldflags) > 0 {
		args = append(args, "-ldflags", strings.Join(ldflags, " "))
	}
	args = append(append(args, flags...), pkg.ImportPath)
	// go's work directory goes in a directory of this build's own, removed
	// when it ends, so that nothing of an interrupted build is left.
	gotmp, err := os.MkdirTemp(b.tmp, "gotmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(gotmp)
	cmd := command(ctx, goBinary(b.environ), args...)
	cmd.Dir, cmd.Env = dir, append(env, "GOTMPDIR="+gotmp)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := runGroup(cmd); err != nil {
		if target != out {
			os.Remove(target) // whatever go left there, the next build starts afresh
		}
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		if lines := strings.Split(strings.TrimSpace(stderr.String()), "\n"); len(lines) > 1 {
			for _, l := range lines { // compile errors: every one
				b.logf("%s", l)
			}
		}
		msg := firstLine(stderr.String(), err)
		if strings.Contains(msg, "build constraints exclude all Go files") && !slices.Contains(env, "CGO_ENABLED=1") {
			return "", fmt.Errorf("%s for %s: go build: %s: %w", pkg.Ref, p, msg, ErrNeedsCgo)
		}
		return "", fmt.Errorf("%s for %s: go build: %s", pkg.Ref, p, msg)
	}
	if target != out {
		if err := linkOut(target, out); err != nil {
			return "", fmt.Errorf("%s for %s: %w", pkg.Ref, p, err)
		}
	}
	b.logf("built %s for %s in %.1fs", pkg.ImportPath, p, time.Since(start).Seconds())
	return out, nil
}

// warmGate returns the channel closed when the first build for p ends,
// and whether this build is that first one.
func (b *Builder) warmGate(p elfscan.Platform) (chan struct{}, bool) {
	b.warmMu.Lock()
	defer b.warmMu.Unlock()
	if b.warm == nil {
		b.warm = map[string]chan struct{}{}
	}
	if g, ok := b.warm[p.String()]; ok {
		return g, false
	}
	g := make(chan struct{})
	b.warm[p.String()] = g
	return g, true
}

// env is the environment of one go build: the caller's, then what
// builds for p (CGO_ENABLED, GOOS, GOARCH, the variant, a cross C
// compiler), then the config's env and the command line's.
func (b *Builder) env(pkg Package, p elfscan.Platform, e Entry, hasEntry bool) ([]string, error) {
	get := func(env []string, k string) string {
		v := ""
		for _, kv := range env {
			if key, val, _ := strings.Cut(kv, "="); key == k {
				v = val
			}
		}
		return v
	}
	cgo := "0"
	if b.flags.CGO || get(b.environ, "CGO_ENABLED") == "1" {
		cgo = "1"
	}
	env := append(append(append([]string{}, b.environ...), "CGO_ENABLED="+cgo), goEnv(p)...)
	extra := b.config.DefaultEnv
	if hasEntry && len(e.Env) > 0 {
		extra = e.Env
	}
	env = append(append(env, extra...), b.flags.Env...)
	if get(env, "CGO_ENABLED") != "1" || p.Architecture == runtime.GOARCH {
		return env, nil
	}
	key := "CC_" + p.OS + "_" + p.Architecture
	cc := get(env, key)
	if cc == "" {
		return nil, fmt.Errorf("%s for %s: cgo for another architecture needs its C compiler: set %s (for example %s)", pkg.Ref, p, key, crossCC(p.Architecture))
	}
	if _, err := exec.LookPath(strings.Fields(cc)[0]); err != nil {
		return nil, fmt.Errorf("%s for %s: %s=%s: %v; install it, or set %s to one that is", pkg.Ref, p, key, cc, err, key)
	}
	return append(env, "CC="+cc), nil
}

// crossCC is Debian's cross compiler for arch, for messages.
func crossCC(arch string) string {
	triple := map[string]string{"arm64": "aarch64-linux-gnu", "amd64": "x86_64-linux-gnu", "arm": "arm-linux-gnueabihf",
		"386": "i686-linux-gnu", "ppc64le": "powerpc64le-linux-gnu", "s390x": "s390x-linux-gnu", "riscv64": "riscv64-linux-gnu"}[arch]
	if triple == "" {
		return "the cross gcc"
	}
	return triple + "-gcc"
}

// templateData is what ko gives templates: .Env, .GoEnv, .Git, .Date,
// .Timestamp.
func (b *Builder) templateData(ctx context.Context, env []string) (map[string]any, error) {
	b.once.Do(func() {
		b.git = readGit(ctx, b.dir)
		cmd := command(ctx, goBinary(b.environ), "env", "-json")
		cmd.Dir, cmd.Env = b.dir, b.environ
		out, err := output(cmd)
		if err == nil {
			err = json.Unmarshal(out, &b.goenv)
		}
		b.goeErr = err
	})
	if b.goeErr != nil {
		return nil, fmt.Errorf("go env: %w", b.goeErr)
	}
	vars := map[string]string{"LDFLAGS": ""}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	goenv := map[string]string{}
	for k, v := range b.goenv {
		goenv[k] = v
		if o, ok := vars[k]; ok {
			goenv[k] = o
		}
	}
	return map[string]any{
		"Env": vars, "GoEnv": goenv, "Git": b.git.templateValue(),
		"Date": b.created.UTC().Format(time.RFC3339), "Timestamp": strconv.FormatInt(b.created.UTC().Unix(), 10),
	}, nil
}

// getenv looks k up in the environment the builder runs go in.
func (b *Builder) getenv(k string) string {
	v := ""
	for _, kv := range b.environ {
		if key, val, _ := strings.Cut(kv, "="); key == k {
			v = val
		}
	}
	return v
}

// pick is the first of lists that is not empty, as ko falls back from a
// builds entry's setting to the config's default.
func pick(lists ...[]string) []string {
	for _, l := range lists {
		if len(l) > 0 {
			return l
		}
	}
	return nil
}
