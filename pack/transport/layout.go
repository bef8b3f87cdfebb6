package transport

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/match"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/internal/ctxio"
	"github.com/scratchpack/scratchpack/internal/stale"
)

// Annotations that name an entry of an OCI layout's index.json.
const (
	AnnotationRefName       = "org.opencontainers.image.ref.name" // the reference as given (NAME:TAG), as skopeo's oci:DIR:NAME and crane read it
	AnnotationContainerName = "io.containerd.image.name"          // the full reference, as containerd reads it
)

// WriteLayout creates the OCI image layout dir, or adds to it, with one
// index.json entry per tag, named by the tag's full reference as given
// (app:1.2, ghcr.io/me/app:1.2); an entry of the same name is replaced,
// others are kept. It stops, changing nothing, when ctx is done before
// the commit.
//
// Everything is written to a staging layout beside dir first, with 0755
// directories and 0644 files whatever the umask or the temp directory's
// mode, since other users read layouts. Then, holding a lock on dir's
// parent directory so that concurrent writers lose no tags, a new layout
// is renamed into place; for an existing one, the complete blobs are
// moved in and index.json is replaced by a rename, the one step that
// changes what the layout says. A failure leaves dir as it was, at most
// with unreferenced blobs.
func WriteLayout(ctx context.Context, dir string, a Artifact, tags []name.Tag) error {
	s, err := stageLayout(ctx, dir, []layoutEntry{{a, tags}})
	if err != nil {
		return err
	}
	return s.commit()
}

// layoutEntry is an artifact and the names it gets in a layout.
type layoutEntry struct {
	a    Artifact
	tags []name.Tag
}

// attachmentEntries are the layout entries that hold attachments: for
// each subject, its referrers index under the fallback tag of each
// repository of tags.
func attachmentEntries(atts []v1.Image, tags []name.Tag) ([]layoutEntry, error) {
	bySubject := map[v1.Hash][]v1.Image{}
	var subjects []v1.Hash
	for _, att := range atts {
		s, err := subjectOf(att)
		if err != nil {
			return nil, err
		}
		if bySubject[s] == nil {
			subjects = append(subjects, s)
		}
		bySubject[s] = append(bySubject[s], att)
	}
	var out []layoutEntry
	for _, s := range subjects {
		var names []name.Tag
		for _, rt := range repoTags(tags) {
			t, err := fallbackTag(rt, s)
			if err != nil {
				return nil, err
			}
			names = append(names, t)
		}
		out = append(out, layoutEntry{referrersIndex(bySubject[s]), names})
	}
	return out, nil
}

// stageLayout writes the staging layout; commit updates dir from it.
func stageLayout(ctx context.Context, dir string, entries []layoutEntry) (*staged, error) {
	if fi, err := os.Stat(dir); err == nil && (!fi.IsDir() || !isLayout(dir)) {
		return nil, fmt.Errorf("%s: exists and is not an OCI image layout; name a new directory", dir)
	} else if err == nil {
		if _, err := readIndex(dir); err != nil { // what the commit reads: it must not fail after a push
			return nil, err
		}
	}
	pattern := "." + filepath.Base(dir) + ".tmp-*"
	stale.Sweep(filepath.Join(filepath.Dir(dir), pattern))
	stage, err := os.MkdirTemp(filepath.Dir(dir), pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, unwrapPathErr(err))
	}
	held, err := os.Open(stage)
	if err != nil {
		os.RemoveAll(stage)
		return nil, fmt.Errorf("%s: %w", dir, unwrapPathErr(err))
	}
	stale.Hold(held)
	abort := func() {
		os.RemoveAll(stage)
		held.Close()
	}
	if err := writeStage(stage, entries); err != nil {
		abort()
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return &staged{
		commit: func() error {
			defer abort()
			return commitLayout(ctx, dir, stage, entries)
		},
		abort: abort,
	}, nil
}

// writeStage writes the entries' blobs into a new layout at stage.
func writeStage(stage string, entries []layoutEntry) error {
	sp, err := layout.Write(stage, empty.Index)
	if err != nil {
		return err
	}
	for _, e := range entries {
		switch a := e.a.(type) {
		case v1.ImageIndex:
			err = sp.WriteIndex(a)
		case v1.Image:
			err = sp.WriteImage(a)
		default:
			err = fmt.Errorf("%T is neither an image nor an index", a)
		}
		if err != nil {
			return fmt.Errorf("writing blobs: %w", err)
		}
	}
	return shareModes(stage)
}

// commitLayout makes dir say what the staged layout adds, under the lock.
func commitLayout(ctx context.Context, dir, stage string, entries []layoutEntry) error {
	release, err := lockDir(filepath.Dir(dir))
	if err != nil {
		return err
	}
	defer release()
	if err := ctx.Err(); err != nil {
		return err
	}
	existing := true
	var base v1.ImageIndex = mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		existing = false
	} else if base, err = readIndex(dir); err != nil {
		return err
	}
	for _, e := range entries {
		platform, err := imagePlatform(e.a)
		if err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		for _, t := range e.tags {
			base = mutate.RemoveManifests(base, match.Annotation(AnnotationRefName, t.String()))
			base = mutate.AppendManifests(base, mutate.IndexAddendum{
				Add: e.a,
				Descriptor: v1.Descriptor{Platform: platform, Annotations: map[string]string{
					AnnotationRefName:       t.String(),
					AnnotationContainerName: t.Name(),
				}},
			})
		}
	}
	raw, err := base.RawManifest()
	if err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	if !existing {
		if err := os.WriteFile(filepath.Join(stage, "index.json"), raw, 0o644); err != nil {
			return fmt.Errorf("%s: %w", dir, unwrapPathErr(err))
		}
		if err := os.Rename(stage, dir); err != nil {
			return fmt.Errorf("%s: %w", dir, err)
		}
		return nil
	}
	if err := moveBlobs(ctx, filepath.Join(stage, "blobs"), filepath.Join(dir, "blobs")); err != nil {
		return fmt.Errorf("%s: %w", dir, err)
	}
	return writeAtomic(filepath.Join(dir, "index.json"), func(w io.Writer) error {
		_, err := w.Write(raw)
		return err
	})
}

// imagePlatform is the platform an image's index.json entry says, from
// its config, as a registry's index says it: readers that choose an
// image by platform (syft scan oci-dir:, with an SBOM index beside the
// image) find none without it. Nil for an index, or an artifact whose
// config names no platform.
func imagePlatform(a Artifact) (*v1.Platform, error) {
	img, ok := a.(v1.Image)
	if !ok {
		return nil, nil
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("the image's config: %w", err)
	}
	return cf.Platform(), nil
}

// readIndex reads the index.json of the layout dir as Open reads one:
// bounded, never through a symlink or a FIFO.
func readIndex(dir string) (v1.ImageIndex, error) {
	if _, err := os.Stat(filepath.Join(dir, "oci-layout")); err != nil {
		return nil, fmt.Errorf("%s: exists and is not an OCI image layout; name a new directory", dir)
	}
	idx, err := readLayoutIndex(dir)
	if err != nil {
		return nil, fmt.Errorf("reading index.json: %w; repair or remove the layout", err)
	}
	return idx, nil
}

// moveBlobs renames every blob under from into to that to does not have
// intact: a blob that exists by name is kept only when its bytes hash to
// its name; any other file there (truncated, garbled, a symlink, a
// directory) is replaced, by a rename, so that a reader sees the old file
// or the new one, never a mix. It stops when ctx is done.
func moveBlobs(ctx context.Context, from, to string) error {
	algs, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, alg := range algs {
		if err := os.MkdirAll(filepath.Join(to, alg.Name()), 0o755); err != nil {
			return err
		}
		blobs, err := os.ReadDir(filepath.Join(from, alg.Name()))
		if err != nil {
			return err
		}
		for _, b := range blobs {
			dst := filepath.Join(to, alg.Name(), b.Name())
			intact, err := blobIntact(ctx, dst, alg.Name(), b.Name())
			if err != nil {
				return err
			}
			if intact {
				continue
			}
			if fi, err := os.Lstat(dst); err == nil && fi.IsDir() {
				if err := os.RemoveAll(dst); err != nil {
					return err
				}
			}
			if err := os.Rename(filepath.Join(from, alg.Name(), b.Name()), dst); err != nil {
				return err
			}
		}
	}
	return nil
}

// blobIntact reports whether path is a regular file whose bytes hash,
// with algorithm alg, to hexDigest. Only cancellation is an error.
func blobIntact(ctx context.Context, path, alg, hexDigest string) (bool, error) {
	h, err := v1.Hasher(alg)
	if err != nil {
		return false, nil
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false, nil
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false, nil
	}
	if _, err := io.Copy(h, ctxio.Reader(ctx, f)); err != nil {
		return false, ctx.Err()
	}
	return hex.EncodeToString(h.Sum(nil)) == hexDigest, nil
}

// shareModes gives every directory under dir mode 0755 and every file
// 0644.
func shareModes(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := fs.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(p, mode)
	})
}
