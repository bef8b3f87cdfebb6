package main

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/internal/options"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/attach"
	"github.com/scratchpack/scratchpack/pack/sbom"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// koSBOMs is how build gives SBOMs as ko does: the files of --sbom-dir
// are named after the program (NAME-linux-arm64.spdx.json, and
// NAME-index.spdx.json for an index's, which only SPDX has), and each
// SBOM is also pushed at cosign's tag, REPO:sha256-HEX.sbom, where
// cosign download sbom finds it.
type koSBOMs struct {
	name string // the program's name: the import path's last element
}

// cosignSBOM is an SBOM to push at cosign's tag of subject.
type cosignSBOM struct {
	subject v1.Hash
	image   v1.Image
}

// koSPDXMediaType is the media type ko and cosign give an SPDX SBOM's
// blob at cosign's tag.
const koSPDXMediaType = "text/spdx+json"

// cosignImage is data as cosign stores a file at a tag (static.NewFile):
// one layer of the SBOM's media type in an OCI image.
func cosignImage(data []byte, mediaType string) (v1.Image, error) {
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	return mutate.Append(base, mutate.Addendum{Layer: static.NewLayer(data, types.MediaType(mediaType))})
}

// attachSBOMs makes the SBOM of each image of r in f's format, named
// after tags[0]'s repository, when dest has somewhere for it (see
// options.SBOM.Wanted), and adds them to dest: as attachments, and as
// files in --sbom-dir, which transport.Write stages and commits with
// every other output. With ko set, it also returns them (and the
// index's) for cosign's tags.
func attachSBOMs(f options.SBOM, r *pack.Result, tags []name.Tag, dest *transport.Destinations, ko *koSBOMs) ([]cosignSBOM, error) {
	if !f.Wanted(*dest) {
		return nil, nil
	}
	repo := strings.TrimSuffix(tags[0].String(), ":"+tags[0].TagStr()) // as given: app, ghcr.io/me/app
	docs, err := sbom.Images(r, repo, "scratchpack-"+cli.Version())
	if err != nil {
		return nil, err
	}
	file := func(suffix string) string { return path.Base(repo) + "-" + suffix + f.Format.Ext() } // app-linux-amd64.spdx.json
	if ko != nil {
		file = func(suffix string) string { return ko.name + "-" + suffix + f.Format.Ext() }
	}
	var cosign []cosignSBOM
	add := func(subject v1.Hash, name string, data []byte) error {
		if f.Dir != "" {
			dest.Files = append(dest.Files, transport.File{Path: filepath.Join(f.Dir, name), Data: data})
		}
		if ko == nil {
			return nil
		}
		mt := f.Format.MediaType()
		if f.Format == sbom.SPDX {
			mt = koSPDXMediaType
		}
		img, err := cosignImage(data, mt)
		cosign = append(cosign, cosignSBOM{subject, img})
		return err
	}
	for i, d := range docs {
		var b bytes.Buffer
		if err := f.Format.Write(&b, d); err != nil {
			return nil, err
		}
		name := file(strings.ReplaceAll(d.Platform, "/", "-"))
		att, err := attach.New(r.Images[i].Image, f.Format.MediaType(), name, b.Bytes())
		if err != nil {
			return nil, err
		}
		dest.Attachments = append(dest.Attachments, att)
		digest, err := r.Images[i].Image.Digest()
		if err == nil {
			err = add(digest, name, b.Bytes())
		}
		if err != nil {
			return nil, err
		}
	}
	if ko == nil || len(r.Images) < 2 || f.Format != sbom.SPDX {
		return cosign, nil
	}
	idx, err := indexOf(r.Artifact, repo, docs[0])
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := sbom.WriteSPDXIndex(&b, idx); err != nil {
		return nil, err
	}
	return cosign, add(idx.Digest, file("index"), b.Bytes())
}

// indexOf is what the SBOM of the index a says, dated and made by the
// tool of its first image's.
func indexOf(a transport.Artifact, repo string, first *sbom.Image) (*sbom.Index, error) {
	raw, err := a.RawManifest()
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("the index: %w", err)
	}
	d, err := a.Digest()
	if err != nil {
		return nil, err
	}
	return &sbom.Index{Name: repo, Digest: d, MediaType: string(m.MediaType), Manifests: m.Manifests, Created: first.Created, Tool: first.Tool}, nil
}

// pushCosignSBOMs pushes each SBOM at cosign's tag of its subject,
// REPO:sha256-HEX.sbom, in every repository of tags.
func pushCosignSBOMs(ctx context.Context, cosign []cosignSBOM, tags []name.Tag, o transport.Options) error {
	seen := map[string]bool{}
	for _, t := range tags {
		repo := t.Context()
		if seen[repo.String()] {
			continue
		}
		seen[repo.String()] = true
		for _, s := range cosign {
			tag := repo.Tag(s.subject.Algorithm + "-" + s.subject.Hex + ".sbom")
			if err := transport.Push(ctx, s.image, []name.Tag{tag}, o); err != nil {
				return fmt.Errorf("the SBOM at cosign's tag %s: %w", tag, err)
			}
		}
	}
	return nil
}
