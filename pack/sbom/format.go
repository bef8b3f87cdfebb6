package sbom

import (
	"fmt"
	"io"
)

// Format is an SBOM format.
type Format string

// The formats: SPDX 2.3 JSON, CycloneDX 1.5 JSON, or no SBOM.
const (
	SPDX      Format = "spdx"
	CycloneDX Format = "cyclonedx"
	None      Format = "none"
)

// ParseFormat parses spdx, cyclonedx or none.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case SPDX, CycloneDX, None:
		return f, nil
	}
	return "", fmt.Errorf("want spdx, cyclonedx or none")
}

// MediaType is the format's media type, the artifact type of an
// attached SBOM.
func (f Format) MediaType() string {
	if f == CycloneDX {
		return MediaTypeCycloneDX
	}
	return MediaTypeSPDX
}

// Ext is the file name extension of a document in the format.
func (f Format) Ext() string {
	if f == CycloneDX {
		return ".cdx.json"
	}
	return ".spdx.json"
}

// Write writes img in the format.
func (f Format) Write(w io.Writer, img *Image) error {
	switch f {
	case SPDX:
		return WriteSPDX(w, img)
	case CycloneDX:
		return WriteCycloneDX(w, img)
	}
	return fmt.Errorf("no SBOM format %q", f)
}
