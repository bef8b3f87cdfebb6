package sbom

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// MediaTypeCycloneDX is the media type (and artifact type) of a CycloneDX
// JSON document.
const MediaTypeCycloneDX = "application/vnd.cyclonedx+json"

type cdxBOM struct {
	BOMFormat    string          `json:"bomFormat"`
	SpecVersion  string          `json:"specVersion"`
	SerialNumber string          `json:"serialNumber"`
	Version      int             `json:"version"`
	Metadata     cdxMetadata     `json:"metadata"`
	Components   []cdxComponent  `json:"components"`
	Dependencies []cdxDependency `json:"dependencies"`
}

type cdxMetadata struct {
	Timestamp string       `json:"timestamp"`
	Tools     cdxTools     `json:"tools"`
	Component cdxComponent `json:"component"`
}

type cdxTools struct {
	Components []cdxComponent `json:"components"`
}

type cdxComponent struct {
	BOMRef     string         `json:"bom-ref,omitempty"`
	Type       string         `json:"type"`
	Name       string         `json:"name"`
	Version    string         `json:"version,omitempty"`
	Publisher  string         `json:"publisher,omitempty"`
	PURL       string         `json:"purl,omitempty"`
	Licenses   []cdxLicense   `json:"licenses,omitempty"`
	Hashes     []cdxHash      `json:"hashes,omitempty"`
	Properties []cdxProperty  `json:"properties,omitempty"`
	Components []cdxComponent `json:"components,omitempty"`
}

type cdxLicense struct {
	Expression string `json:"expression"`
}

type cdxHash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type cdxDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn"`
}

// WriteCycloneDX writes img as a CycloneDX 1.5 JSON document: the image
// is the metadata's component; each distro package is a component that
// holds its files as components; files no package owns, the program and
// its Go modules are components of their own; the program depends on its
// loader, libraries and modules.
func WriteCycloneDX(w io.Writer, img *Image) error {
	sum := sha256.Sum256([]byte(img.Name + "@" + img.Digest))
	h := fmt.Sprintf("%x", sum[:16])
	bom := cdxBOM{
		BOMFormat: "CycloneDX", SpecVersion: "1.5", Version: 1,
		SerialNumber: fmt.Sprintf("urn:uuid:%s-%s-5%s-8%s-%s", h[:8], h[8:12], h[13:16], h[17:20], h[20:32]),
		Metadata: cdxMetadata{
			Timestamp: img.Created.UTC().Format(time.RFC3339),
			Tools:     cdxTools{Components: []cdxComponent{{Type: "application", Name: "scratchpack", Version: strings.TrimPrefix(img.Tool, "scratchpack-")}}},
			Component: cdxComponent{BOMRef: "image", Type: "container", Name: img.Name, Version: img.Digest, PURL: ociPURL(img),
				Properties: []cdxProperty{{"platform", img.Platform}}},
		},
	}
	prog := cdxComponent{BOMRef: "program", Type: "application", Name: img.Program}
	deps := cdxDependency{Ref: "program", DependsOn: []string{}}
	if bi := img.Go; bi != nil {
		prog.Name, prog.Version, prog.PURL = bi.Main.Path, bi.Main.Version, goPURL(bi.Main.Path, bi.Main.Version)
		prog.Properties = []cdxProperty{{"go", goComment(bi)}}
		for _, m := range goDeps(bi) {
			ref := goPURL(m.Path, m.Version)
			c := cdxComponent{BOMRef: ref, Type: "library", Name: m.Path, Version: m.Version, PURL: ref}
			if m.Sum != "" {
				c.Properties = []cdxProperty{{"go.sum", m.Sum}}
			}
			bom.Components = append(bom.Components, c)
			deps.DependsOn = append(deps.DependsOn, ref)
		}
		if v, purl := goStdlib(bi); v != "" {
			bom.Components = append(bom.Components, cdxComponent{BOMRef: purl, Type: "library", Name: "stdlib", Version: v, PURL: purl})
			deps.DependsOn = append(deps.DependsOn, purl)
		}
	}
	bom.Components = append(bom.Components, prog)
	byPkg := map[*Package]*cdxComponent{}
	var pkgs []*cdxComponent
	for _, p := range img.packages() {
		c := &cdxComponent{BOMRef: p.PURL(), Type: "library", Name: p.Name, Version: p.Version, PURL: p.PURL(), Publisher: p.Maintainer}
		if p.License != "" {
			c.Licenses = []cdxLicense{{p.License}}
		}
		// The source package, as Trivy reads it: its advisories name it.
		name, version, release, epoch := sourceFields(p)
		c.Properties = append(c.Properties, cdxProperty{"aquasecurity:trivy:SrcName", name}, cdxProperty{"aquasecurity:trivy:SrcVersion", version})
		if release != "" {
			c.Properties = append(c.Properties, cdxProperty{"aquasecurity:trivy:SrcRelease", release})
		}
		if epoch != "" {
			c.Properties = append(c.Properties, cdxProperty{"aquasecurity:trivy:SrcEpoch", epoch})
		}
		byPkg[p] = c
		pkgs = append(pkgs, c)
	}
	var loose []cdxComponent
	for _, f := range img.Files {
		c := cdxComponent{BOMRef: "file:" + f.Path, Type: "file", Name: f.Path,
			Hashes: []cdxHash{{"SHA-1", f.SHA1}, {"SHA-256", f.SHA256}}, Properties: []cdxProperty{{"kind", f.Kind}}}
		if f.Kind == KindLoader || f.Kind == KindLibrary || f.Kind == KindData {
			deps.DependsOn = append(deps.DependsOn, c.BOMRef)
		}
		if p := byPkg[f.Package]; p != nil {
			p.Components = append(p.Components, c)
		} else {
			loose = append(loose, c)
		}
	}
	for _, p := range pkgs {
		bom.Components = append(bom.Components, *p)
	}
	bom.Components = append(bom.Components, loose...)
	// Each distribution is an operating-system component the image
	// depends on, which depends on its packages, as Trivy writes and reads
	// it.
	imageDeps := cdxDependency{Ref: "image", DependsOn: []string{"program"}}
	bom.Dependencies = []cdxDependency{deps}
	for _, sys := range img.systems() {
		ref := "os:" + sys.ref()
		bom.Components = append(bom.Components, cdxComponent{BOMRef: ref, Type: "operating-system", Name: sys.Name, Version: sys.Version})
		imageDeps.DependsOn = append(imageDeps.DependsOn, ref)
		d := cdxDependency{Ref: ref, DependsOn: []string{}}
		for _, p := range sys.Packages {
			d.DependsOn = append(d.DependsOn, p.PURL())
		}
		bom.Dependencies = append(bom.Dependencies, d)
	}
	bom.Dependencies = append([]cdxDependency{imageDeps}, bom.Dependencies...)
	b, err := json.MarshalIndent(bom, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
