package pack

import (
	"fmt"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Config is what the image's config says about how to run it.
type Config struct {
	Platform     v1.Platform
	Entrypoint   []string
	Cmd          []string
	Env          []string
	WorkingDir   string
	User         string
	ExposedPorts []string // "8080/tcp"
	StopSignal   string   // "SIGQUIT"; "" is the runtime's default (SIGTERM)
	Labels       map[string]string
	Annotations  map[string]string // on the manifest
	Created      time.Time         // the zero time means the Unix epoch
	// ZeroCreated writes created as the zero time, 0001-01-01T00:00:00Z,
	// as ko does with no SOURCE_DATE_EPOCH; Created still dates the layer.
	ZeroCreated bool
	Author      string // the config's author; "" for none
}

// Image assembles a single-layer OCI image on scratch.
func Image(layer v1.Layer, c Config) (v1.Image, error) {
	cf := c.configFile()
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err := mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("setting image config: %w", err)
	}
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:     layer,
		MediaType: layerMediaType(layer),
		History: v1.History{
			Created:   v1.Time{Time: c.created()},
			CreatedBy: "scratchpack pack",
			Comment:   "single layer on scratch",
		},
	})
	if err != nil {
		return nil, fmt.Errorf("adding layer: %w", err)
	}
	if len(c.Annotations) > 0 {
		img = mutate.Annotations(img, c.Annotations).(v1.Image)
	}
	return img, nil
}

// created is the time the image and its layer are dated with.
func (c Config) created() time.Time {
	if c.Created.IsZero() {
		return time.Unix(0, 0).UTC()
	}
	return c.Created.UTC()
}

// configFile is the image's config file, less its layers.
func (c Config) configFile() *v1.ConfigFile {
	created := c.created()
	cf := &v1.ConfigFile{
		Architecture: c.Platform.Architecture,
		OS:           c.Platform.OS,
		Variant:      c.Platform.Variant,
		Created:      v1.Time{Time: created},
		Author:       c.Author,
		RootFS:       v1.RootFS{Type: "layers"},
		Config: v1.Config{
			Entrypoint: c.Entrypoint,
			Cmd:        c.Cmd,
			Env:        c.Env,
			WorkingDir: c.WorkingDir,
			User:       c.User,
			Labels:     c.Labels,
			StopSignal: c.StopSignal,
		},
	}
	if c.ZeroCreated {
		cf.Created = v1.Time{}
	}
	if len(c.ExposedPorts) > 0 {
		cf.Config.ExposedPorts = map[string]struct{}{}
		for _, p := range c.ExposedPorts {
			cf.Config.ExposedPorts[p] = struct{}{}
		}
	}
	return cf
}

func layerMediaType(l v1.Layer) types.MediaType {
	mt, err := l.MediaType()
	if err != nil {
		return types.OCILayer
	}
	return mt
}
