package transport

import (
	"context"
	"fmt"
	"io"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

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
	// ImageRefs and MetadataFile, when set, are files that list what was
	// written: REF@DIGEST lines, and Metadata as JSON.
	ImageRefs    string
	MetadataFile string
	// Inputs are the files the artifact was made from: no output may
	// replace one.
	Inputs []string
	// Attachments (see Attachment) go with the artifact to the layout and
	// the registry, as referrers of the images they name.
	Attachments []v1.Image
	// Files are more files of results, written with the other outputs.
	Files []File
}

// Empty reports whether no destination of the artifact itself is set
// (ImageRefs, MetadataFile and Files only describe what was written).
func (d Destinations) Empty() bool {
	return d.Tarball == "" && d.Stream == nil && d.Layout == "" && !d.Daemon && !d.Push
}

// DaemonOnly reports whether the Docker daemon is the one destination.
func (d Destinations) DaemonOnly() bool {
	others := d
	others.Daemon = false
	return d.Daemon && others.Empty()
}

// Write puts a, under every tag, to each destination. A call that fails
// leaves none of its outputs: every file output (the tarball, the
// layout, ImageRefs, MetadataFile, Files) is staged under a temporary
// name first, so that whatever can fail about one fails before anything
// is written where it cannot be taken back; the daemon is loaded and the
// registry pushed (which cannot be undone, so they come last); and only
// then are the files put in place, by renames, the layout first (the one
// commit that reads what is there). Each output done is reported to logf
// when it is set.
func Write(ctx context.Context, a Artifact, tags []name.Tag, d Destinations, o Options, logf func(string, ...any)) (err error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	var files []*staged // in the order they are committed
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
		entries, err := attachmentEntries(d.Attachments, tags)
		if err != nil {
			return err
		}
		s, err := stageLayout(ctx, d.Layout, append([]layoutEntry{{a, tags}}, entries...))
		if err != nil {
			return err
		}
		files = append([]*staged{s}, files...)
	}
	meta, err := NewMetadata(a, tags)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		path  string
		write func(io.Writer) error
	}{{d.ImageRefs, meta.writeRefs}, {d.MetadataFile, meta.writeJSON}} {
		if f.path == "" {
			continue
		}
		s, err := stageOutput(f.path, d.Inputs, f.write)
		if err != nil {
			return err
		}
		files = append(files, s)
	}
	if len(d.Files) > 0 {
		s, err := stageFiles(d.Files, d.Inputs)
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
		if err := tarballTo(ctx, d.Stream, img, tags, false); err != nil {
			return fmt.Errorf("writing the tarball: %w", err)
		}
	}
	if d.Daemon {
		p, err := LoadDaemon(ctx, a, tags)
		if err != nil {
			return err
		}
		logf("loaded %s into the Docker daemon (%s, image ID %s)", tagList(meta.Tags), p.String(), imageID(meta, p.String()))
	}
	if d.Push {
		fresh := upToDate(ctx, a, tags, o)
		if fresh {
			o.Progress = nil // a bar of blobs that all exist would say nothing true
		}
		if err := Push(ctx, a, tags, o); err != nil {
			return err
		}
		if fresh {
			logf("%s %s up to date in the registry; nothing was uploaded", tagList(meta.Tags), isAre(len(meta.Tags)))
		} else {
			logf("pushed %s", tagList(meta.Tags))
		}
		var repos []name.Repository
		for _, t := range repoTags(tags) {
			repos = append(repos, t.Context())
		}
		if err := pushAttachments(ctx, d.Attachments, repos, o); err != nil {
			return err
		}
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
		logf("wrote %s with %s (image ID %s)", d.Tarball, tagList(meta.Tags), meta.Images[0].ImageID)
	}
	if d.Layout != "" {
		logf("wrote %s with %s", d.Layout, tagList(meta.Tags))
	}
	for _, f := range []string{d.ImageRefs, d.MetadataFile} {
		if f != "" {
			logf("wrote %s", f)
		}
	}
	for _, f := range d.Files {
		logf("wrote %s", f.Path)
	}
	return nil
}

func tagList(tags []string) string { return strings.Join(tags, ", ") }

// isAre is the verb of n things.
func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// imageID is the image ID of the image for platform.
func imageID(m *Metadata, platform string) string {
	for _, im := range m.Images {
		if im.Platform == platform {
			return im.ImageID
		}
	}
	return m.Images[0].ImageID
}
