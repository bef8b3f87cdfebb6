package options

import (
	"errors"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/scratchpack/scratchpack/internal/cli"
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
		if got := f.Compression(c.dest); got != c.want {
			t.Errorf("%v to %+v: compression %s, want %s", c.args, c.dest, got, c.want)
		}
	}
}

// TestImagePackOptions: the arguments after -- are the Cmd,
// SOURCE_DATE_EPOCH dates the layer and the config (the epoch when
// unset), GOROOT goes to the essentials, --no-essentials drops the base
// files, and a --user none of the essential users is refused only when
// they are the essentials' (checkUser).
func TestImagePackOptions(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	var f Image
	if err := parse(t, f.AddFlags, "--entrypoint", "/bin/app", "--env", "A=1", "--label", "k=v"); err != nil {
		t.Fatal(err)
	}
	o, err := f.PackOptions([]string{"serve", "--port=80"}, env(map[string]string{"SOURCE_DATE_EPOCH": "1700000000", "GOROOT": "/go"}), true)
	switch {
	case err != nil:
		t.Fatal(err)
	case strings.Join(o.Config.Cmd, " ") != "serve --port=80" || o.Config.Entrypoint[0] != "/bin/app" || o.Config.Env[0] != "A=1" || o.Config.Labels["k"] != "v":
		t.Errorf("config %+v", o.Config)
	case o.Layer.ModTime.Unix() != 1700000000 || !o.Config.Created.Equal(o.Layer.ModTime):
		t.Errorf("dated %v and %v, want 1700000000", o.Layer.ModTime, o.Config.Created)
	case o.Essentials.GoRoot != "/go" || !o.Essentials.Base || o.Layer.Compression != layer.Gzip:
		t.Errorf("essentials %+v, compression %s", o.Essentials, o.Layer.Compression)
	}
	if o, err := f.PackOptions(nil, env(nil), true); err != nil || o.Layer.ModTime.Unix() != 0 || o.Config.Cmd != nil {
		t.Errorf("no environment: %v, %v, cmd %v; want the epoch", o.Layer.ModTime, err, o.Config.Cmd)
	}
	if _, err := f.PackOptions(nil, env(map[string]string{"SOURCE_DATE_EPOCH": "yesterday"}), true); err == nil || !strings.Contains(err.Error(), "SOURCE_DATE_EPOCH") {
		t.Errorf("SOURCE_DATE_EPOCH=yesterday: %v", err)
	}

	var n Image
	if err := parse(t, n.AddFlags, "--no-essentials", "--user", "nobody"); err != nil {
		t.Fatal(err)
	}
	if _, err := n.PackOptions(nil, env(nil), true); !errors.As(err, new(*cli.UsageError)) || !strings.HasPrefix(err.Error(), "--user") {
		t.Errorf("--user nobody with no essentials: %v, want a usage error naming --user", err)
	}
	if o, err := n.PackOptions(nil, env(nil), false); err != nil || o.Essentials.Base || o.Config.User != "nobody" {
		t.Errorf("--user nobody from an image's users: %+v, %v", o.Essentials, err)
	}
}

// TestImageFlags refuses what is not a value of each flag, and ko's
// spellings set what pack's set.
func TestImageFlags(t *testing.T) {
	for _, bad := range [][]string{
		{"--workdir", "rel"}, {"--env", "=x"}, {"--label", "novalue"}, {"--compression", "xz"},
		{"--tzdata", "sometimes"}, {"--expose", "http"}, {"--add", "nodst"},
	} {
		var f Image
		if err := parse(t, f.AddFlags, bad...); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	var f Image
	add := func(fs *pflag.FlagSet) { f.AddFlags(fs); f.AddKoFlags(fs) }
	if err := parse(t, add, "--image-label", "a=1,b=2", "--image-annotation", "c=3", "--image-user", "65534", "--workdir", "/srv"); err != nil {
		t.Fatal(err)
	}
	c := f.Options.Config
	if c.Labels["a"] != "1" || c.Labels["b"] != "2" || c.Annotations["c"] != "3" || c.User != "65534" || c.WorkingDir != "/srv" {
		t.Errorf("config %+v", c)
	}
	if err := parse(t, add, "--image-label", "a=1,b"); err == nil || !strings.Contains(err.Error(), `"b"`) {
		t.Errorf("--image-label a=1,b: %v, want the bad item named", err)
	}
}
