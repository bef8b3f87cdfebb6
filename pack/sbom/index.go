package sbom

import (
	"encoding/json"
	"io"
	"net/url"
	"path"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Index is what an index's SBOM describes: the index and the image of
// each platform, as ko's NAME-index.spdx.json does.
type Index struct {
	Name      string // the repository, or the program's name
	Digest    v1.Hash
	MediaType string
	Manifests []v1.Descriptor // the platforms' images, in the index's order
	Created   time.Time
	Tool      string
}

// WriteSPDXIndex writes the SPDX 2.3 JSON document of an index: a
// package for the index and one for each platform's image, each its
// VARIANT_OF, with the purls ko writes (pkg:oci/NAME@DIGEST?mediaType=,
// arch=, os=, variant=).
func WriteSPDXIndex(w io.Writer, idx *Index) error {
	id := func(h v1.Hash) string { return "SPDXRef-Package-" + h.Algorithm + "-" + h.Hex }
	name := path.Base(idx.Name)
	purl := func(h v1.Hash, q url.Values) string {
		return "pkg:oci/" + name + "@" + h.String() + "?" + q.Encode()
	}
	pkg := func(h v1.Hash, version, ref string) spdxPackage {
		return spdxPackage{
			SPDXID: id(h), Name: h.String(), VersionInfo: version, DownloadLocation: noAssertion,
			LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion,
			PrimaryPackagePurpose: "CONTAINER",
			ExternalRefs:          []spdxExternalRef{{ReferenceCategory: "PACKAGE-MANAGER", ReferenceType: "purl", ReferenceLocator: ref}},
			Checksums:             []spdxChecksum{{Algorithm: strings.ToUpper(h.Algorithm), ChecksumValue: h.Hex}},
		}
	}
	doc := spdxDoc{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT",
		Name:              "sbom-" + idx.Digest.String(),
		DocumentNamespace: "https://github.com/scratchpack/scratchpack/spdx/" + notIDChar.ReplaceAllString(idx.Name, "-") + "/index-" + idx.Digest.Hex,
		CreationInfo:      spdxCreation{Created: idx.Created.UTC().Format(time.RFC3339), Creators: []string{"Tool: " + idx.Tool}},
		DocumentDescribes: []string{id(idx.Digest)},
		Packages:          []spdxPackage{pkg(idx.Digest, "", purl(idx.Digest, url.Values{"mediaType": {idx.MediaType}}))},
		Files:             []spdxFile{},
		Relationships:     []spdxRelationship{},
	}
	for _, m := range idx.Manifests {
		q := url.Values{"mediaType": {string(m.MediaType)}}
		p := v1.Platform{}
		if m.Platform != nil {
			p = *m.Platform
		}
		q.Set("arch", p.Architecture)
		q.Set("os", p.OS)
		if p.Variant != "" {
			q.Set("variant", p.Variant)
		}
		doc.Packages = append(doc.Packages, pkg(m.Digest, p.String(), purl(m.Digest, q)))
		doc.Relationships = append(doc.Relationships, spdxRelationship{Element: id(idx.Digest), Type: "VARIANT_OF", Related: id(m.Digest)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
