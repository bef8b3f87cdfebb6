package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// debianImages pushes two images made from the mmdebstrap root that
// setup.sh caches (bookworm with curl and nginx-light): base, one layer;
// and mod, whose second layer replaces /etc/passwd (adding e2e-user) and
// deletes libnghttp2 by whiteout. Both start nginx and expose port 80.
func debianImages(t *testing.T) (base, mod string, baseSize int64) {
	t.Helper()
	root := h.env["DEBIAN_ROOT_AMD64"]
	if root == "" {
		t.Fatal("setup.sh gave no DEBIAN_ROOT_AMD64")
	}
	second := secondLayer(t, root, "usr/lib/x86_64-linux-gnu/libnghttp2.so.14", "usr/lib/x86_64-linux-gnu/libnghttp2.so.14.24.1")
	img, layer := rootImage(t, root, "amd64")
	modImg, err := mutate.AppendLayers(img, second)
	if err != nil {
		t.Fatal(err)
	}
	base, mod = h.registry+"/e2e/debian:base", h.registry+"/e2e/debian:mod"
	for ref, i := range map[string]v1.Image{base: img, mod: modImg} {
		tag, _ := name.NewTag(ref)
		if err := remote.Write(tag, i); err != nil {
			t.Fatal(err)
		}
	}
	baseSize, _ = layer.Size()
	return base, mod, baseSize
}

// secondLayer is a layer that replaces the root's /etc/passwd with one
// that adds e2e-user, and deletes paths by whiteout.
func secondLayer(t *testing.T, root string, deleted ...string) v1.Layer {
	t.Helper()
	passwd := readTarFile(t, root, "./etc/passwd") + "e2e-user:x:4242:4242::/nonexistent:/usr/sbin/nologin\n"
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	tw.WriteHeader(&tar.Header{Name: "etc/passwd", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(passwd))})
	tw.Write([]byte(passwd))
	for _, f := range deleted {
		dir, base := filepath.Split(f)
		tw.WriteHeader(&tar.Header{Name: dir + ".wh." + base, Typeflag: tar.TypeReg, Mode: 0o644})
	}
	tw.Close()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b.Bytes())), nil }, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// rootImage makes an image of one layer from a root tarball, for arch,
// starting nginx and exposing port 80.
func rootImage(t *testing.T, root, arch string) (v1.Image, v1.Layer) {
	t.Helper()
	layer, err := tarball.LayerFromFile(root, tarball.WithCompressionLevel(gzip.BestSpeed), tarball.WithMediaType(types.OCILayer))
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.OCIManifestSchema1), layer)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	if arch == "arm64" {
		cf.Variant = "v8"
	}
	cf.Config.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	cf.Config.Entrypoint = []string{"/usr/sbin/nginx", "-g", "daemon off;"}
	cf.Config.ExposedPorts = map[string]struct{}{"80/tcp": {}}
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	return img, layer
}

// readTarFile returns one file of a tarball.
func readTarFile(t *testing.T, archive, file string) string {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s: no %s: %v", archive, file, err)
		}
		if h.Name == file {
			b, _ := io.ReadAll(tr)
			return string(b)
		}
	}
}

// TestPackFromDebianImage takes programs out of a real Debian image in a
// registry, resolving inside it, and runs them on scratch.
func TestPackFromDebianImage(t *testing.T) {
	need(t)
	base, mod, baseSize := debianImages(t)
	dir := t.TempDir()
	env := []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}

	// curl from the base image runs, and its libraries are the ones ldd
	// lists inside that image.
	curlTar := filepath.Join(dir, "curl.tar")
	sbomDir := filepath.Join(dir, "sbom")
	must(t, env, h.bin, "pack", "--from", base, "-t", "e2e/curl-from:1", "-o", curlTar, "--sbom-dir", sbomDir, "/usr/bin/curl")
	// Its SBOM names the image's packages, with the versions the image's
	// own dpkg reports.
	var doc struct {
		Packages []struct{ Name, VersionInfo string }
	}
	b, err := os.ReadFile(filepath.Join(sbomDir, "curl-from-linux-amd64.spdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	want := must(t, nil, "docker", "run", "--rm", "--network", "none", "--entrypoint", "dpkg-query", base, "-W", "-f", "${Version}", "libcurl4")
	if !slices.ContainsFunc(doc.Packages, func(p struct{ Name, VersionInfo string }) bool { return p.Name == "libcurl4" && p.VersionInfo == want }) {
		t.Errorf("the SBOM of curl from %s lacks libcurl4 %s: %v", base, want, doc.Packages)
	}
	must(t, nil, "docker", "load", "-i", curlTar)
	t.Cleanup(func() { run(t, nil, "docker", "rmi", "-f", "e2e/curl-from:1") })
	if got := must(t, nil, "docker", "run", "--rm", "--network", "none", "e2e/curl-from:1", "--version"); !strings.HasPrefix(got, "curl 7.88") {
		t.Errorf("curl --version printed %q", got)
	}
	var r struct {
		Libraries []struct {
			Name    string
			RunTime bool `json:"run_time"`
		}
	}
	if err := json.Unmarshal([]byte(must(t, env, h.bin, "scan", "--json", "--from", base, "/usr/bin/curl")), &r); err != nil {
		t.Fatal(err)
	}
	var scanned []string
	for _, l := range r.Libraries {
		if !l.RunTime { // ldd lists the DT_NEEDED closure; gconv modules and libgcc_s come at run time
			scanned = append(scanned, l.Name)
		}
	}
	var listed []string
	for _, line := range strings.Split(must(t, nil, "docker", "run", "--rm", "--network", "none", "--entrypoint", "ldd", base, "/usr/bin/curl"), "\n") {
		if n, _, ok := strings.Cut(strings.TrimSpace(line), " => "); ok {
			listed = append(listed, n)
		}
	}
	slices.Sort(scanned)
	slices.Sort(listed)
	if !slices.Equal(scanned, listed) {
		t.Errorf("scan --from lists %v, ldd in the image %v", scanned, listed)
	}

	// From the image whose second layer deleted libnghttp2, curl is refused.
	res := run(t, env, h.bin, "pack", "--from", mod, "-o", filepath.Join(dir, "x.tar"), "/usr/bin/curl")
	if res.code != 1 || !strings.Contains(res.stderr, "libnghttp2.so.14") || !strings.Contains(res.stderr, "not found in image "+mod) {
		t.Errorf("curl from the image that deleted libnghttp2: exit %d, %s", res.code, res.stderr)
	}

	// nginx from it keeps its own path, the image's entrypoint and port, and runs as the
	// user its replaced passwd added (docker itself looks the name up).
	nginxTar := filepath.Join(dir, "nginx.tar")
	must(t, env, h.bin, "pack", "--from", mod, "--user", "e2e-user", "-t", "e2e/nginx-from:1", "-o", nginxTar, "/usr/sbin/nginx")
	desc := must(t, nil, h.bin, "inspect", "--json", nginxTar)
	for _, want := range []string{`"entrypoint":["/usr/sbin/nginx","-g","daemon off;"]`, `"exposed_ports":["80/tcp"]`, `"user":"e2e-user"`} {
		if !strings.Contains(desc, want) {
			t.Errorf("the nginx image lacks %s: %s", want, desc)
		}
	}
	must(t, nil, "docker", "load", "-i", nginxTar)
	t.Cleanup(func() { run(t, nil, "docker", "rmi", "-f", "e2e/nginx-from:1") })
	if got := run(t, nil, "docker", "run", "--rm", "--network", "none", "e2e/nginx-from:1", "-V"); got.code != 0 || !strings.Contains(got.stderr, "nginx version: nginx/1.22") {
		t.Errorf("nginx -V: exit %d, %q %q", got.code, got.stdout, got.stderr)
	}
	// A site served from the image's nginx: its config (Debian's default
	// site, a symlink into sites-available), modules (the echo module,
	// enabled by a symlink to a file elsewhere in the image) and document
	// root come with --include, and it answers on its loopback.
	site := filepath.Join(dir, "site.conf")
	writeTestFile(t, site, "server {\n\tlisten 8080;\n\tlocation /echo { echo \"hello from echo\"; }\n}\n")
	siteTar := filepath.Join(dir, "site.tar")
	must(t, env, h.bin, "pack", "--from", base, "--user", "root", "-t", "e2e/nginx-site:1", "-o", siteTar,
		"--include", "/etc/nginx", "--include", "/usr/lib/nginx/modules", "--include", "/usr/share/nginx", "--include", "/var/www",
		"--include", "/var/lib/nginx", "--include", "/var/log/nginx", "--include", "/run",
		"--add", site+":/etc/nginx/conf.d/site.conf", "/usr/sbin/nginx")
	must(t, nil, "docker", "load", "-i", siteTar)
	server := "scratchpack-e2e-nginx-" + filepath.Base(dir)
	must(t, nil, "docker", "run", "-d", "--network", "none", "--name", server, "e2e/nginx-site:1")
	t.Cleanup(func() {
		run(t, nil, "docker", "rm", "-f", server)
		run(t, nil, "docker", "rmi", "-f", "e2e/nginx-site:1")
	})
	var page, echo result
	for range 50 { // nginx starts in a moment
		page = run(t, nil, "docker", "run", "--rm", "--network", "container:"+server, "e2e/curl-from:1", "-s", "http://127.0.0.1/")
		if page.code == 0 {
			break
		}
		run(t, nil, "sleep", "0.2")
	}
	echo = run(t, nil, "docker", "run", "--rm", "--network", "container:"+server, "e2e/curl-from:1", "-s", "http://127.0.0.1:8080/echo")
	if !strings.Contains(page.stdout, "Welcome to nginx") || echo.stdout != "hello from echo\n" {
		logs := run(t, nil, "docker", "logs", server)
		t.Errorf("nginx from the image: page %q (exit %d), echo %q; logs %s %s", page.stdout, page.code, echo.stdout, logs.stdout, logs.stderr)
	}

	fi, _ := os.Stat(nginxTar)
	if baseSize < 10*fi.Size() {
		t.Errorf("the scratch nginx is %d bytes, the image it came from %d: want it 10 times smaller", fi.Size(), baseSize)
	}
	t.Logf("nginx on scratch: %d bytes; the Debian image's layer: %d bytes", fi.Size(), baseSize)
}

// TestPackFromArm64Image takes curl and nginx out of the arm64 image of a
// two-platform Debian index, on this amd64 machine, without running
// anything to resolve them: both run under qemu, and scan --from lists
// the libraries that ldd lists inside the arm64 image (under qemu).
func TestPackFromArm64Image(t *testing.T) {
	need(t)
	root := h.env["DEBIAN_ROOT_ARM64"]
	if root == "" {
		t.Fatal("setup.sh gave no DEBIAN_ROOT_ARM64")
	}
	amd64, _ := rootImage(t, h.env["DEBIAN_ROOT_AMD64"], "amd64")
	arm64, _ := rootImage(t, root, "arm64")
	arm64, err := mutate.AppendLayers(arm64, secondLayer(t, root, "etc/issue"))
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: amd64, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm64, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}}})
	ref := h.registry + "/e2e/debian:multi"
	tag, _ := name.NewTag(ref)
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	env := []string{"XDG_CACHE_HOME=" + filepath.Join(dir, "cache")}
	// nginx runs as the user the second layer's passwd added, which
	// docker itself looks up in the packed image.
	for _, prog := range []struct{ path, ref, user, arg, want string }{
		{"/usr/bin/curl", "e2e/curl-arm64:1", "root", "--version", "curl 7.88"},
		{"/usr/sbin/nginx", "e2e/nginx-arm64:1", "e2e-user", "-V", "nginx version: nginx/1.22"},
	} {
		out := filepath.Join(dir, filepath.Base(prog.path)+".tar")
		must(t, env, h.bin, "pack", "--from", ref, "--platform", "linux/arm64", "--user", prog.user, "-t", prog.ref, "-o", out, prog.path)
		must(t, nil, "docker", "load", "-i", out)
		t.Cleanup(func() { run(t, nil, "docker", "rmi", "-f", prog.ref) })
		r := run(t, nil, "docker", "run", "--rm", "--network", "none", "--platform", "linux/arm64", prog.ref, prog.arg)
		if r.code != 0 || !strings.Contains(r.stdout+r.stderr, prog.want) {
			t.Errorf("%s %s under qemu: exit %d, %q %q", prog.path, prog.arg, r.code, r.stdout, r.stderr)
		}
	}
	var scan struct {
		Platform  struct{ Architecture string }
		Libraries []struct {
			Name    string
			RunTime bool `json:"run_time"`
		}
	}
	if err := json.Unmarshal([]byte(must(t, env, h.bin, "scan", "--json", "--from", ref, "--platform", "linux/arm64", "/usr/bin/curl")), &scan); err != nil {
		t.Fatal(err)
	}
	var scanned, listed []string
	for _, l := range scan.Libraries {
		if !l.RunTime {
			scanned = append(scanned, l.Name)
		}
	}
	for _, line := range strings.Split(must(t, nil, "docker", "run", "--rm", "--network", "none", "--platform", "linux/arm64", "--entrypoint", "ldd", ref, "/usr/bin/curl"), "\n") {
		if n, _, ok := strings.Cut(strings.TrimSpace(line), " => "); ok {
			listed = append(listed, n)
		}
	}
	slices.Sort(scanned)
	slices.Sort(listed)
	if scan.Platform.Architecture != "arm64" || !slices.Equal(scanned, listed) {
		t.Errorf("scan --from (arm64) lists %v, ldd in the arm64 image under qemu %v", scanned, listed)
	}
	if r := run(t, env, h.bin, "pack", "--from", ref, "--platform", "linux/arm64", "--include", "/etc/issue", "-o", filepath.Join(dir, "x.tar"), "/usr/bin/curl"); r.code != 1 ||
		!strings.Contains(r.stderr, "/etc/issue") || !strings.Contains(r.stderr, "file does not exist") {
		t.Errorf("a file the second layer deleted: exit %d, %s", r.code, r.stderr)
	}
	if r := run(t, env, h.bin, "pack", "--from", ref, "--platform", "linux/s390x", "-o", filepath.Join(dir, "x.tar"), "/usr/bin/curl"); r.code != 1 ||
		!strings.Contains(r.stderr, "no image for linux/s390x; there are linux/amd64, linux/arm64/v8") {
		t.Errorf("a platform the index lacks: exit %d, %s", r.code, r.stderr)
	}
}
