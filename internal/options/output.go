package options

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// Output says where pack's images go.
type Output struct {
	Tags     []name.Tag
	Dest     transport.Destinations
	Registry Registry
	SBOM     SBOM
}

// AddFlags registers -t, -o, --oci-layout, --push, --docker,
// --image-refs, --metadata-file, the registry flags and the SBOM flags.
func (f *Output) AddFlags(fs *pflag.FlagSet) {
	cli.FlagFunc(fs, "tag", "t", "NAME[:TAG],...", "", "image names and tags (repeatable or comma-separated; default scratchpack.local/BINARY:latest)", func(s string) error {
		for _, ref := range strings.Split(s, ",") {
			if strings.Contains(ref, "@") {
				return fmt.Errorf("give a tag, not a digest: the digest is what pack prints")
			}
			t, err := name.NewTag(strings.TrimSpace(ref))
			if err != nil {
				return fmt.Errorf("%q is not an image name (want NAME[:TAG], lower case): %v", ref, err)
			}
			f.Tags = append(f.Tags, t)
		}
		return nil
	})
	fs.StringVarP(&f.Dest.Tarball, "output", "o", "", "write a docker-archive tarball (for docker load) to `FILE`; - is stdout")
	fs.StringVar(&f.Dest.Layout, "oci-layout", "", "create or add to the OCI image layout `DIR`")
	fs.BoolVar(&f.Dest.Push, "push", false, "push to the registry named in each -t")
	fs.BoolVar(&f.Dest.Daemon, "docker", false, "load into the local Docker daemon")
	fs.StringVar(&f.Dest.ImageRefs, "image-refs", "", "write REF@DIGEST for every tag to `FILE`, as ko and crane do")
	fs.StringVar(&f.Dest.MetadataFile, "metadata-file", "", "write what was made to `FILE` as JSON: tags, digests, image IDs and layers per platform")
	f.Registry.AddFlags(fs)
	f.SBOM.AddFlags(fs)
}

// Validate refuses an output flag set that cannot work whatever is
// packed: no destination, or --push with no -t to name the registry.
func (f *Output) Validate() error {
	switch {
	case f.Dest.Empty():
		return cli.Usagef("nothing to write; give -o FILE, --oci-layout DIR, --push or --docker")
	case f.Dest.Push && len(f.Tags) == 0:
		return cli.Usagef("--push needs -t REGISTRY/REPOSITORY:TAG")
	}
	return nil
}

// LocalDomain is the registry part of the name an image gets with no
// -t: scratchpack.local/NAME:latest. With a dot, the first part of a name
// is a registry host, so the daemon never takes it for Docker Hub's NAME
// (curl:latest would shadow docker.io/library/curl after docker load);
// .local is mDNS's (RFC 6762), so no public registry is named so; ko
// names its local images ko.local for the same reason.
const LocalDomain = "scratchpack.local"

// Names returns the tags, or LocalDomain/NAME:latest with NAME made from
// the program's path in the image.
func (f *Output) Names(imagePath string) []name.Tag {
	if len(f.Tags) > 0 {
		return f.Tags
	}
	t, _ := name.NewTag(LocalDomain + "/" + pack.DefaultRepository(imagePath) + ":latest")
	return []name.Tag{t}
}
