package pack

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/elfscan"
)

// Options says how to build an image for one scanned program.
type Options struct {
	ImagePath  string       // where the program goes; ProgramPath(r.Path) when empty
	Config     Config       // Platform comes from the report; Entrypoint defaults to ImagePath
	Layer      LayerOptions // mtime and compression
	Add        []Addition   // extra host files and directories
	Essentials Essentials   // passwd, /tmp, CA roots, zone files
}

// Built is one program's image. Close removes its layer's temporary file,
// so it must outlive every output written from the image.
type Built struct {
	Report    *elfscan.Report
	ImagePath string
	Image     v1.Image
	Layer     *Layer
	Platform  v1.Platform
}

// Close removes the layer's temporary file.
func (b *Built) Close() error { return b.Layer.Close() }

// Build plans the root file system for the scanned program (the program,
// its loader and libraries), checks the plan, builds the layer in one
// pass, and assembles the image.
func Build(r *elfscan.Report, opts Options) (*Built, error) {
	imagePath := opts.ImagePath
	if imagePath == "" {
		imagePath = ProgramPath(r.Path)
	}
	plan := NewPlan()
	if err := plan.AddRuntime(r, imagePath); err != nil {
		return nil, err
	}
	if err := plan.AddProgram(r, imagePath); err != nil {
		return nil, err
	}
	essentialEnv, err := plan.AddEssentials(opts.Essentials)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Path, err)
	}
	for _, a := range opts.Add {
		if err := plan.AddHost(a); err != nil {
			return nil, err
		}
	}
	if err := Verify(plan, r, imagePath); err != nil {
		return nil, err
	}
	layer, err := BuildLayer(plan, opts.Layer)
	if err != nil {
		return nil, err
	}
	cfg := opts.Config
	cfg.Platform = v1.Platform{OS: r.Platform.OS, Architecture: r.Platform.Architecture, Variant: r.Platform.Variant}
	if len(cfg.Entrypoint) == 0 {
		cfg.Entrypoint = []string{imagePath}
	}
	if cfg.User == "" {
		cfg.User = DefaultUser
	}
	cfg.Env = append(append([]string{}, cfg.Env...), essentialEnv...)
	img, err := Image(layer, cfg)
	if err != nil {
		layer.Close()
		return nil, fmt.Errorf("%s: %w", r.Path, err)
	}
	return &Built{Report: r, ImagePath: imagePath, Image: img, Layer: layer, Platform: cfg.Platform}, nil
}
