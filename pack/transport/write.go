package transport

import (
	"context"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/scratchpack/scratchpack/internal/ctxio"

	"github.com/google/go-containerregistry/pkg/name"
)

// Destinations are the places Write puts an artifact; the zero value is
// none.
type Destinations struct {
	Tarball string    // a docker-archive file
	Stream  io.Writer // a docker-archive written to a stream (stdout, say)
	Layout  string    // an OCI image layout directory
	Daemon  bool      // the local Docker daemon
	Push    bool      // the registry of each tag
	// Inputs are the files the artifact was made from: no output may
	// replace one.
	Inputs []string
}

// Empty reports whether no destination is set.
func (d Destinations) Empty() bool {
	return d.Tarball == "" && d.Stream == nil && d.Layout == "" && !d.Daemon && !d.Push
}

// Write puts a, under every tag, to each destination. A call that fails
// leaves none of its outputs: the tarball and layout are staged under
// temporary names, the daemon is loaded and the registry pushed (which
// cannot be undone, so they come last), and only then are the files put
// in place. Each output done is reported to logf when it is set.
func Write(ctx context.Context, a Artifact, tags []name.Tag, d Destinations, o Options, logf func(string, ...any)) (err error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	var files []*staged
	defer func() {
		if err != nil {
			for _, s := range files {
				s.abort()
			}
		}
	}()
	if d.Tarball != "" {
		s, err := stageTarball(ctx, d.Tarball, d.Inputs, a, tags)
		if err != nil {
			return err
		}
		files = append(files, s)
	}
	if d.Layout != "" {
		s, err := stageLayout(ctx, d.Layout, a, tags)
		if err != nil {
			return err
		}
		files = append(files, s)
	}
	if d.Stream != nil {
		img, ok := a.(v1.Image)
		if !ok {
			return fmt.Errorf("a docker-archive holds one platform's image, not an index")
		}
		if err := tarballTo(ctxio.Writer(ctx, d.Stream), img, tags); err != nil {
			return fmt.Errorf("writing the tarball: %w", err)
		}
	}
	if d.Daemon {
		p, err := LoadDaemon(ctx, a, tags)
		if err != nil {
			return err
		}
		logf("loaded %s (%s) into the Docker daemon", tags[0], p.String())
	}
	if d.Push {
		if err := Push(ctx, a, tags, o); err != nil {
			return err
		}
		logf("pushed %s", tags[0])
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, s := range files {
		if err := s.commit(); err != nil {
			files = files[i+1:]
			return err
		}
	}
	if d.Tarball != "" {
		logf("wrote %s", d.Tarball)
	}
	if d.Layout != "" {
		logf("wrote %s", d.Layout)
	}
	return nil
}
