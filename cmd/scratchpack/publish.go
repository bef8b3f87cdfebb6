package main

import (
	"cmp"
	"context"
	"fmt"
	"path"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/gobuild"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// publisher puts build's images where its flags say (see
// options.Build.Target), under the names ko gives them.
type publisher struct {
	a        *app
	flags    *options.Build
	target   options.Target
	naming   gobuild.Naming
	registry transport.Options
}

// publish writes one import path's image with its SBOMs and returns the
// reference to print (see koReference).
func (p *publisher) publish(ctx context.Context, importPath string, r *pack.Result) (string, error) {
	repo := p.naming.Name(p.target.Repository, importPath)
	if p.target.Local && len(r.Images) > 1 {
		var err error
		if r, err = daemonImage(r, p.a.getenv); err != nil {
			return "", fmt.Errorf("%s: %w", importPath, err)
		}
	}
	digest, err := r.Artifact.Digest()
	if err != nil {
		return "", err
	}
	names := p.flags.Tags
	if p.target.Local { // first under the digest's hex, as ko loads it
		names = append([]string{digest.Hex}, names...)
	}
	tags := make([]name.Tag, len(names))
	for i, t := range names {
		if tags[i], err = name.NewTag(repo + ":" + t); err != nil {
			return "", fmt.Errorf("image name %s:%s: %w", repo, t, err)
		}
	}
	w := imageWrite{result: r, tags: tags, dest: p.target.Dest, sbom: p.flags.SBOM, registry: p.registry,
		ko: &koSBOMs{name: path.Base(gobuild.AppPath(importPath))}}
	if err := p.a.writeImages(ctx, w); err != nil {
		return "", err
	}
	return koReference(p.flags, p.target, repo, tags[0], digest.String()), nil
}

// koReference is the reference build prints for an image written under
// first, its first tag, as ko prints them: REPO@DIGEST, or
// REPO:TAG@DIGEST for a single tag that is not latest;
// REPO:FIRST-TAG@DIGEST when nothing is written, as ko's --push=false
// prints it; for the daemon, REPO:HEX of the image digest, the tag ko
// loads it under; REPO:TAG with --tag-only.
func koReference(f *options.Build, t options.Target, repo string, first name.Tag, digest string) string {
	d := t.Dest
	switch {
	case f.TagOnly: // one tag, not latest (CheckKo)
		return fmt.Sprintf("%s:%s", repo, f.Tags[0])
	case t.Local:
		return first.String()
	case !d.Push && d.Tarball == "" && d.Layout == "" && len(f.Tags) > 0:
		// nothing written: ko prints the first tag with the digest
		return fmt.Sprintf("%s:%s@%s", repo, f.Tags[0], digest)
	case len(f.Tags) == 1 && f.Tags[0] != "latest":
		return fmt.Sprintf("%s:%s@%s", repo, f.Tags[0], digest)
	}
	return fmt.Sprintf("%s@%s", repo, digest)
}

// daemonImage is the image of r's index that the daemon gets, as ko's
// -L picks it: the one for $GOOS/$GOARCH, linux/amd64 when unset; the
// daemon holds no index.
func daemonImage(r *pack.Result, getenv func(string) string) (*pack.Result, error) {
	goos, goarch := cmp.Or(getenv("GOOS"), "linux"), cmp.Or(getenv("GOARCH"), "amd64")
	for _, b := range r.Images {
		if b.Platform.OS == goos && b.Platform.Architecture == goarch {
			return &pack.Result{Artifact: b.Image, Images: []*pack.Built{b}}, nil
		}
	}
	return nil, fmt.Errorf("no %s/%s image among the platforms built, to load into the Docker daemon (which holds no index): set GOOS and GOARCH to one built, as for ko -L, or give --platform", goos, goarch)
}
