package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/daemon"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// LoadDaemon loads a into the local Docker daemon under every tag. The
// daemon holds one image per name, so of an index it loads the image for
// this machine's architecture (the first when none is), and says which.
func LoadDaemon(ctx context.Context, a Artifact, tags []name.Tag) (v1.Platform, error) {
	img, platform, err := hostImage(a)
	if err != nil {
		return platform, err
	}
	response, err := daemon.Write(tags[0], img, daemon.WithContext(ctx))
	if err != nil {
		return platform, fmt.Errorf("docker daemon: loading %s: %w; is dockerd running and DOCKER_HOST right?", tags[0], err)
	}
	if err := loadError(response); err != nil {
		return platform, fmt.Errorf("docker daemon: loading %s: dockerd refused it: %w%s", tags[0], err, zstdHint(img))
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
	imgs, err := images(context.Background(), a)
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

// loadError returns the error that the response of a docker load reports,
// or nil. dockerd answers a load it could not do with success and the
// error in its stream of JSON messages, which daemon.Write hands back as
// text: unread, a refused image would be reported as loaded.
func loadError(response string) error {
	dec := json.NewDecoder(strings.NewReader(response))
	for {
		var m struct {
			Error       string `json:"error"`
			ErrorDetail struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&m); err != nil {
			return nil // the end, or no message dockerd would send
		}
		msg := m.ErrorDetail.Message
		if msg == "" {
			msg = m.Error
		}
		if msg = strings.Join(strings.Fields(msg), " "); msg != "" {
			return errors.New(msg)
		}
	}
}

// zstdHint says, for an image with a zstd layer, that the daemon may be
// too old to read it.
func zstdHint(img v1.Image) string {
	layers, err := img.Layers()
	if err != nil {
		return ""
	}
	for _, l := range layers {
		if mt, err := l.MediaType(); err == nil && mt == types.OCILayerZStd {
			return " (Docker before 23.0 reads no zstd layers: make the layer gzip or uncompressed)"
		}
	}
	return ""
}
