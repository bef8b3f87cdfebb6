package transport

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Metadata is what one call made, for a release pipeline to read
// (--metadata-file): every tag, the digest of what the tags name, and per
// platform the manifest digest, the image ID (the config digest, as
// docker images shows it) and the layers.
type Metadata struct {
	Tags      []string        `json:"tags"`
	Digest    string          `json:"digest"`
	MediaType string          `json:"mediaType"`
	Images    []ImageMetadata `json:"images"`
}

// ImageMetadata is one platform's image.
type ImageMetadata struct {
	Platform string   `json:"platform"`
	Digest   string   `json:"digest"`
	ImageID  string   `json:"imageID"`
	Layers   []v1Blob `json:"layers"`
}

type v1Blob struct {
	Digest string `json:"digest"`
	Size   int64  `json:"size"`
}

// NewMetadata describes a under tags.
func NewMetadata(a Artifact, tags []name.Tag) (*Metadata, error) {
	d, err := a.Digest()
	if err != nil {
		return nil, err
	}
	mt, err := a.MediaType()
	if err != nil {
		return nil, err
	}
	m := &Metadata{Digest: d.String(), MediaType: string(mt), Images: []ImageMetadata{}}
	for _, t := range tags {
		m.Tags = append(m.Tags, t.String())
	}
	imgs, err := images(context.Background(), a)
	if err != nil {
		return nil, err
	}
	for _, img := range imgs {
		im, err := imageMetadata(img)
		if err != nil {
			return nil, err
		}
		m.Images = append(m.Images, im)
	}
	return m, nil
}

func imageMetadata(img v1.Image) (ImageMetadata, error) {
	var im ImageMetadata
	d, err := img.Digest()
	if err != nil {
		return im, err
	}
	id, err := img.ConfigName()
	if err != nil {
		return im, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return im, err
	}
	im = ImageMetadata{Platform: cf.Platform().String(), Digest: d.String(), ImageID: id.String(), Layers: []v1Blob{}}
	m, err := img.Manifest()
	if err != nil {
		return im, err
	}
	for _, l := range m.Layers {
		im.Layers = append(im.Layers, v1Blob{Digest: l.Digest.String(), Size: l.Size})
	}
	return im, nil
}

// writeJSON writes m, indented, with a final newline.
func (m *Metadata) writeJSON(w io.Writer) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeRefs writes one REF@DIGEST line per tag, as ko and crane write
// --image-refs.
func (m *Metadata) writeRefs(w io.Writer) error {
	var b strings.Builder
	for _, t := range m.Tags {
		fmt.Fprintf(&b, "%s@%s\n", t, m.Digest)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
