package main

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// TestBuildOutputsLikeKo builds one import path for two platforms and
// checks what ko writes: --image-refs lists the index and then each
// platform's image, by digest, as the layout holds them; --sbom-dir
// names the files after the program, NAME-linux-arm64.spdx.json and
// NAME-index.spdx.json, the index's naming each platform's image as its
// variant, in a directory build makes as ko does; arm64 has no variant; with no SOURCE_DATE_EPOCH created is the
// zero time, and the config has an author.
func TestBuildOutputsLikeKo(t *testing.T) {
	t.Parallel() // its runs work in a directory: each in a process of its own (see spIn)
	dir := koModule(t)
	wd := dir
	out := t.TempDir()
	lay, sboms, refs := filepath.Join(out, "layout"), filepath.Join(out, "sboms"), filepath.Join(out, "refs")
	_, stderr, code := spIn(wd, map[string]string{"KO_DOCKER_REPO": "r.example/me"}, "build", "-q", "--push=false", "--platform", "linux/amd64,linux/arm64",
		"--oci-layout-path", lay, "--sbom-dir", sboms, "--image-refs", refs, "./cmd/app")
	if code != 0 {
		t.Fatalf("build: exit %d: %s", code, stderr)
	}
	lp, err := layout.FromPath(lay)
	if err != nil {
		t.Fatal(err)
	}
	top, err := lp.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	tm, err := top.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var idxDigest v1.Hash
	for _, m := range tm.Manifests {
		if n := m.Annotations["org.opencontainers.image.ref.name"]; m.MediaType.IsIndex() && !strings.Contains(n, ":sha256-") {
			idxDigest = m.Digest
		}
	}
	idx, err := top.ImageIndex(idxDigest)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) != 2 {
		t.Fatalf("the index: %v %+v", err, im)
	}
	sum := md5.Sum([]byte("example.com/app/cmd/app"))
	repo := "r.example/me/app-" + hex.EncodeToString(sum[:])
	want := []string{repo + "@" + idxDigest.String()}
	for _, m := range im.Manifests {
		want = append(want, repo+"@"+m.Digest.String())
		if m.Platform.Architecture == "arm64" && m.Platform.Variant != "" {
			t.Errorf("arm64's variant is %q in the index, want none, as ko's", m.Platform.Variant)
		}
		img, err := idx.Image(m.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cf.Variant != "" || !cf.Created.IsZero() || cf.Author == "" {
			t.Errorf("%s config: variant %q, created %v, author %q; want no variant, 0001-01-01 and an author", m.Platform, cf.Variant, cf.Created, cf.Author)
		}
	}
	if got := readFile(t, refs); got != strings.Join(want, "\n")+"\n" {
		t.Errorf("--image-refs wrote\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	entries, err := os.ReadDir(sboms)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"app-index.spdx.json", "app-linux-amd64.spdx.json", "app-linux-arm64.spdx.json"}) {
		t.Errorf("--sbom-dir holds %v, want app-index, app-linux-amd64 and app-linux-arm64 .spdx.json", names)
	}
	var doc struct {
		DocumentDescribes []string
		Packages          []struct{ SPDXID, Name string }
		Relationships     []struct{ SpdxElementID, RelationshipType, RelatedSpdxElement string }
	}
	if err := json.Unmarshal([]byte(readFile(t, filepath.Join(sboms, "app-index.spdx.json"))), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Packages) != 3 || doc.Packages[0].Name != idxDigest.String() || len(doc.Relationships) != 2 {
		t.Fatalf("the index's SBOM: %+v", doc)
	}
	for i, r := range doc.Relationships {
		if r.RelationshipType != "VARIANT_OF" || r.SpdxElementID != doc.Packages[0].SPDXID || r.RelatedSpdxElement != "SPDXRef-Package-sha256-"+im.Manifests[i].Digest.Hex {
			t.Errorf("relationship %d: %+v", i, r)
		}
	}
}
