package pack

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Open reads an image or index from where the outputs write them: a
// docker-archive tarball (a file), an OCI layout (DIR or DIR:TAG), or a
// registry reference.
func Open(ctx context.Context, src string, insecure bool) (Artifact, error) {
	if fi, err := os.Stat(src); err == nil && fi.Mode().IsRegular() {
		img, err := tarball.ImageFromPath(src, nil)
		if err != nil {
			return Artifact{}, fmt.Errorf("%s: not a docker-archive tarball: %w", src, err)
		}
		return Artifact{Image: img}, nil
	}
	if dir, tag, ok := layoutRef(src); ok {
		return openLayout(dir, tag)
	}
	var opts []name.Option
	if insecure {
		opts = append(opts, name.Insecure)
	}
	ref, err := name.ParseReference(src, opts...)
	if err != nil {
		return Artifact{}, fmt.Errorf("%s: not a file, an OCI layout or an image reference", src)
	}
	desc, err := remote.Get(ref, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return Artifact{}, fmt.Errorf("%s: %w", src, err)
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		return Artifact{Index: idx}, err
	}
	img, err := desc.Image()
	return Artifact{Image: img}, err
}

// layoutRef splits DIR[:TAG] when DIR is an OCI layout.
func layoutRef(src string) (dir, tag string, ok bool) {
	isLayout := func(d string) bool {
		_, err := os.Stat(filepath.Join(d, "oci-layout"))
		return err == nil
	}
	if isLayout(src) {
		return src, "", true
	}
	if i := strings.LastIndexByte(src, ':'); i > 0 && isLayout(src[:i]) {
		return src[:i], src[i+1:], true
	}
	return "", "", false
}

func openLayout(dir, tag string) (Artifact, error) {
	lp, err := layout.FromPath(dir)
	if err != nil {
		return Artifact{}, fmt.Errorf("%s: %w", dir, err)
	}
	ii, err := lp.ImageIndex()
	if err != nil {
		return Artifact{}, fmt.Errorf("%s: %w", dir, err)
	}
	im, err := ii.IndexManifest()
	if err != nil {
		return Artifact{}, fmt.Errorf("%s: %w", dir, err)
	}
	var tags []string
	for _, d := range im.Manifests {
		t := d.Annotations[AnnotationRefName]
		tags = append(tags, t)
		if t != tag && !(tag == "" && len(im.Manifests) == 1) {
			continue
		}
		if d.MediaType.IsIndex() {
			idx, err := ii.ImageIndex(d.Digest)
			return Artifact{Index: idx}, err
		}
		img, err := ii.Image(d.Digest)
		return Artifact{Image: img}, err
	}
	return Artifact{}, fmt.Errorf("%s: no image tagged %q; the layout has %s; name one as DIR:TAG", dir, tag, strings.Join(tags, ", "))
}

// Description is what inspect shows of one image.
type Description struct {
	Digest     string            `json:"digest"`
	Config     string            `json:"config"`
	Platform   string            `json:"platform"`
	Entrypoint []string          `json:"entrypoint"`
	Cmd        []string          `json:"cmd"`
	Env        []string          `json:"env"`
	User       string            `json:"user"`
	WorkingDir string            `json:"workdir"`
	Labels     map[string]string `json:"labels,omitempty"`
	Created    string            `json:"created"`
	Layers     []LayerListing    `json:"layers"`
}

// LayerListing is one layer and what it holds.
type LayerListing struct {
	Digest    string      `json:"digest"`
	DiffID    string      `json:"diff_id"`
	MediaType string      `json:"media_type"`
	Size      int64       `json:"size"`
	Files     []FileEntry `json:"files"`
}

// FileEntry is one tar entry, as `tar -tv` would list it.
type FileEntry struct {
	Mode string `json:"mode"`
	UID  int    `json:"uid"`
	GID  int    `json:"gid"`
	Size int64  `json:"size"`
	Path string `json:"path"`
	Link string `json:"link,omitempty"`
}

// Describe reads img's manifest, config and layers.
func Describe(img v1.Image) (*Description, error) {
	digest, err := img.Digest()
	if err != nil {
		return nil, err
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	d := &Description{
		Digest: digest.String(), Config: cfgName.String(), Platform: cf.Platform().String(),
		Entrypoint: cf.Config.Entrypoint, Cmd: cf.Config.Cmd, Env: cf.Config.Env, User: cf.Config.User,
		WorkingDir: cf.Config.WorkingDir, Labels: cf.Config.Labels, Created: cf.Created.UTC().Format("2006-01-02T15:04:05Z"),
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	for _, l := range layers {
		ll, err := listLayer(l)
		if err != nil {
			return nil, err
		}
		d.Layers = append(d.Layers, ll)
	}
	return d, nil
}

func listLayer(l v1.Layer) (LayerListing, error) {
	var ll LayerListing
	dg, err := l.Digest()
	if err != nil {
		return ll, err
	}
	diff, err := l.DiffID()
	if err != nil {
		return ll, err
	}
	mt, _ := l.MediaType()
	size, _ := l.Size()
	ll = LayerListing{Digest: dg.String(), DiffID: diff.String(), MediaType: string(mt), Size: size, Files: []FileEntry{}}
	rc, err := l.Uncompressed()
	if err != nil {
		return ll, err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return ll, fmt.Errorf("layer %s: %w", dg, err)
		}
		ll.Files = append(ll.Files, FileEntry{
			Mode: fs.FileMode(hdr.Mode).Perm().String(),
			UID:  hdr.Uid, GID: hdr.Gid, Size: hdr.Size,
			Path: "/" + strings.TrimSuffix(strings.TrimPrefix(hdr.Name, "./"), "/"),
			Link: hdr.Linkname,
		})
		e := &ll.Files[len(ll.Files)-1]
		e.Mode = typeChar(hdr) + e.Mode[1:]
		if hdr.Mode&0o1000 != 0 {
			e.Mode = e.Mode[:9] + "t"
		}
	}
	sort.Slice(ll.Files, func(i, j int) bool { return ll.Files[i].Path < ll.Files[j].Path })
	return ll, nil
}

func typeChar(h *tar.Header) string {
	switch h.Typeflag {
	case tar.TypeDir:
		return "d"
	case tar.TypeSymlink:
		return "l"
	case tar.TypeLink:
		return "h"
	}
	return "-"
}
