package e2e

import (
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// TestForeignLayerURLNeverFetched pushes to a registry on 127.0.0.1 an
// image whose layer is a foreign layer: the registry does not hold it,
// and its descriptor names a url on another server of ours that serves
// the right bytes. go-containerregistry alone would fetch them from there;
// pack --from, verify and inspect must exit 1 with one line naming the
// layer, never ask for the url, and pack must write no output.
func TestForeignLayerURLNeverFetched(t *testing.T) {
	need(t)
	body := tarOfApp(t, "good")
	var hits atomic.Int64
	elsewhere := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Write(body)
	}))
	host := serve(t, registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	layer := static.NewLayer(body, types.DockerForeignLayer)
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: layer, URLs: []string{"http://localhost:" + port(elsewhere) + "/layer.tar"}}) // go-containerregistry refuses 127.0.0.1, not its name
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf.OS, cf.Architecture, cf.Config.Entrypoint = "linux", "amd64", []string{"/bin/app"}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(host + "/e2e/foreign:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil { // foreign layers are not uploaded
		t.Fatal(err)
	}
	ld, err := layer.Digest()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	env := []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	out := filepath.Join(dir, "out.tar")
	for _, args := range [][]string{
		{"pack", "--from", tag.String(), "-o", out, "/bin/app"},
		{"verify", tag.String()},
		{"inspect", tag.String()},
	} {
		r := run(t, env, h.bin, args...)
		t.Logf("scratchpack %s: exit %d: %s", args[0], r.code, strings.TrimSpace(r.stderr))
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.code != 1 || len(lines) != 1 || !strings.Contains(r.stderr, ld.String()) || r.stdout != "" {
			t.Errorf("scratchpack %s: exit %d, stdout %q, stderr %q; want exit 1, no output, one line naming layer %s",
				strings.Join(args, " "), r.code, r.stdout, r.stderr, ld)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the layer's url was fetched %d times", n)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("pack wrote %s", out)
	}
}

// serve serves handler on 127.0.0.1 until the test ends and returns its
// host:port.
func serve(t *testing.T, handler http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// port is the port of host:port.
func port(hostport string) string {
	_, p, _ := net.SplitHostPort(hostport)
	return p
}
