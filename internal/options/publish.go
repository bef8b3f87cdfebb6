package options

import (
	"cmp"
	"context"
	"fmt"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/gobuild"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// localDomain is ko's name for the Docker daemon as a registry.
const localDomain = "ko.local"

// Publisher puts built images where the Build flags say, under the names
// ko gives them.
type Publisher struct {
	flags  *Build
	base   string // the repository images are named under
	local  bool   // into the daemon, not a registry
	getenv func(string) string
}

// Publisher checks where images go: SCRATCHPACK_REPO, else
// KO_DOCKER_REPO, names the repository; -L, or a repository under
// ko.local, loads into the daemon instead of pushing, under the
// repository when one is set (as ko's -L does), else under ko.local.
// With --push=false and no repository, images get bare names, as ko's.
func (f *Build) Publisher(getenv func(string) string, pkgs int) (*Publisher, error) {
	p := &Publisher{flags: f, base: getenv("SCRATCHPACK_REPO"), getenv: getenv}
	if p.base == "" {
		p.base = getenv("KO_DOCKER_REPO")
	}
	if p.base == "kind.local" || strings.HasPrefix(p.base, "kind.local/") {
		return nil, cli.Usagef("KO_DOCKER_REPO=%s: ko loads into a kind cluster there, which scratchpack does not: give -L (or KO_DOCKER_REPO=ko.local), then kind load docker-image with the reference printed", p.base)
	}
	p.local = f.Local || strings.HasPrefix(p.base, localDomain)
	switch {
	case p.local && p.base == "":
		p.base = localDomain
	case p.base == "" && f.Push:
		return nil, cli.Usagef("KO_DOCKER_REPO is not set: set it (or SCRATCHPACK_REPO) to the repository to push to, or give -L or --push=false")
	case p.base == "":
		return p, nil // names are bare: NAME-MD5, or NAME with -B
	}
	if _, err := name.NewRepository(p.base); err != nil {
		if _, err := name.NewRegistry(p.base); err != nil {
			return nil, cli.Usagef("repository %q: %v", p.base, err)
		}
	}
	if f.Tarball != "" && pkgs > 1 {
		return nil, cli.Usagef("--tarball holds one image; give one import path, or use --oci-layout-path")
	}
	return p, nil
}

// Destinations are where the images go.
func (p *Publisher) Destinations() transport.Destinations {
	return transport.Destinations{Push: p.flags.Push && !p.local, Daemon: p.local, Tarball: p.flags.Tarball, Layout: p.flags.Layout}
}

// Publish writes one import path's image and returns the reference to
// print: REPO@DIGEST, or REPO:TAG@DIGEST for a single tag that is not
// latest, as ko prints them; REPO:FIRST-TAG@DIGEST when nothing is
// written, as ko's --push=false prints it; for the daemon, REPO:HEX of
// the image digest, the tag ko loads it under.
func (p *Publisher) Publish(ctx context.Context, c Console, importPath string, r *pack.Result) (string, error) {
	n, err := p.flags.Naming()
	if err != nil {
		return "", err
	}
	repo := n.Name(p.base, importPath)
	if p.local && len(r.Images) > 1 {
		if r, err = p.daemonImage(r); err != nil {
			return "", fmt.Errorf("%s: %w", importPath, err)
		}
	}
	digest, err := r.Artifact.Digest()
	if err != nil {
		return "", err
	}
	names := p.flags.Tags
	if p.local {
		names = append([]string{digest.Hex}, names...)
	}
	tags := make([]name.Tag, len(names))
	for i, t := range names {
		if tags[i], err = name.NewTag(repo + ":" + t); err != nil {
			return "", fmt.Errorf("image name %s:%s: %w", repo, t, err)
		}
	}
	ko := &koSBOMs{name: path.Base(gobuild.AppPath(importPath))}
	if err := p.flags.SBOM.write(ctx, c, r, tags, p.Destinations(), c.Transport(p.flags.Registry, false), ko); err != nil {
		return "", err
	}
	d := p.Destinations()
	switch {
	case p.flags.TagOnly: // one tag, not latest (CheckKo)
		return fmt.Sprintf("%s:%s", repo, p.flags.Tags[0]), nil
	case p.local:
		return tags[0].String(), nil
	case !d.Push && d.Tarball == "" && d.Layout == "" && len(p.flags.Tags) > 0:
		// nothing written: ko prints the first tag with the digest
		return fmt.Sprintf("%s:%s@%s", repo, p.flags.Tags[0], digest), nil
	case len(p.flags.Tags) == 1 && p.flags.Tags[0] != "latest":
		return fmt.Sprintf("%s:%s@%s", repo, p.flags.Tags[0], digest), nil
	}
	return fmt.Sprintf("%s@%s", repo, digest), nil
}

// daemonImage is the image of r's index that the daemon gets, as ko's
// -L picks it: the one for $GOOS/$GOARCH, linux/amd64 when unset; the
// daemon holds no index.
func (p *Publisher) daemonImage(r *pack.Result) (*pack.Result, error) {
	goos, goarch := cmp.Or(p.getenv("GOOS"), "linux"), cmp.Or(p.getenv("GOARCH"), "amd64")
	for _, b := range r.Images {
		if b.Platform.OS == goos && b.Platform.Architecture == goarch {
			return &pack.Result{Artifact: b.Image, Images: []*pack.Built{b}}, nil
		}
	}
	return nil, fmt.Errorf("no %s/%s image among the platforms built, to load into the Docker daemon (which holds no index): set GOOS and GOARCH to one built, as for ko -L, or give --platform", goos, goarch)
}
