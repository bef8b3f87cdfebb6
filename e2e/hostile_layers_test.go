package e2e

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/scratchpack/scratchpack/pack/imagefs"
)

// hent is one tar entry of a hostile layer.
type hent struct {
	name, body, link string
	typ              byte
	pax              map[string]string
}

func hreg(name, body string) hent { return hent{name: name, body: body, typ: tar.TypeReg} }
func hdir(name string) hent       { return hent{name: name, typ: tar.TypeDir} }
func hsym(name, to string) hent   { return hent{name: name, link: to, typ: tar.TypeSymlink} }
func hlink(name, to string) hent  { return hent{name: name, link: to, typ: tar.TypeLink} }

// hostileCases are multi-layer images that test how layers apply. Docker
// is the judge: what it makes of each is compared with what imagefs
// makes, and an image Docker refuses imagefs must refuse. policy marks an
// image Docker takes and imagefs refuses on purpose (a name climbing out
// of the root with "..", which Docker's chroot turns into a name inside).
var hostileCases = []struct {
	name   string
	layers [][]hent
	policy bool
}{
	{name: "abs-whiteout", layers: [][]hent{{hdir("etc"), hreg("etc/x", "low"), hreg("etc/y", "keep")}, {hreg("/etc/.wh.x", "")}}},
	{name: "abs-override", layers: [][]hent{{hdir("etc"), hreg("etc/x", "low")}, {hreg("/etc/x", "high")}}},
	{name: "dot-slashes", layers: [][]hent{{hreg("./etc//x", "x"), hreg("etc/./y", "y")}, {hreg("/etc//x", "x2")}}},
	{name: "dup", layers: [][]hent{{hreg("a", "1"), hreg("a", "2")}}},
	{name: "dup-dot-slash", layers: [][]hent{{hreg("./a", "1"), hreg("a", "2")}}},
	{name: "dup-dir-file", layers: [][]hent{{hdir("a"), hreg("a/x", "1"), hreg("a", "2")}}},
	{name: "dup-abs-last-wins", layers: [][]hent{{hreg("a", "1"), hreg("/a", "2")}}},
	{name: "opaque", layers: [][]hent{{hdir("d"), hreg("d/a", "a"), hreg("d/b", "b"), hreg("e", "e")}, {hreg("d/.wh..wh..opq", ""), hreg("d/c", "c")}}},
	{name: "opaque-after-child", layers: [][]hent{{hdir("d"), hreg("d/a", "a")}, {hreg("d/c", "c"), hreg("d/.wh..wh..opq", "")}}},
	{name: "opaque-xattr", layers: [][]hent{{hdir("d"), hreg("d/a", "a")}, {{name: "d", typ: tar.TypeDir, pax: map[string]string{"SCHILY.xattr.trusted.overlay.opaque": "y"}}, hreg("d/c", "c")}}},
	{name: "opaque-root", layers: [][]hent{{hreg("a", "a")}, {hreg(".wh..wh..opq", ""), hreg("b", "b")}}},
	{name: "dir-to-file", layers: [][]hent{{hdir("d"), hreg("d/x", "x"), hdir("d/sub"), hreg("d/sub/y", "y")}, {hreg("d", "file")}}},
	{name: "dir-to-symlink", layers: [][]hent{{hdir("d"), hreg("d/x", "x")}, {hsym("d", "/etc")}}},
	{name: "file-to-dir", layers: [][]hent{{hreg("d", "file")}, {hreg("d/x", "x")}}},
	{name: "whiteout-dir", layers: [][]hent{{hdir("d"), hreg("d/x", "x"), hreg("k", "k")}, {hreg(".wh.d", "")}}},
	{name: "whiteout-same-layer", layers: [][]hent{{hreg("a", "1"), hreg(".wh.a", "")}}},
	{name: "whiteout-empty-name", layers: [][]hent{{hdir("d"), hreg("d/.wh.", "")}}},
	{name: "whiteout-before-file", layers: [][]hent{{hreg(".wh.a", ""), hreg("a", "1")}}},
	{name: "whiteout-then-beneath", layers: [][]hent{{hdir("d"), hreg("d/x", "x")}, {hreg(".wh.d", ""), hreg("d/y", "y")}}},
	{name: "whiteout-of-nothing", layers: [][]hent{{hreg("a", "1"), hreg(".wh.zz", "")}}},
	{name: "char-0-0", layers: [][]hent{{hreg("a", "1"), hreg("b", "2")}, {{name: "a", typ: tar.TypeChar}}}},
	{name: "implied-parents", layers: [][]hent{{hreg("p/q/r", "r")}}},
	{name: "hardlink-then-overwrite", layers: [][]hent{{hreg("a", "1"), hlink("b", "a"), hreg("/a", "2")}}},
	{name: "hardlink-abs-through-symlink", layers: [][]hent{{hdir("d"), hreg("d/a", "1"), hsym("s", "d"), hlink("b", "/s/a")}}},
	{name: "hardlink-to-symlink", layers: [][]hent{{hsym("s", "/t"), hlink("b", "s")}}},
	{name: "hardlink-to-lower", layers: [][]hent{{hreg("a", "1")}, {hlink("b", "a")}}},
	{name: "hardlink-forward", layers: [][]hent{{hlink("b", "a"), hreg("a", "1")}}},
	{name: "hardlink-to-dir", layers: [][]hent{{hdir("d"), hlink("b", "d")}}},
	{name: "hardlink-climbs-out", layers: [][]hent{{hreg("a", "1"), hlink("b", "../../a")}}, policy: true},
	{name: "dotdot", layers: [][]hent{{hreg("../evil", "e")}}, policy: true},
	{name: "dotdot-inner", layers: [][]hent{{hdir("a"), hreg("a/../../evil", "e")}}, policy: true},
	{name: "dotdot-abs", layers: [][]hent{{hreg("/../evil", "e")}}, policy: true},
	{name: "dotdot-inside", layers: [][]hent{{hdir("a"), hreg("a/../b", "b")}}},
	{name: "long-name", layers: [][]hent{{hreg(strings.Repeat("n", 256), "x")}}},
	{name: "beneath-lower-symlink", layers: [][]hent{{hdir("d"), hsym("s", "d")}, {hreg("s/x/y", "y")}}},
	{name: "dir-over-lower-symlink", layers: [][]hent{{hdir("d"), hreg("d/a", "a")}, {hsym("s", "d")}, {hdir("s"), hreg("s/b", "b")}}},
	{name: "beneath-same-symlink", layers: [][]hent{{hdir("d"), hsym("s", "d"), hreg("s/x", "x")}}},
	{name: "escaping-symlink-inside", layers: [][]hent{{hdir("d"), hsym("s", "../../../d"), hreg("s/x", "x"), hsym("t", "/d"), hreg("t/y", "y")}}},
	{name: "beneath-dangling-symlink", layers: [][]hent{{hsym("s", "nowhere"), hreg("s/x", "x")}}},
	{name: "symlink-loop", layers: [][]hent{{hsym("s1", "s2"), hsym("s2", "s1"), hreg("s1/x", "x")}}},
	{name: "beneath-file", layers: [][]hent{{hreg("f", "1"), hreg("f/x", "2")}}},
	{name: "whiteout-beneath-lower-symlink", layers: [][]hent{{hdir("d"), hreg("d/x", "x"), hsym("s", "d")}, {hreg("s/.wh.x", "")}}},
	{name: "whiteout-named-dir", layers: [][]hent{{hreg("x", "1")}, {hdir(".wh.x/"), hreg(".wh.x/y", "y")}}},
	{name: "unknown-type", layers: [][]hent{{{name: "w", typ: 'Z'}}}},
	{name: "contiguous-type", layers: [][]hent{{{name: "w", typ: tar.TypeCont, body: "c"}}}},
	{name: "fifo", layers: [][]hent{{{name: "p", typ: tar.TypeFifo}}}},
}

func hostileLayer(t *testing.T, ents []hent) v1.Layer {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range ents {
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: 0o755, PAXRecords: e.pax}
		if e.body != "" || e.typ == tar.TypeReg {
			hdr.Size, hdr.Mode = int64(len(e.body)), 0o644
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, e.body)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestHostileLayersMatchDocker pushes each hostile image to the e2e
// registry, flattens it with docker pull, create and export, and requires
// imagefs to open the same file system from the registry (names, types,
// link targets, contents' sha256), or to refuse the image where Docker
// refuses it.
func TestHostileLayersMatchDocker(t *testing.T) {
	need(t)
	for _, c := range hostileCases {
		t.Run(c.name, func(t *testing.T) {
			img := empty.Image
			for _, l := range c.layers {
				var err error
				if img, err = mutate.AppendLayers(img, hostileLayer(t, l)); err != nil {
					t.Fatal(err)
				}
			}
			ref, err := name.ParseReference(fmt.Sprintf("%s/e2e/hostile-%s:%d", h.registry, c.name, os.Getpid()))
			if err != nil {
				t.Fatal(err)
			}
			if err := remote.Write(ref, img); err != nil {
				t.Fatal(err)
			}
			docker, derr := dockerFlatten(t, ref.String())
			ours, oerr := imagefsFlatten(t, ref)
			t.Logf("docker: %v %v", docker, derr)
			switch {
			case c.policy:
				if oerr == nil || !strings.Contains(oerr.Error(), "climbs out") {
					t.Fatalf("imagefs opened %v (%v); want it refused for climbing out of the root", ours, oerr)
				}
			case derr != nil:
				if oerr == nil {
					t.Fatalf("Docker refused the image (%v); imagefs opened %v", derr, ours)
				}
				if strings.Contains(oerr.Error(), "\n") {
					t.Fatalf("imagefs's error is not one line: %q", oerr)
				}
			case oerr != nil:
				t.Fatalf("Docker took the image as %v; imagefs refused it: %v", docker, oerr)
			default:
				// Docker makes /etc for the files it mounts; an image
				// without one shows it empty.
				if docker["etc"] == "d" && ours["etc"] == "" {
					delete(docker, "etc")
				}
				if !maps.Equal(docker, ours) {
					t.Fatalf("Docker: %v\nimagefs: %v", docker, ours)
				}
			}
		})
	}
}

// dockerFlatten pulls ref and exports a container of it: what Docker
// made of the layers, less what Docker adds to every container.
func dockerFlatten(t *testing.T, ref string) (map[string]string, error) {
	t.Helper()
	t.Cleanup(func() { _ = exec.Command("docker", "rmi", "-f", ref).Run() })
	if r := run(t, nil, "docker", "pull", "-q", ref); r.code != 0 {
		return nil, fmt.Errorf("docker pull: %s", strings.TrimSpace(r.stderr))
	}
	id := strings.TrimSpace(must(t, nil, "docker", "create", ref, "/none"))
	defer func() { _ = exec.Command("docker", "rm", "-f", id).Run() }()
	exp := exec.Command("docker", "export", id)
	out, err := exp.Output()
	if err != nil {
		t.Fatalf("docker export: %v", err)
	}
	added := map[string]bool{".dockerenv": true, "dev": true, "proc": true, "sys": true,
		"etc/hostname": true, "etc/hosts": true, "etc/resolv.conf": true, "etc/mtab": true}
	got := map[string]string{}
	tr := tar.NewReader(bytes.NewReader(out))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("docker export: %v", err)
		}
		p := strings.TrimSuffix(hdr.Name, "/")
		if top, _, _ := strings.Cut(p, "/"); added[p] || top == "dev" || top == "proc" || top == "sys" {
			continue
		}
		switch hdr.Typeflag {
		case tar.TypeReg:
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			got[p] = fileSum(b)
		case tar.TypeLink:
			got[p] = got[strings.TrimSuffix(hdr.Linkname, "/")]
		default:
			got[p] = describeType(hdr.Typeflag, hdr.Linkname)
		}
	}
	return got, nil
}

// imagefsFlatten opens ref from the registry with imagefs and walks it.
func imagefsFlatten(t *testing.T, ref name.Reference) (map[string]string, error) {
	t.Helper()
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := imagefs.Open(context.Background(), img, t.TempDir())
	if err != nil {
		return nil, err
	}
	defer fsys.Close()
	got := map[string]string{}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == "." {
			return err
		}
		fi, err := fsys.Lstat(p)
		if err != nil {
			return err
		}
		hdr := fi.Sys().(*tar.Header)
		if hdr.Typeflag == tar.TypeReg {
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			got[p] = fileSum(b)
			return nil
		}
		got[p] = describeType(hdr.Typeflag, hdr.Linkname)
		return nil
	})
	if err != nil {
		t.Fatalf("walking imagefs: %v", err)
	}
	return got, nil
}

func fileSum(b []byte) string {
	s := sha256.Sum256(b)
	return "file " + hex.EncodeToString(s[:8])
}

func describeType(typ byte, link string) string {
	switch typ {
	case tar.TypeDir:
		return "d"
	case tar.TypeSymlink:
		return "symlink " + link
	}
	return fmt.Sprintf("type %c", typ)
}

// tamperingRegistry is a registry on 127.0.0.1 that serves evil in place
// of the blob named victim, at the same length.
func tamperingRegistry(t *testing.T, victim v1.Hash, evil []byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+victim.String()) {
			w.Header().Set("Content-Length", fmt.Sprint(len(evil)))
			w.Header().Set("Docker-Content-Digest", victim.String())
			w.Write(evil)
			return
		}
		reg.ServeHTTP(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestTamperedLayerRefused serves, for an image pinned by @sha256, a
// layer whose bytes are not the ones its manifest names (same length, so
// only the digest can tell): pack --from, verify and inspect exit 1 with
// one line naming the layer, and pack writes no output.
func TestTamperedLayerRefused(t *testing.T) {
	need(t)
	honest, evil := tarOfApp(t, "good"), tarOfApp(t, "evil")
	layer := static.NewLayer(honest, types.OCIUncompressedLayer)
	img, err := mutate.AppendLayers(empty.Image, layer)
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
	victim, err := layer.Digest()
	if err != nil {
		t.Fatal(err)
	}
	host := tamperingRegistry(t, victim, evil)
	tag, err := name.NewTag(host + "/e2e/tampered:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	digest, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	ref := tag.Context().Digest(digest.String()).String()
	dir := t.TempDir()
	env := []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	out := filepath.Join(dir, "out.tar")
	for _, args := range [][]string{
		{"pack", "--from", ref, "-o", out, "/bin/app"},
		{"verify", ref},
		{"inspect", ref},
	} {
		r := run(t, env, h.bin, args...)
		t.Logf("scratchpack %s: exit %d: %s", args[0], r.code, strings.TrimSpace(r.stderr))
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		if r.code != 1 || len(lines) != 1 || !strings.Contains(r.stderr, victim.String()) || r.stdout != "" {
			t.Errorf("scratchpack %s: exit %d, stdout %q, stderr %q; want exit 1, no output, one line naming layer %s",
				strings.Join(args, " "), r.code, r.stdout, r.stderr, victim)
		}
	}
	// The same image, served honestly, is listed: the refusals above are
	// the tampering's.
	honestTag, err := name.NewTag(fmt.Sprintf("%s/e2e/tampered:%d", h.registry, os.Getpid()))
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(honestTag, img); err != nil {
		t.Fatal(err)
	}
	if got := must(t, env, h.bin, "inspect", honestTag.Context().Digest(digest.String()).String()); !strings.Contains(got, "/bin/app") {
		t.Errorf("inspect of the honest image: %s", got)
	}
	if entries, _ := os.ReadDir(dir); slices.ContainsFunc(entries, func(e os.DirEntry) bool { return e.Name() != "cache" }) {
		t.Errorf("pack left %v in %s", entries, dir)
	}
}

// tarOfApp is a layer with /bin/app holding body.
func tarOfApp(t *testing.T, body string) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.WriteHeader(&tar.Header{Name: "bin/app", Typeflag: tar.TypeReg, Mode: 0o755, Size: int64(len(body))})
	io.WriteString(tw, body)
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
