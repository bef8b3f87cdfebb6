package sbom

import (
	"context"
	"errors"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/pack/attach"
	"github.com/scratchpack/scratchpack/pack/imageref"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// ErrNone means an image has no SBOM attached.
var ErrNone = errors.New("no SBOM attached")

// Document is an SBOM attached to an image.
type Document struct {
	Data      []byte
	MediaType string // its format: application/spdx+json, text/spdx+json, ...
	// From says where it was found: as the image's OCI 1.1 referrer
	// (scratchpack's way), or at cosign's sha256-HEX.sbom tag (ko's way).
	From string
}

// sbomTypes are the media types of the SBOMs that cosign and ko attach
// as a layer, and the artifact types of OCI 1.1 referrers that are SBOMs.
var sbomTypes = map[types.MediaType]bool{
	MediaTypeSPDX: true, MediaTypeCycloneDX: true,
	"text/spdx+json": true, "text/spdx": true, // cosign's and ko's SPDX
	"application/vnd.cyclonedx+xml": true, "application/vnd.cyclonedx": true,
	"application/vnd.syft+json": true,
}

// Read returns the SBOMs attached to the images src names (in a
// registry or an OCI layout; of an index, every image, or the one for
// only), one document per image, in the index's order: the image's OCI
// 1.1 referrer that is an SBOM (the last one listed), or else the SBOM
// cosign's way of attaching puts at the sha256-HEX.sbom tag, as ko does.
func Read(ctx context.Context, src imageref.Reference, only *v1.Platform, o transport.Options) ([]Document, error) {
	art, err := transport.Open(ctx, src, o)
	if err != nil {
		return nil, err
	}
	imgs, err := transport.Pick(ctx, art, only)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src, err)
	}
	var out []Document
	for _, img := range imgs {
		d, err := img.Digest()
		if err != nil {
			return nil, err
		}
		doc, err := referrerSBOM(ctx, src, d, o)
		if err != nil {
			return nil, err
		}
		if doc == nil {
			if doc, err = cosignSBOM(ctx, src, d, o); err != nil {
				return nil, err
			}
		}
		if doc == nil {
			return nil, fmt.Errorf("%s: image %s: %w (no OCI 1.1 referrer and no cosign %s tag)", src, d, ErrNone, d.Algorithm+"-"+d.Hex+".sbom")
		}
		out = append(out, *doc)
	}
	return out, nil
}

// referrerSBOM is the last SBOM among subject's OCI 1.1 referrers, or nil.
func referrerSBOM(ctx context.Context, src imageref.Reference, subject v1.Hash, o transport.Options) (*Document, error) {
	atts, err := transport.Referrers(ctx, src, subject, o)
	if err != nil {
		return nil, err
	}
	var doc *Document
	for _, att := range atts {
		typ, data, err := attach.Data(att)
		if err != nil {
			return nil, fmt.Errorf("%s: attachment of %s: %w", src, subject, err)
		}
		if sbomTypes[types.MediaType(typ)] {
			ad, err := att.Digest()
			if err != nil {
				return nil, err
			}
			doc = &Document{Data: data, MediaType: typ, From: "the OCI 1.1 referrer " + ad.String() + " of " + subject.String()}
		}
	}
	return doc, nil
}

// cosignSBOM is the SBOM at subject's sha256-HEX.sbom tag, or nil.
func cosignSBOM(ctx context.Context, src imageref.Reference, subject v1.Hash, o transport.Options) (*Document, error) {
	ref, err := src.WithTag(attach.CosignTag(subject, "sbom"))
	if err != nil {
		return nil, err
	}
	a, err := transport.Open(ctx, ref, o)
	if errors.Is(err, transport.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	img, ok := a.(v1.Image)
	if !ok {
		return nil, fmt.Errorf("%s: cosign's SBOM tag holds an index, not an image", ref)
	}
	tag := ref.String()
	typ, data, err := attach.LayerData(img, func(t types.MediaType) bool { return sbomTypes[t] })
	if err != nil {
		return nil, fmt.Errorf("%s: %w", tag, err)
	}
	if data == nil {
		return nil, fmt.Errorf("%s: cosign's SBOM tag holds no SBOM layer", tag)
	}
	return &Document{Data: data, MediaType: string(typ), From: "cosign's SBOM tag " + tag}, nil
}
