package transport

import (
	"context"
	"fmt"
	"runtime"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/daemon"
)

// LoadDaemon loads a into the local Docker daemon under every tag. The
// daemon holds one image per name, so of an index it loads the image for
// this machine's architecture (the first when none is), and says which.
func LoadDaemon(ctx context.Context, a Artifact, tags []name.Tag) (v1.Platform, error) {
	img, platform, err := hostImage(a)
	if err != nil {
		return platform, err
	}
	if _, err := daemon.Write(tags[0], img, daemon.WithContext(ctx)); err != nil {
		return platform, fmt.Errorf("docker daemon: loading %s: %w; is dockerd running and DOCKER_HOST right?", tags[0], err)
	}
	for _, t := range tags[1:] {
		if err := daemon.Tag(tags[0], t, daemon.WithContext(ctx)); err != nil {
			return platform, fmt.Errorf("docker daemon: tagging %s: %w", t, err)
		}
	}
	return platform, nil
}

// hostImage picks the image of a that this machine runs natively.
func hostImage(a Artifact) (v1.Image, v1.Platform, error) {
	imgs, err := Images(a)
	if err != nil {
		return nil, v1.Platform{}, err
	}
	var first v1.Platform
	for i, img := range imgs {
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, v1.Platform{}, err
		}
		p := cf.Platform()
		if p == nil {
			continue
		}
		if i == 0 {
			first = *p
		}
		if p.OS == "linux" && p.Architecture == runtime.GOARCH {
			return img, *p, nil
		}
	}
	return imgs[0], first, nil
}
