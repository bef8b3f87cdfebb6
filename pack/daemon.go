package pack

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/daemon"
)

// LoadDaemon loads img into the local Docker daemon under every tag.
func LoadDaemon(ctx context.Context, img v1.Image, tags []name.Tag) error {
	if _, err := daemon.Write(tags[0], img, daemon.WithContext(ctx)); err != nil {
		return fmt.Errorf("docker daemon: loading %s: %w; is dockerd running and DOCKER_HOST right?", tags[0], err)
	}
	for _, t := range tags[1:] {
		if err := daemon.Tag(tags[0], t, daemon.WithContext(ctx)); err != nil {
			return fmt.Errorf("docker daemon: tagging %s: %w", t, err)
		}
	}
	return nil
}
