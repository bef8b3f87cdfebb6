package pack

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
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
	fsys, err := imagefs.Open(ctx, img, tmpDir)
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
// User, and its Entrypoint and Cmd when they start this very program.
func (s *Source) carry(c Config, imagePath, programPath string) Config {
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
	argv := append(append([]string{}, ic.Entrypoint...), ic.Cmd...)
	if len(c.Entrypoint) == 0 && len(c.Cmd) == 0 && len(argv) > 0 && (argv[0] == programPath || filepath.Base(argv[0]) == filepath.Base(programPath)) {
		c.Entrypoint = append([]string{imagePath}, argv[1:]...)
	}
	return c
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
