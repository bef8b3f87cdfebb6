package sbom

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// MediaTypeSPDX is the media type (and artifact type) of an SPDX JSON
// document.
const MediaTypeSPDX = "application/spdx+json"

type spdxDoc struct {
	SPDXVersion       string             `json:"spdxVersion"`
	DataLicense       string             `json:"dataLicense"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentNamespace string             `json:"documentNamespace"`
	CreationInfo      spdxCreation       `json:"creationInfo"`
	DocumentDescribes []string           `json:"documentDescribes"`
	Packages          []spdxPackage      `json:"packages"`
	Files             []spdxFile         `json:"files"`
	Relationships     []spdxRelationship `json:"relationships"`
}

type spdxCreation struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

type spdxPackage struct {
	SPDXID                string            `json:"SPDXID"`
	Name                  string            `json:"name"`
	VersionInfo           string            `json:"versionInfo,omitempty"`
	Supplier              string            `json:"supplier,omitempty"`
	DownloadLocation      string            `json:"downloadLocation"`
	FilesAnalyzed         bool              `json:"filesAnalyzed"`
	SourceInfo            string            `json:"sourceInfo,omitempty"`
	LicenseConcluded      string            `json:"licenseConcluded"`
	LicenseDeclared       string            `json:"licenseDeclared"`
	CopyrightText         string            `json:"copyrightText"`
	Comment               string            `json:"comment,omitempty"`
	PrimaryPackagePurpose string            `json:"primaryPackagePurpose,omitempty"`
	ExternalRefs          []spdxExternalRef `json:"externalRefs,omitempty"`
	Checksums             []spdxChecksum    `json:"checksums,omitempty"`
}

type spdxExternalRef struct {
	ReferenceCategory string `json:"referenceCategory"`
	ReferenceType     string `json:"referenceType"`
	ReferenceLocator  string `json:"referenceLocator"`
}

type spdxChecksum struct {
	Algorithm     string `json:"algorithm"`
	ChecksumValue string `json:"checksumValue"`
}

type spdxFile struct {
	SPDXID            string         `json:"SPDXID"`
	FileName          string         `json:"fileName"`
	FileTypes         []string       `json:"fileTypes"`
	Checksums         []spdxChecksum `json:"checksums"`
	LicenseConcluded  string         `json:"licenseConcluded"`
	CopyrightText     string         `json:"copyrightText"`
	Comment           string         `json:"comment,omitempty"`
	LicenseInfoInFile []string       `json:"licenseInfoInFiles"`
}

type spdxRelationship struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

const noAssertion = "NOASSERTION"

var notIDChar = regexp.MustCompile(`[^a-zA-Z0-9.-]+`)

// spdxID makes an SPDX identifier of its parts.
func spdxID(parts ...string) string {
	return "SPDXRef-" + strings.Trim(notIDChar.ReplaceAllString(strings.Join(parts, "-"), "-"), "-")
}

// WriteSPDX writes img as an SPDX 2.3 JSON document: the image package
// describes the program package; the program depends on its loader and
// libraries (and on its Go modules); each distro package contains its
// files; the image contains every file.
func WriteSPDX(w io.Writer, img *Image) error {
	imageID, progID := "SPDXRef-Image", "SPDXRef-Program"
	d := spdxDoc{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: "SPDXRef-DOCUMENT", Name: img.Name,
		DocumentNamespace: "https://github.com/scratchpack/scratchpack/spdx/" + notIDChar.ReplaceAllString(img.Name, "-") + "/" + strings.TrimPrefix(img.Digest, "sha256:"),
		CreationInfo:      spdxCreation{Created: img.Created.UTC().Format(time.RFC3339), Creators: []string{"Tool: " + img.Tool}},
		DocumentDescribes: []string{imageID},
	}
	rel := func(a, typ, b string) { d.Relationships = append(d.Relationships, spdxRelationship{a, typ, b}) }
	rel("SPDXRef-DOCUMENT", "DESCRIBES", imageID)
	d.Packages = append(d.Packages, spdxPackage{
		SPDXID: imageID, Name: img.Name, VersionInfo: img.Digest, DownloadLocation: noAssertion,
		LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion,
		PrimaryPackagePurpose: "CONTAINER", Comment: "platform " + img.Platform,
		ExternalRefs: []spdxExternalRef{{"PACKAGE-MANAGER", "purl", ociPURL(img)}},
	})
	rel(imageID, "DESCRIBES", progID)
	prog := spdxPackage{
		SPDXID: progID, Name: img.Program, DownloadLocation: noAssertion,
		LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion, PrimaryPackagePurpose: "APPLICATION",
	}
	if bi := img.Go; bi != nil {
		prog.Name, prog.VersionInfo, prog.Comment = bi.Main.Path, bi.Main.Version, goComment(bi)
		prog.ExternalRefs = []spdxExternalRef{{"PACKAGE-MANAGER", "purl", goPURL(bi.Main.Path, bi.Main.Version)}}
		for _, m := range goDeps(bi) {
			id := spdxID("Go", m.Path, m.Version)
			d.Packages = append(d.Packages, spdxPackage{
				SPDXID: id, Name: m.Path, VersionInfo: m.Version, DownloadLocation: noAssertion,
				LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion,
				PrimaryPackagePurpose: "LIBRARY", Comment: strings.TrimSpace("go.sum " + m.Sum),
				ExternalRefs: []spdxExternalRef{{"PACKAGE-MANAGER", "purl", goPURL(m.Path, m.Version)}},
			})
			rel(progID, "DEPENDS_ON", id)
		}
		if v, purl := goStdlib(bi); v != "" {
			id := spdxID("Go", "stdlib", v)
			d.Packages = append(d.Packages, spdxPackage{
				SPDXID: id, Name: "stdlib", VersionInfo: v, DownloadLocation: noAssertion,
				LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion,
				PrimaryPackagePurpose: "LIBRARY", Comment: "the Go standard library",
				ExternalRefs: []spdxExternalRef{{"PACKAGE-MANAGER", "purl", purl}},
			})
			rel(progID, "DEPENDS_ON", id)
		}
	}
	d.Packages = append(d.Packages, prog)
	pkgIDs := map[*Package]string{}
	for _, p := range img.packages() {
		pkgIDs[p] = spdxID("Package", p.Type, p.Name, p.Arch)
	}
	// Each distribution is an operating-system package the image
	// contains, which contains its packages: Trivy knows an element by its
	// SPDXID's prefix (OperatingSystem-), other readers by its purpose,
	// which the SPDX 2.3 JSON schema spells OPERATING_SYSTEM (the spec's
	// prose, OPERATING-SYSTEM, is not valid JSON SPDX).
	for _, sys := range img.systems() {
		id := spdxID("OperatingSystem", sys.ref())
		d.Packages = append(d.Packages, spdxPackage{
			SPDXID: id, Name: sys.Name, VersionInfo: sys.Version, DownloadLocation: noAssertion,
			LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion,
			PrimaryPackagePurpose: "OPERATING_SYSTEM",
		})
		rel(imageID, "CONTAINS", id)
		for _, p := range sys.Packages {
			rel(id, "CONTAINS", pkgIDs[p])
		}
	}
	for _, p := range img.packages() {
		id := pkgIDs[p]
		sp := spdxPackage{
			SPDXID: id, Name: p.Name, VersionInfo: p.Version, DownloadLocation: noAssertion,
			LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion,
			PrimaryPackagePurpose: "LIBRARY",
			ExternalRefs:          []spdxExternalRef{{"PACKAGE-MANAGER", "purl", p.PURL()}},
		}
		if p.License != "" {
			sp.LicenseDeclared = p.License
		}
		if p.Maintainer != "" {
			sp.Supplier = "Person: " + p.Maintainer
		}
		// As Trivy reads it: the source's name and version, which its
		// advisories name.
		sp.SourceInfo = "built package from: " + p.SourceName() + " " + p.SourceVersionOrVersion()
		d.Packages = append(d.Packages, sp)
	}
	for i, f := range img.Files {
		id := spdxID("File", fmt.Sprint(i+1))
		typ := "OTHER"
		if f.Kind != KindFile && f.Kind != KindData {
			typ = "BINARY"
		}
		sf := spdxFile{
			SPDXID: id, FileName: "." + f.Path, FileTypes: []string{typ},
			Checksums:        []spdxChecksum{{"SHA1", f.SHA1}, {"SHA256", f.SHA256}},
			LicenseConcluded: noAssertion, CopyrightText: noAssertion, LicenseInfoInFile: []string{noAssertion}, Comment: f.Kind,
		}
		if f.Package == nil {
			sf.Comment += "; owned by no package"
		}
		d.Files = append(d.Files, sf)
		rel(imageID, "CONTAINS", id)
		switch f.Kind {
		case KindProgram:
			rel(progID, "CONTAINS", id)
		case KindLoader, KindLibrary:
			rel(progID, "DEPENDS_ON", id)
		case KindData:
			rel(id, "DATA_FILE_OF", progID)
		}
		if f.Package != nil {
			rel(pkgIDs[f.Package], "CONTAINS", id)
		}
	}
	b, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
