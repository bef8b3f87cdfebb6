package pack

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack/blobcache"
	"github.com/scratchpack/scratchpack/pack/imagefs"
	"github.com/scratchpack/scratchpack/pack/internal/verified"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// Source is an image programs are taken out of (--from): its file
// system, read as a root, and its config.
type Source struct {
	Ref    string
	Root   *elfscan.Root
	Config *v1.ConfigFile
	fs     *imagefs.FS
}

// OpenSource opens the image ref (a registry reference, oci:DIR[:NAME] or
// DIR[:NAME], a docker-archive, docker://NAME) for platform p, picking
// p's image of an index, and reads its file system without running
// anything. Blobs from a registry are read through cache, when it is
// set, so that a second pack downloads nothing; each is verified against
// its digest before it is kept and again before it is served.
func OpenSource(ctx context.Context, ref string, p v1.Platform, o transport.Options, cache *blobcache.Cache, tmpDir string) (*Source, error) {
	src := strings.TrimPrefix(ref, "oci:")
	art, err := transport.Open(ctx, src, o)
	if err != nil {
		return nil, err
	}
	img, err := transport.Select(ctx, art, p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	if cache != nil && transport.IsRemote(src) {
		img = cache.Image(ctx, img)
	}
	cf, err := verified.ConfigFile(img)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	var tars *blobcache.Cache // the layers' tar streams are kept with their blobs: a second pack decompresses nothing
	if cache != nil && transport.IsRemote(src) {
		tars = cache
	}
	fsys, err := imagefs.OpenCached(ctx, img, tmpDir, tars)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref, err)
	}
	return &Source{Ref: ref, Root: elfscan.FSRoot(fsys, "image "+ref), Config: cf, fs: fsys}, nil
}

// Close removes the image's temporary file.
func (s *Source) Close() error { return s.fs.Close() }

// DefaultCacheDir is where blobs of --from images are kept (see
// blobcache): $XDG_CACHE_HOME/scratchpack/blobs, or
// ~/.cache/scratchpack/blobs; "" when there is no home directory.
func DefaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "scratchpack", "blobs")
}

// carry fills in, from the image the program came from, what the image's
// config says and the flags did not: its Env, WorkingDir, ExposedPorts and
// User; and, when the image starts this very program, its arguments and
// its StopSignal, which is that program's way of being stopped (nginx's
// graceful SIGQUIT). The image starts the program when its Entrypoint and
// Cmd do, or when its Cmd does behind an Entrypoint that execs its
// arguments (the official nginx image's docker-entrypoint.sh), which does
// not come along: the arguments given after -- replace the image's, and
// its StopSignal still comes.
func (s *Source) carry(c Config, imagePath, programPath string) (Config, error) {
	ic := s.Config.Config
	if len(c.Env) == 0 {
		c.Env = ic.Env
	}
	if c.WorkingDir == "" {
		c.WorkingDir = ic.WorkingDir
	}
	if len(c.ExposedPorts) == 0 {
		for p := range ic.ExposedPorts {
			c.ExposedPorts = append(c.ExposedPorts, p)
		}
		sort.Strings(c.ExposedPorts)
	}
	if c.User == "" {
		c.User = ic.User
	}
	args, starts := startArgs(ic, programPath)
	if !starts {
		return c, nil
	}
	if len(c.Entrypoint) == 0 && len(c.Cmd) == 0 {
		c.Entrypoint = append([]string{imagePath}, args...)
	}
	if c.StopSignal == "" && ic.StopSignal != "" {
		if !isSignal(ic.StopSignal) {
			return c, fmt.Errorf("image %s: its StopSignal %q is not a signal name or number; fix the image's config", s.Ref, ic.StopSignal)
		}
		c.StopSignal = ic.StopSignal
	}
	return c, nil
}

// startArgs reports whether the image config ic starts the program at
// programPath (its path or its name in argv[0]) and with what arguments:
// Entrypoint and Cmd together, else Cmd alone behind an Entrypoint of one
// word (a script that execs "$@"; not "sh -c", whose Cmd is a script).
func startArgs(ic v1.Config, programPath string) ([]string, bool) {
	is := func(arg0 string) bool {
		return arg0 == programPath || path.Base(arg0) == path.Base(programPath)
	}
	if argv := append(append([]string{}, ic.Entrypoint...), ic.Cmd...); len(argv) > 0 && is(argv[0]) {
		return argv[1:], true
	}
	if len(ic.Entrypoint) == 1 && len(ic.Cmd) > 0 && is(ic.Cmd[0]) {
		return ic.Cmd[1:], true
	}
	return nil, false
}

// isSignal reports whether sig is what a runtime takes as a StopSignal:
// a number from 1 to 64, or a Linux signal's name with or without "SIG"
// (RTMIN+n and RTMAX-n included), as moby's signal.ParseSignal reads it.
func isSignal(sig string) bool {
	if n, err := strconv.Atoi(sig); err == nil {
		return n >= 1 && n <= 64
	}
	name := strings.TrimPrefix(strings.ToUpper(sig), "SIG")
	for _, rt := range []string{"RTMIN+", "RTMAX-"} {
		if n, ok := strings.CutPrefix(name, rt); ok {
			i, err := strconv.Atoi(n)
			return err == nil && i >= 1 && i <= 14 && n == strconv.Itoa(i)
		}
	}
	switch name {
	case "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT",
		"KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM",
		"TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
		"RTMIN", "RTMAX":
		return true
	}
	return false
}

// mergeAccounts returns the image's /etc/passwd and /etc/group with the
// accounts every image gets (root, nonroot, nobody) added where the image
// lacks them, so that a program configured to switch to www-data finds it.
func (s *Source) mergeAccounts() (passwd, group []byte) {
	merge := func(file string, ours []byte) []byte {
		theirs, _ := s.Root.ReadFile(file)
		have := map[string]bool{}
		for _, line := range strings.Split(string(theirs), "\n") {
			if n, _, ok := strings.Cut(line, ":"); ok {
				have[n] = true
			}
		}
		out := append([]byte{}, theirs...)
		if len(out) > 0 && out[len(out)-1] != '\n' {
			out = append(out, '\n')
		}
		for _, line := range strings.SplitAfter(string(ours), "\n") {
			if n, _, ok := strings.Cut(line, ":"); ok && !have[n] {
				out = append(out, line...)
			}
		}
		return out
	}
	return merge("/etc/passwd", passwdFile()), merge("/etc/group", groupFile())
}

// hasUser reports whether passwd names user's name part (a number is any
// user).
func hasUser(passwd []byte, user string) bool {
	name, _, _ := strings.Cut(user, ":")
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		return true
	}
	for _, line := range strings.Split(string(passwd), "\n") {
		if n, _, _ := strings.Cut(line, ":"); n == name {
			return true
		}
	}
	return false
}
