package options

import (
	"testing"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/pack"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// TestLayerForTheDaemonIsUncompressed: with the Docker daemon as the only
// destination the layer is not compressed, unless --compression says so;
// any other destination keeps the default, gzip.
func TestLayerForTheDaemonIsUncompressed(t *testing.T) {
	cases := []struct {
		args []string
		dest transport.Destinations
		want pack.Compression
	}{
		{nil, transport.Destinations{Daemon: true}, pack.None},
		{nil, transport.Destinations{Daemon: true, ImageRefs: "refs", MetadataFile: "meta.json"}, pack.None},
		{[]string{"--compression", "gzip"}, transport.Destinations{Daemon: true}, pack.Gzip},
		{[]string{"--compression", "zstd"}, transport.Destinations{Daemon: true}, pack.Zstd},
		{nil, transport.Destinations{Daemon: true, Push: true}, pack.Gzip},
		{nil, transport.Destinations{Daemon: true, Tarball: "img.tar"}, pack.Gzip},
		{nil, transport.Destinations{Daemon: true, Layout: "dir"}, pack.Gzip},
		{nil, transport.Destinations{Tarball: "img.tar"}, pack.Gzip},
		{nil, transport.Destinations{Push: true}, pack.Gzip},
	}
	for _, c := range cases {
		var f Image
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		f.AddFlags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		if got := f.Compression(c.dest); got != c.want {
			t.Errorf("%v to %+v: compression %s, want %s", c.args, c.dest, got, c.want)
		}
	}
}
