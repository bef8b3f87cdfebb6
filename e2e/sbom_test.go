package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestSBOMAttachedOnPush pushes Debian's curl to the registry, which has
// no referrers API: the SBOM is an artifact listed under the sha256-HEX
// fallback tag of the image's digest, and scratchpack sbom finds it from
// the image's tag and prints it.
func TestSBOMAttachedOnPush(t *testing.T) {
	need(t)
	ref := h.registry + "/sbom/curl:1"
	out := scratchpack(t, "pack", "-q", "-t", ref, "--push", "/usr/bin/curl")
	digest := strings.TrimSpace(out[strings.LastIndex(out, "@")+1:])
	raw := must(t, nil, "skopeo", "inspect", "--raw", "--tls-verify=false",
		"docker://"+h.registry+"/sbom/curl:"+strings.Replace(digest, ":", "-", 1))
	var idx struct {
		Manifests []struct{ ArtifactType string }
	}
	if err := json.Unmarshal([]byte(raw), &idx); err != nil {
		t.Fatal(err)
	}
	if len(idx.Manifests) != 1 || idx.Manifests[0].ArtifactType != "application/spdx+json" {
		t.Fatalf("fallback tag index: %s", raw)
	}
	var doc struct {
		SPDXVersion string
		Packages    []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(scratchpack(t, "sbom", ref)), &doc); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, p := range doc.Packages {
		names[p.Name] = true
	}
	if doc.SPDXVersion != "SPDX-2.3" || !names["libcurl4"] || !names["libc6"] {
		t.Errorf("sbom printed a document of %s with packages %v", doc.SPDXVersion, names)
	}
	// Pushed again, the fallback index still lists one SBOM.
	scratchpack(t, "pack", "-q", "-t", ref, "--push", "/usr/bin/curl")
	raw = must(t, nil, "skopeo", "inspect", "--raw", "--tls-verify=false",
		"docker://"+h.registry+"/sbom/curl:"+strings.Replace(digest, ":", "-", 1))
	if err := json.Unmarshal([]byte(raw), &idx); err != nil || len(idx.Manifests) != 1 {
		t.Errorf("after a second push the fallback index is %s", raw)
	}
}
