package options

import (
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// koLocal is ko's name for the Docker daemon as a registry.
const koLocal = "ko.local"

// Target is where build puts its images, and the repository it names
// them under, as the flags and the environment say.
type Target struct {
	// Repository is what the images are named under; empty, their names
	// are bare (NAME-MD5, or NAME with -B), as ko's with --push=false.
	Repository string
	// Local loads the images into the Docker daemon instead of pushing.
	Local bool
	// Dest are the destinations of each image.
	Dest transport.Destinations
}

// Target says where images go: SCRATCHPACK_REPO, else KO_DOCKER_REPO,
// names the repository; -L, or a repository under ko.local, loads into
// the daemon instead of pushing, under the repository when one is set
// (as ko's -L does), else under ko.local. With --push=false and no
// repository, images get bare names, as ko's. pkgs is how many import
// paths are built: --tarball holds one.
func (f *Build) Target(getenv func(string) string, pkgs int) (Target, error) {
	t := Target{Repository: getenv("SCRATCHPACK_REPO")}
	if t.Repository == "" {
		t.Repository = getenv("KO_DOCKER_REPO")
	}
	if t.Repository == "kind.local" || strings.HasPrefix(t.Repository, "kind.local/") {
		return Target{}, cli.Usagef("KO_DOCKER_REPO=%s: ko loads into a kind cluster there, which scratchpack does not: give -L (or KO_DOCKER_REPO=ko.local), then kind load docker-image with the reference printed", t.Repository)
	}
	if f.Tarball != "" && pkgs > 1 {
		return Target{}, cli.Usagef("--tarball holds one image; give one import path, or use --oci-layout-path")
	}
	t.Local = f.Local || strings.HasPrefix(t.Repository, koLocal)
	t.Dest = transport.Destinations{Push: f.Push && !t.Local, Daemon: t.Local, Tarball: f.Tarball, Layout: f.Layout}
	switch {
	case t.Local && t.Repository == "":
		t.Repository = koLocal
	case t.Repository == "" && f.Push:
		return Target{}, cli.Usagef("KO_DOCKER_REPO is not set: set it (or SCRATCHPACK_REPO) to the repository to push to, or give -L or --push=false")
	case t.Repository == "":
		return t, nil
	}
	if _, err := name.NewRepository(t.Repository); err != nil {
		if _, err := name.NewRegistry(t.Repository); err != nil {
			return Target{}, cli.Usagef("repository %q: %v", t.Repository, err)
		}
	}
	return t, nil
}
