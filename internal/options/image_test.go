package options

import (
	"testing"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/pack/layer"
	"github.com/scratchpack/scratchpack/pack/transport"
)

// TestLayerForTheDaemonIsUncompressed: with the Docker daemon as the only
// destination the layer is not compressed, unless --compression says so;
// any other destination keeps the default, gzip.
func TestLayerForTheDaemonIsUncompressed(t *testing.T) {
	cases := []struct {
		args []string
		dest transport.Destinations
		want layer.Compression
	}{
		{nil, transport.Destinations{Daemon: true}, layer.None},
		{nil, transport.Destinations{Daemon: true, ImageRefs: "refs", MetadataFile: "meta.json"}, layer.None},
		{[]string{"--compression", "gzip"}, transport.Destinations{Daemon: true}, layer.Gzip},
		{[]string{"--compression", "zstd"}, transport.Destinations{Daemon: true}, layer.Zstd},
		{nil, transport.Destinations{Daemon: true, Push: true}, layer.Gzip},
		{nil, transport.Destinations{Daemon: true, Tarball: "img.tar"}, layer.Gzip},
		{nil, transport.Destinations{Daemon: true, Layout: "dir"}, layer.Gzip},
		{nil, transport.Destinations{Tarball: "img.tar"}, layer.Gzip},
		{nil, transport.Destinations{Push: true}, layer.Gzip},
	}
	for _, c := range cases {
		var f Image
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		f.AddFlags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		o := f.Options
		f.ForDestinations(&o, c.dest)
		if got := o.Layer.Compression; got != c.want {
			t.Errorf("%v to %+v: compression %s, want %s", c.args, c.dest, got, c.want)
		}
	}
}
