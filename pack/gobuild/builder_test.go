package gobuild

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/scratchpack/scratchpack/pack"
)

// builder is a Builder for the module's testdata/hello-go, for flags,
// with CGO_ENABLED=0 and a fixed SOURCE_DATE_EPOCH.
func builder(t *testing.T, f Flags) *Builder {
	t.Helper()
	dir := "../../testdata/hello-go"
	c, err := LoadConfig(dir, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	environ := append(os.Environ(), "CGO_ENABLED=0", "SOURCE_DATE_EPOCH=1700000000")
	b, err := NewBuilder(context.Background(), dir, environ, c, f, t.TempDir(), time.Unix(1700000000, 0), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// layerFile returns the contents of the file at name (no leading /) in
// the image's one layer.
func layerFile(t *testing.T, img v1.Image, name string) []byte {
	t.Helper()
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 {
		t.Fatalf("%d layers (%v), want 1", len(layers), err)
	}
	rc, err := layers[0].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			t.Fatalf("no %s in the layer", name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == name {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
}

// A Builder loads a main package, builds it for each platform and packs
// the binaries into an index of one valid image per platform, as ko's:
// the binary (byte for byte what Build made) at /ko-app/NAME as the
// entrypoint, its directory on the PATH, KO_DATA_PATH set, arm64 with no
// variant; the same inputs give the same digest.
func TestBuilderImage(t *testing.T) {
	ctx := context.Background()
	b := builder(t, Flags{Platform: "linux/amd64,linux/arm64"})
	pkgs, err := b.Load(ctx, []string{"."})
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 1 || pkgs[0].ImportPath != "github.com/scratchpack/scratchpack/testdata/hello-go" || pkgs[0].Ref != "." {
		t.Fatalf("Load: %+v", pkgs)
	}
	plats, err := b.Platforms()
	if err != nil || len(plats) != 2 {
		t.Fatalf("Platforms: %v, %v", plats, err)
	}
	res, err := b.Image(ctx, pkgs[0], plats, "", pack.PackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	idx, ok := res.Artifact.(v1.ImageIndex)
	if !ok {
		t.Fatalf("two platforms made a %T, want an index", res.Artifact)
	}
	if err := validate.Index(idx); err != nil {
		t.Fatalf("the index is not valid: %v", err)
	}
	if len(res.Images) != 2 {
		t.Fatalf("%d images, want one per platform", len(res.Images))
	}
	for i, built := range res.Images {
		if err := validate.Image(built.Image); err != nil {
			t.Errorf("%s: the image is not valid: %v", plats[i], err)
		}
		cf, err := built.Image.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cf.Architecture != plats[i].Architecture || cf.Variant != "" {
			t.Errorf("image %d: %s/%s, want %s with no variant", i, cf.Architecture, cf.Variant, plats[i])
		}
		c := cf.Config
		if !slices.Equal(c.Entrypoint, []string{"/ko-app/hello-go"}) {
			t.Errorf("%s: entrypoint %q, want /ko-app/hello-go", plats[i], c.Entrypoint)
		}
		var path string
		for _, kv := range c.Env {
			if p, ok := strings.CutPrefix(kv, "PATH="); ok {
				path = p
			}
		}
		if !slices.Contains(strings.Split(path, ":"), "/ko-app") || !slices.Contains(c.Env, "KO_DATA_PATH="+KodataRoot) {
			t.Errorf("%s: env %q, want /ko-app on the PATH and KO_DATA_PATH=%s", plats[i], c.Env, KodataRoot)
		}
		bin, err := b.Build(ctx, pkgs[0], plats[i])
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if got := layerFile(t, built.Image, "ko-app/hello-go"); !bytes.Equal(got, want) {
			t.Errorf("%s: /ko-app/hello-go is %d bytes, not the %d Build made", plats[i], len(got), len(want))
		}
	}
	first, err := res.Artifact.Digest()
	if err != nil {
		t.Fatal(err)
	}
	again, err := builder(t, Flags{Platform: "linux/amd64,linux/arm64"}).Image(ctx, pkgs[0], plats, "", pack.PackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if d, err := again.Artifact.Digest(); err != nil || d != first {
		t.Errorf("a second Builder made %v (%v), the first %v", d, err, first)
	}
}

// A package that does not build fails its Image with one line naming
// it, its platform and go build (the compiler's lines go to the log),
// and nothing is packed.
func TestBuilderImageBuildFails(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for name, data := range map[string]string{
		"go.mod":  "module example.com/broken\n\ngo 1.21\n",
		"main.go": "package main\n\nfunc main() { undefined() }\n",
	} {
		if err := os.WriteFile(dir+"/"+name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := LoadConfig(dir, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewBuilder(ctx, dir, append(os.Environ(), "CGO_ENABLED=0"), c, Flags{Platform: "linux/amd64"}, t.TempDir(), time.Unix(1700000000, 0), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := b.Load(ctx, []string{"."})
	if err != nil {
		t.Fatal(err)
	}
	plats, _ := b.Platforms()
	res, err := b.Image(ctx, pkgs[0], plats, "", pack.PackOptions{})
	if err == nil {
		res.Close()
		t.Fatal("a package that does not compile made an image")
	}
	if msg := err.Error(); !strings.Contains(msg, ". for linux/amd64: go build") || strings.Contains(msg, "\n") {
		t.Errorf("error %q, want one line naming the package, its platform and go build", msg)
	}
}
