package sbom

import (
	"fmt"
	"runtime/debug"

	"github.com/scratchpack/scratchpack/elfscan"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/plan"
)

// source is where a planned file is read from.
type source struct {
	root *elfscan.Root
	path string
}

// kinds says what resolution found each source to be.
func kinds(r *elfscan.Report) map[source]string {
	out := map[source]string{}
	if r.Loader != nil {
		out[source{r.Loader.Root, r.Loader.RealPath}] = KindLoader
	}
	for _, l := range r.Libraries {
		out[source{l.Root, l.RealPath}] = KindLibrary
	}
	for _, d := range r.DataFiles {
		out[source{d.Root, d.RealPath}] = KindData
	}
	return out
}

// Describe describes b's image for an SBOM named name, made by tool:
// every regular file of the layer with its checksums (the layer must have
// been built with layer.Options.HashFiles), what each is, and the package
// that owns it in the root it came from.
func Describe(b *pack.Built, name, tool string) (*Image, error) {
	if b.Layer.Files == nil {
		return nil, fmt.Errorf("the layer was built without file checksums (layer.Options.HashFiles)")
	}
	digest, err := b.Image.Digest()
	if err != nil {
		return nil, err
	}
	cf, err := b.Image.ConfigFile()
	if err != nil {
		return nil, err
	}
	img := &Image{Name: name, Digest: digest.String(), Platform: b.Platform.OS + "/" + b.Platform.Architecture, Created: cf.Created.Time, Tool: tool, Program: b.ImagePath}
	if b.Platform.Variant != "" {
		img.Platform += "/" + b.Platform.Variant
	}
	img.Go = goBuildInfo(b.Report)
	k := kinds(b.Report)
	owners, err := b.Owners()
	if err != nil {
		return nil, err
	}
	for _, e := range b.Plan.Entries() {
		if e.Type != plan.TypeFile {
			continue
		}
		sums := b.Layer.Files[e.Path]
		f := File{Path: e.Path, SHA1: sums.SHA1, SHA256: sums.SHA256, Kind: KindFile}
		if e.Source != "" {
			if e.Path == b.ImagePath {
				f.Kind = KindProgram
			} else if kind, ok := k[source{e.Root, e.Source}]; ok {
				f.Kind = kind
			}
			f.Package = owners[e.Path]
		}
		img.Files = append(img.Files, f)
	}
	return img, nil
}

// goBuildInfo reads a Go program's build info, or nil for another
// program.
func goBuildInfo(r *elfscan.Report) *debug.BuildInfo {
	if r.Go == nil {
		return nil
	}
	return r.Go.Build // read by the scan, with the rest of the program
}

// Images describes each image of res (see Describe), named name, made by
// tool; the layers must have been built with layer.Options.HashFiles.
func Images(res *pack.Result, name, tool string) ([]*Image, error) {
	var out []*Image
	for _, b := range res.Images {
		s, err := Describe(b, name, tool)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}
